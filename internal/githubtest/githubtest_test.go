package githubtest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/latchauth/latch/internal/githubtest"
)

// TestFlow walks the stand-in as an OAuth client does and checks what
// GitHub documents: a code is exchanged once, with the right secret and
// PKCE verifier, and the API answers only to the token.
func TestFlow(t *testing.T) {
	t.Parallel()
	gh := githubtest.Start(t, githubtest.User{ID: 1, Login: "octocat", Emails: []githubtest.Email{{Email: "o@example.com", Primary: true, Verified: true}}})
	conf := &oauth2.Config{ClientID: gh.ClientID, ClientSecret: gh.ClientSecret, RedirectURL: "http://127.0.0.1:1/cb",
		Endpoint: oauth2.Endpoint{AuthURL: gh.URL + "/login/oauth/authorize", TokenURL: gh.URL + "/login/oauth/access_token"}}
	verifier := oauth2.GenerateVerifier()
	code := func() string {
		t.Helper()
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Query().Get("state") != "st" || loc.Query().Get("code") == "" {
			t.Fatalf("authorize redirected to %q", resp.Header.Get("Location"))
		}
		return loc.Query().Get("code")
	}

	c := code()
	var re *oauth2.RetrieveError
	if _, err := conf.Exchange(t.Context(), c, oauth2.VerifierOption("wrong")); !errors.As(err, &re) || re.ErrorCode != "bad_verification_code" {
		t.Errorf("exchange with a wrong verifier: %v", err)
	}
	c = code()
	tok, err := conf.Exchange(t.Context(), c, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.Exchange(t.Context(), c, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a code was exchanged twice")
	}
	bad := *conf
	bad.ClientSecret = "nope"
	if _, err := bad.Exchange(t.Context(), code(), oauth2.VerifierOption(verifier)); !errors.As(err, &re) || re.ErrorCode != "incorrect_client_credentials" {
		t.Errorf("exchange with a wrong secret: %v", err)
	}

	for token, want := range map[string]int{tok.AccessToken: 200, "gho_forged": 401} {
		req, _ := http.NewRequest("GET", gh.URL+"/user/emails", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("/user/emails with %s: %d, want %d", strings.SplitN(token, "_", 2)[0], resp.StatusCode, want)
		}
	}
}
