package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Tokens persists single-use tokens, by hash only.
type Tokens interface {
	// CreateToken inserts t. Returns ErrConflict if its hash exists.
	CreateToken(ctx context.Context, projectID string, t *auth.OneTimeToken) error
	// ConsumeToken marks the unused, unexpired token of one of kinds whose
	// hash is hash as consumed at now, in one conditional statement, and
	// returns it. Of any number of concurrent calls at most one succeeds.
	// Returns ErrNotFound if no such token exists in the project, and
	// ErrConsumed if it exists but was used or expired.
	ConsumeToken(ctx context.Context, projectID string, hash []byte, kinds []auth.TokenKind, now time.Time) (*auth.OneTimeToken, error)
	// GetToken returns the unused, unexpired token of one of kinds whose
	// hash is hash, without consuming it, so that a flow can check what the
	// token is for before doing slow work and then consume it. Returns
	// ErrNotFound and ErrConsumed as ConsumeToken does.
	GetToken(ctx context.Context, projectID string, hash []byte, kinds []auth.TokenKind, now time.Time) (*auth.OneTimeToken, error)
	// RevokeTokens consumes, at now, every unused token of kind sent to
	// address, and returns how many there were.
	RevokeTokens(ctx context.Context, projectID string, kind auth.TokenKind, address string, now time.Time) (int, error)
	// CountTokens returns how many tokens of one of kinds were issued to
	// the (lowercased) address since since, spent or not: the email send
	// throttle, which survives restarts. No kinds count nothing.
	CountTokens(ctx context.Context, projectID, address string, kinds []auth.TokenKind, since time.Time) (int, error)
}
