// Package secretbox encrypts the few secrets Latch must be able to read
// back, such as TOTP seeds, with one server key: AES-256-GCM, a random
// 96-bit nonce per message, and associated data that binds each sealed
// value to the row it belongs to, so that a value copied into another row
// (another user's TOTP, another project) fails to open.
//
// Everything a hash can protect is hashed instead (tokens, secrets,
// recovery codes); this package is for what must be shown or used again.
//
// The key is 32 bytes, given to Latch as hex or base64 ([ParseKey]) or,
// for a SQLite deployment without one, generated once and kept in a file
// of the data directory ([LoadOrCreateKeyFile]). Losing the key makes
// every sealed value unreadable.
package secretbox
