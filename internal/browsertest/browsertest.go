package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/latchauth/latch/internal/latchtest"
)

// StepTimeout bounds each Run and WaitURL. Steps take well under a second
// on an idle machine; the margin is for shared CI machines under load, and
// only a broken flow ever waits it out.
const StepTimeout = time.Minute

// startTimeout bounds starting Chromium and opening its first tab.
const startTimeout = time.Minute

// defaultPath is where Debian's chromium package puts the browser.
const defaultPath = "/usr/bin/chromium"

// pollInterval is how often WaitURL looks at the browser's location.
const pollInterval = 50 * time.Millisecond

// New starts a fresh headless Chromium for the test and returns the context
// of its first tab, for Run, WaitURL and chromedp's own functions. The
// browser is closed, and its processes and profile removed, when the test
// ends.
//
// New skips the test when Chromium is not installed, unless
// LATCH_TEST_BROWSER=1 is set or LATCH_CHROMIUM names a browser explicitly:
// then it fails the test instead. It always fails the test if an installed
// Chromium cannot start.
func New(tb testing.TB) context.Context {
	tb.Helper()
	path := findChromium(tb, defaultPath)

	// Chromium's own output, and chromedp's complaints, are only worth
	// reading when something failed; tb.Logf cannot be called from the
	// browser's goroutines after the test ends.
	logs := &latchtest.Buffer{}
	logf := func(format string, args ...any) { fmt.Fprintf(logs, format+"\n", args...) }

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		// Tests may run as root (CI containers), where Chromium's sandbox
		// refuses to start; the pages are our own.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// The machines have no internet. Without these flags Chromium
		// floods the closed network with update, sync and field-trial
		// requests, and can stall waiting on them.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		// Every page a test opens is on loopback: a proxy from the
		// environment must not get in between.
		chromedp.Flag("no-proxy-server", true),
		chromedp.CombinedOutput(logs),
		// No UserDataDir: chromedp then makes a fresh profile directory
		// per browser and, when the browser exits, kills any Chromium
		// child still using it before removing it, which a t.TempDir()
		// profile would not get.
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	tb.Cleanup(func() {
		// Closing the tab closes the browser it started; cancelling the
		// allocator then waits until the process has exited and its
		// profile is gone, so no Chromium outlives the test.
		cancelTab()
		cancelAlloc()
		if tb.Failed() {
			tb.Logf("chromium output:\n%s", logs.String())
		}
	})

	// Start the browser now, not in the test's first step: that step's
	// timeout would otherwise bound the browser's whole life, and a
	// browser that cannot start is better reported as such.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			tb.Fatalf("browsertest: start %s: %v\n%s", path, err, logs.String())
		}
	case <-time.After(startTimeout):
		tb.Fatalf("browsertest: %s did not start within %v\n%s", path, startTimeout, logs.String())
	}
	return ctx
}

// findChromium returns the browser's path (LATCH_CHROMIUM, or def), or
// skips or fails the test when there is none.
func findChromium(tb testing.TB, def string) string {
	tb.Helper()
	path, explicit := os.LookupEnv("LATCH_CHROMIUM")
	if !explicit || path == "" {
		path, explicit = def, false
	}
	err := checkExecutable(path)
	switch {
	case err == nil:
		return path
	case explicit:
		tb.Fatalf("browsertest: LATCH_CHROMIUM=%s: %v", path, err)
	case os.Getenv("LATCH_TEST_BROWSER") == "1":
		tb.Fatalf("browsertest: LATCH_TEST_BROWSER=1 but Chromium is not usable: %v; install it with `apt-get install -y chromium`, or set LATCH_CHROMIUM to its path", err)
	default:
		tb.Skipf("browsertest: skipping browser test: %v; install Chromium (`apt-get install -y chromium`) or set LATCH_CHROMIUM to run it, and LATCH_TEST_BROWSER=1 to make a missing browser fail", err)
	}
	return ""
}

// checkExecutable reports why path cannot be run as a program, or nil.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s not found", path)
	}
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// Run runs chromedp actions in the browser, in order, as one named step
// bounded by StepTimeout. If the step fails, Run fails the test with the
// step's name, the error, and the URL and text of the page the browser was
// on. Get runs an action that returns a value.
func Run(tb testing.TB, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(stepCtx, actions...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("not done within %v: %w", StepTimeout, err)
		}
		tb.Fatalf("browsertest: %s: %v\n%s", step, err, describe(ctx))
	}
}

// Get runs one chromedp action that returns a value, such as
// chromedp.Text or chromedp.Location, as a named step bounded by
// StepTimeout, and returns the value. It fails the test as Run does.
func Get[T any](tb testing.TB, ctx context.Context, step string, action chromedp.Action[T]) T {
	tb.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(stepCtx, action)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("not done within %v: %w", StepTimeout, err)
		}
		tb.Fatalf("browsertest: %s: %v\n%s", step, err, describe(ctx))
	}
	return v
}

// WaitURL waits until the browser's location begins with prefix, and
// returns the location. It fails the test if that does not happen within
// StepTimeout, showing where the browser was instead.
func WaitURL(tb testing.TB, ctx context.Context, prefix string) string {
	tb.Helper()
	deadline := time.Now().Add(StepTimeout)
	var last string
	var lastErr error
	for {
		// Each look gets its own short bound: the location is read while
		// pages navigate, and one stuck read must not eat the deadline.
		lookCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		loc, err := chromedp.Run(lookCtx, chromedp.Location())
		cancel()
		if err == nil {
			if strings.HasPrefix(loc, prefix) {
				return loc
			}
			last = loc
		} else {
			lastErr = err
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			tb.Fatalf("browsertest: the browser did not reach %s within %v; it is at %q (last error: %v)\n%s",
				prefix, StepTimeout, last, lastErr, describe(ctx))
		}
		time.Sleep(pollInterval)
	}
}

// describe says where the browser is and what the page shows, for failure
// messages. It never fails: a browser that cannot answer says so.
func describe(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Sprintf("(the browser did not say where it is: %v)", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return fmt.Sprintf("page %s (its text is unreadable: %v)", loc, err)
	}
	const max = 2 << 10
	if len(text) > max {
		text = text[:max] + "…"
	}
	return fmt.Sprintf("page %s says:\n%s", loc, text)
}
