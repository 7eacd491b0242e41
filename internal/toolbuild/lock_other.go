//go:build !unix

package toolbuild

// lockFile is a no-op where flock is unavailable. Concurrent first builds
// then each compile the tool, which wastes time but stays correct: every
// build writes to its own temporary file and renames it into place.
func lockFile(string) (unlock func(), err error) {
	return func() {}, nil
}
