// Package browsertest drives a real headless Chromium from tests, through
// chromedp, for flows that only a browser proves: redirects across
// origins, cookies, and HTML forms filled in and submitted, as in an OAuth
// login.
//
// The browser is Debian's chromium package (/usr/bin/chromium, or the path
// in LATCH_CHROMIUM). Where it is not installed, New skips the test with
// instructions, unless LATCH_TEST_BROWSER=1 is set: then a missing browser
// fails the test, so CI (which sets it) can never pass by skipping.
//
// A test gets one fresh browser (New), runs named steps in it (Run), each
// bounded by StepTimeout, and waits for a page by its URL (WaitURL). A
// failed step reports where the browser was and what the page said.
package browsertest
