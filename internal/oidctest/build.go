package oidctest

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

// zitadelModule is the module path tools/oidcop/go.mod requires, and
// opPackage the example provider's main package inside it.
const (
	zitadelModule = "github.com/zitadel/oidc/v3"
	opPackage     = zitadelModule + "/example/server"
)

// buildTimeout bounds the first build. The provider compiles in well under
// a minute, but the machines are shared and a loaded one is slow.
const buildTimeout = 8 * time.Minute

// binary returns the path of the example provider built from tools/oidcop,
// building it first if the cache does not hold it yet.
//
// The cache directory is named after the pinned version, read from
// tools/oidcop/go.mod, so bumping the pin builds afresh instead of reusing
// a stale binary. Parallel test packages (go test ./... runs one process
// per package) may all start here at once: a file lock makes all but one
// wait instead of compiling the provider N times over, and the binary is
// built under a temporary name and renamed into place so that nobody ever
// runs a half-written file, even if a build is killed midway.
func binary(ctx context.Context) (string, error) {
	toolsDir, err := toolsModuleDir()
	if err != nil {
		return "", err
	}
	version, err := pinnedVersion(filepath.Join(toolsDir, "go.mod"))
	if err != nil {
		return "", err
	}
	cacheRoot, err := cacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheRoot, "latch", "oidcop-"+version+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	bin := filepath.Join(dir, "oidcop")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if isFile(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("oidctest: create cache dir: %w", err)
	}

	unlock, err := lockFile(filepath.Join(dir, "build.lock"))
	if err != nil {
		return "", fmt.Errorf("oidctest: lock cache dir: %w", err)
	}
	defer unlock()
	// Another process may have finished the build while we waited.
	if isFile(bin) {
		return bin, nil
	}

	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", fmt.Errorf("oidctest: create build dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(bin))

	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, opPackage)
	cmd.Dir = toolsDir
	// GOWORK=off: a developer's go.work must not pull the tools module
	// into a workspace with the main module (or vice versa).
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("oidctest: go build %s in %s: %w\n%s", opPackage, toolsDir, err, output)
	}
	if err := os.Rename(out, bin); err != nil {
		return "", fmt.Errorf("oidctest: install binary: %w", err)
	}
	return bin, nil
}

// toolsModuleDir returns tools/oidcop in the checkout this file belongs
// to. It is found from this source file's own path rather than from the
// working directory's module, so tests in the nested modules (compat/,
// examples/) find it too.
func toolsModuleDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("oidctest: cannot locate its own source file")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "tools", "oidcop")
	if !isFile(filepath.Join(dir, "go.mod")) {
		return "", fmt.Errorf("oidctest: %s/go.mod not found", dir)
	}
	return dir, nil
}

// pinnedVersion returns the version of github.com/zitadel/oidc/v3 that the
// tools module's go.mod requires, so the cache key follows the pin.
func pinnedVersion(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("oidctest: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// Matches both "require M V" and a line inside a require block.
		if len(fields) >= 2 && fields[0] == "require" {
			fields = fields[1:]
		}
		if len(fields) >= 2 && fields[0] == zitadelModule {
			return fields[1], nil
		}
	}
	return "", fmt.Errorf("oidctest: %s does not require %s", gomod, zitadelModule)
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
