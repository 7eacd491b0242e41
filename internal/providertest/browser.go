package providertest

import (
	"context"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// signInTimeout bounds a SignIn's whole walk.
const signInTimeout = 30 * time.Second

// Jar returns a cookie jar that, as browsers do, treats http://localhost
// and loopback addresses as secure origins: it keeps and sends their
// Secure cookies, which net/http/cookiejar sends over https only. Like
// every Go jar it ignores SameSite: a test checks that attribute on the
// Set-Cookie header itself.
func Jar(tb testing.TB) http.CookieJar {
	tb.Helper()
	j, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return loopbackJar{j}
}

type loopbackJar struct{ *cookiejar.Jar }

func (j loopbackJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.Jar.SetCookies(secureLoopback(u), cookies)
}

func (j loopbackJar) Cookies(u *url.URL) []*http.Cookie { return j.Jar.Cookies(secureLoopback(u)) }

func secureLoopback(u *url.URL) *url.URL {
	if u.Scheme != "http" {
		return u
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
		c := *u
		c.Scheme = "https"
		return &c
	}
	return u
}

// Landing is where a SignIn ended.
type Landing struct {
	// URL is the redirect that reached the landing prefix; nil when the
	// walk ended elsewhere.
	URL *url.URL
	// Status and Body are the last response's when URL is nil (an error
	// page, for example).
	Status int
	Body   string
	// FormPosts counts the form_post pages submitted on the way.
	FormPosts int
}

// SignIn plays a browser from startURL (an app's "Sign in with …" link)
// through the stand-in and back: it follows redirects and submits
// form_post pages, as their script would, and stops at the first redirect
// to a URL that starts with landing. client, when not nil, supplies the
// cookie jar (its CheckRedirect is replaced); nil uses a new Jar.
func SignIn(tb testing.TB, client *http.Client, startURL, landing string) *Landing {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), signInTimeout)
	defer cancel()
	var c http.Client
	if client != nil {
		c = *client
	}
	if c.Jar == nil {
		c.Jar = Jar(tb)
	}
	res := &Landing{}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), landing) {
			res.URL = req.URL
			return http.ErrUseLastResponse
		}
		if len(via) >= 20 {
			return errors.New("providertest: stopped after 20 redirects")
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, startURL, nil)
	if err != nil {
		tb.Fatalf("providertest: SignIn: %v", err)
	}
	for {
		resp, err := c.Do(req)
		if err != nil {
			tb.Fatalf("providertest: SignIn: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			tb.Fatalf("providertest: SignIn: %v", err)
		}
		if res.URL != nil {
			return res
		}
		action, fields, ok := ParseFormPost(string(body))
		if !ok || resp.StatusCode != http.StatusOK || res.FormPosts >= 5 {
			res.Status, res.Body = resp.StatusCode, string(body)
			return res
		}
		target, err := resp.Request.URL.Parse(action)
		if err != nil {
			tb.Fatalf("providertest: SignIn: form action %q: %v", action, err)
		}
		res.FormPosts++
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(fields.Encode()))
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// The form is posted from the provider's page: a cross-site
		// request, as the Origin header says.
		req.Header.Set("Origin", resp.Request.URL.Scheme+"://"+resp.Request.URL.Host)
	}
}

var (
	formRE  = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// ParseFormPost reads a form_post page the stand-in serves: the URL it
// posts to and its fields. ok is false for any other page.
func ParseFormPost(page string) (action string, fields url.Values, ok bool) {
	m := formRE.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	fields = url.Values{}
	for _, in := range inputRE.FindAllStringSubmatch(page, -1) {
		fields.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), fields, true
}
