package hibptest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/latchauth/latch/internal/hibptest"
)

func get(t *testing.T, url string, padding bool) (int, []string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if padding {
		req.Header.Set("Add-Padding", "true")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n")
}

func TestRange(t *testing.T) {
	t.Parallel()
	srv := hibptest.Start(t, "password")
	// SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8.
	status, lines := get(t, srv.URL+"/range/5BAA6", false)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	found := false
	for _, l := range lines {
		suffix, count, ok := strings.Cut(l, ":")
		if !ok || len(suffix) != 35 || strings.ToUpper(suffix) != suffix || count == "0" {
			t.Errorf("line %q is not SUFFIX:COUNT with a positive count", l)
		}
		if suffix == "1E4C9B93F3F0682250B6CF8331B7EE68FD8" {
			found = true
		}
	}
	if !found {
		t.Errorf("the suffix of \"password\" is missing from %d lines", len(lines))
	}

	status, lines = get(t, srv.URL+"/range/5BAA6", true)
	if status != http.StatusOK || len(lines) < 800 || len(lines) > 1000 {
		t.Fatalf("padded response: status %d, %d lines; want 200 and 800..1000", status, len(lines))
	}
	zeros := 0
	for _, l := range lines {
		if strings.HasSuffix(l, ":0") {
			zeros++
		}
	}
	if zeros == 0 {
		t.Error("padded response has no padding lines")
	}
	if got := srv.Requests(); len(got) != 2 || got[0] != "5BAA6" {
		t.Errorf("Requests() = %v", got)
	}
}

func TestRangeRefusesMalformedPrefixes(t *testing.T) {
	t.Parallel()
	srv := hibptest.Start(t)
	for _, p := range []string{"5baa6", "5BAA", "5BAA61", "5BAAG", "", "5BAA6/x"} {
		if status, _ := get(t, srv.URL+"/range/"+p, false); status != http.StatusBadRequest {
			t.Errorf("prefix %q: status %d, want 400", p, status)
		}
	}
	if status, _ := get(t, srv.URL+"/5BAA6", false); status != http.StatusBadRequest {
		t.Errorf("path without /range/: status %d, want 400", status)
	}
	if got := srv.Requests(); len(got) != 0 {
		t.Errorf("malformed requests were recorded: %v", got)
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	srv := hibptest.Start(t)
	srv.Fail(http.StatusServiceUnavailable)
	if status, _ := get(t, srv.URL+"/range/00000", true); status != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", status)
	}
	srv.Fail(0)
	if status, _ := get(t, srv.URL+"/range/00000", true); status != http.StatusOK {
		t.Errorf("status %d after Fail(0), want 200", status)
	}
}
