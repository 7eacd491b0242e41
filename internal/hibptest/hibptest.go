package hibptest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// BreachCount is the count the stand-in reports for every breached
// password.
const BreachCount = 3861

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give a client in place of
	// https://api.pwnedpasswords.com, without a trailing slash.
	URL string

	mu       sync.Mutex
	suffixes map[string][]string // prefix → suffixes of breached hashes
	requests []string            // prefixes asked for, in order
	status   int                 // if non-zero, the status of every response
}

// Start starts a stand-in on a loopback port that reports the given
// passwords as breached, and stops it when tb's test ends.
func Start(tb testing.TB, breached ...string) *Server {
	tb.Helper()
	s := &Server{suffixes: make(map[string][]string)}
	for _, pw := range breached {
		s.Breach(pw)
	}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Breach adds password to the breached passwords.
func (s *Server) Breach(password string) {
	sum := sha1.Sum([]byte(password))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suffixes[h[:5]] = append(s.suffixes[h[:5]], h[5:])
}

// Fail makes every later response have the given status and an empty
// body, to simulate an outage; Fail(0) restores normal answers.
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

// Requests returns the prefixes of the well-formed requests received so
// far, in order. Tests use it to check that only a five-character prefix
// of the hash, never the password or its full hash, left the client.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
	if !ok || !validPrefix(prefix) {
		http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, prefix)
	status := s.status
	lines := make([]string, 0, 1000)
	for _, suffix := range s.suffixes[prefix] {
		lines = append(lines, fmt.Sprintf("%s:%d", suffix, BreachCount))
	}
	s.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	for range 20 {
		lines = append(lines, fmt.Sprintf("%s:%d", randomSuffix(), 1+rand.IntN(1000)))
	}
	if r.Header.Get("Add-Padding") == "true" {
		for n := 800 + rand.IntN(201); len(lines) < n; {
			lines = append(lines, randomSuffix()+":0")
		}
	}
	rand.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	w.Header().Set("Content-Type", "text/plain")
	for _, l := range lines {
		fmt.Fprintf(w, "%s\r\n", l)
	}
}

// validPrefix reports whether p is five uppercase hexadecimal characters.
func validPrefix(p string) bool {
	if len(p) != 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if !('0' <= p[i] && p[i] <= '9' || 'A' <= p[i] && p[i] <= 'F') {
			return false
		}
	}
	return true
}

// randomSuffix returns 35 random uppercase hex characters. A collision
// with a breached suffix has probability 2^-140.
func randomSuffix() string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 35)
	for i := range b {
		b[i] = digits[rand.IntN(16)]
	}
	return string(b)
}
