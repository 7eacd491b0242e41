// Package toolbuild builds the servers that tests start (Mailpit, an
// OpenID provider) from the Go module mirror, once per machine: each is
// the main package of a module required by a small tools module under
// tools/, whose go.mod pins its version.
package toolbuild

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// buildTimeout bounds a first build. The tools compile in about a minute
// on a two-core machine; the machines are shared, and a loaded one is slow.
const buildTimeout = 8 * time.Minute

// Tool is one server to build.
type Tool struct {
	// Name names the binary and its cache directory ("mailpit").
	Name string
	// ToolsDir is the tools module's directory below tools/ ("mailpit").
	ToolsDir string
	// Module is the module the tools module requires, whose pinned
	// version keys the cache ("github.com/axllent/mailpit").
	Module string
	// Package is the main package to build; empty means Module.
	Package string
}

// Binary returns the path of t's binary, building it first if the cache
// does not hold it yet.
//
// The cache directory is named after the pinned version, so bumping the
// pin builds afresh instead of reusing a stale binary. Parallel test
// packages (go test ./... runs one process per package) may all start
// here at once: a file lock makes all but one wait instead of compiling N
// times over, and the binary is built under a temporary name and renamed
// into place so that nobody ever runs a half-written file, even if a build
// is killed midway.
func Binary(ctx context.Context, t Tool) (string, error) {
	toolsDir, err := toolsModuleDir(t.ToolsDir)
	if err != nil {
		return "", err
	}
	version, err := pinnedVersion(filepath.Join(toolsDir, "go.mod"), t.Module)
	if err != nil {
		return "", err
	}
	cacheRoot, err := cacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheRoot, "latch", t.Name+"-"+version+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	bin := filepath.Join(dir, t.Name)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if isFile(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("toolbuild: %s: create cache dir: %w", t.Name, err)
	}

	unlock, err := lockFile(filepath.Join(dir, "build.lock"))
	if err != nil {
		return "", fmt.Errorf("toolbuild: %s: lock cache dir: %w", t.Name, err)
	}
	defer unlock()
	// Another process may have finished the build while we waited.
	if isFile(bin) {
		return bin, nil
	}

	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", fmt.Errorf("toolbuild: %s: create build dir: %w", t.Name, err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(bin))

	pkg := t.Package
	if pkg == "" {
		pkg = t.Module
	}
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = toolsDir
	// GOWORK=off: a developer's go.work must not pull the tools module
	// into a workspace with the main module (or vice versa).
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("toolbuild: go build %s in %s: %w\n%s", pkg, toolsDir, err, output)
	}
	if err := os.Rename(out, bin); err != nil {
		return "", fmt.Errorf("toolbuild: %s: install binary: %w", t.Name, err)
	}
	return bin, nil
}

// toolsModuleDir returns tools/<name> in the checkout this file belongs
// to. It is found from this source file's own path rather than from the
// working directory's module, so tests in the nested modules (compat/,
// examples/) find it too.
func toolsModuleDir(name string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("toolbuild: cannot locate its own source file")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "tools", name)
	if !isFile(filepath.Join(dir, "go.mod")) {
		return "", fmt.Errorf("toolbuild: %s/go.mod not found", dir)
	}
	return dir, nil
}

// pinnedVersion returns the version of module that gomod requires, so the
// cache key follows the pin.
func pinnedVersion(gomod, module string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("toolbuild: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// Matches both "require M V" and a line inside a require block.
		if len(fields) >= 2 && fields[0] == "require" {
			fields = fields[1:]
		}
		if len(fields) >= 2 && fields[0] == module {
			return fields[1], nil
		}
	}
	return "", fmt.Errorf("toolbuild: %s does not require %s", gomod, module)
}

// cacheDir prefers XDG_CACHE_HOME, as os.UserCacheDir does on Linux, and
// falls back to the temporary directory on machines with no home (some CI
// containers), where the binary then lives as long as the temp dir does.
func cacheDir() (string, error) {
	if dir, err := os.UserCacheDir(); err == nil {
		return dir, nil
	}
	return os.TempDir(), nil
}

// isFile reports whether path names an existing regular file.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
