package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFindChromium pins the policy CI relies on: a missing browser skips
// the test on a developer's machine, but fails it when LATCH_TEST_BROWSER=1
// or when LATCH_CHROMIUM names a browser that is not there.
func TestFindChromium(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-chromium")
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	present := filepath.Join(dir, "chromium")
	if err := os.WriteFile(present, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		chromium    string // LATCH_CHROMIUM; "-" leaves it unset
		testBrowser string // LATCH_TEST_BROWSER
		def         string
		want        string // "path", "skip" or "fail"
	}{
		{"default present", "-", "", present, "path"},
		{"default missing skips", "-", "", missing, "skip"},
		{"default missing fails under LATCH_TEST_BROWSER=1", "-", "1", missing, "fail"},
		{"default not executable skips", "-", "", notExec, "skip"},
		{"empty LATCH_CHROMIUM means the default", "", "", missing, "skip"},
		{"LATCH_CHROMIUM present", present, "", missing, "path"},
		{"LATCH_CHROMIUM missing fails", missing, "", present, "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.chromium == "-" {
				unsetenv(t, "LATCH_CHROMIUM")
			} else {
				t.Setenv("LATCH_CHROMIUM", tt.chromium)
			}
			t.Setenv("LATCH_TEST_BROWSER", tt.testBrowser)

			rec := &recorder{TB: t}
			var path string
			done := make(chan struct{})
			go func() {
				defer close(done)
				path = findChromium(rec, tt.def)
			}()
			<-done
			got := rec.outcome
			if got == "" {
				got = "path"
			}
			if got != tt.want {
				t.Fatalf("outcome = %s (%s), want %s", got, rec.msg, tt.want)
			}
			if got == "path" && path == "" {
				t.Error("no path returned")
			}
			if got != "path" && !strings.Contains(rec.msg, "LATCH_CHROMIUM") {
				t.Errorf("message %q does not say how to point at a browser", rec.msg)
			}
		})
	}
}

// recorder is a testing.TB whose Fatalf and Skipf record the outcome and
// end the calling goroutine, as the real ones do, without ending the test.
type recorder struct {
	testing.TB
	outcome, msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.outcome, r.msg = "fail", fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.outcome, r.msg = "skip", fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// unsetenv unsets key for the test, restoring it afterwards.
func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "") // registers the restore, and forbids t.Parallel
	os.Unsetenv(key)
}
