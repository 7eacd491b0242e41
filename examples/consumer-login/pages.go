package main

import "html/template"

// The data each page template renders.
type (
	homePage struct {
		Email string // kept in the form after an error
		Error string
		OAuth []oauthButton
	}
	oauthButton struct {
		Name string
		URL  string
	}
	sentPage struct {
		Email       string
		DevInboxURL string
	}
	profilePage struct {
		Name    string // empty when the user has none
		Email   string
		UserID  string
		Expires string
	}
	errorPage struct {
		Title   string
		Message string
	}
)

// pages holds every page; html/template escapes whatever the data holds.
var pages = template.Must(template.New("").Parse(`
{{define "top"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · consumer-login</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 30rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
input, button { font: inherit; padding: .5rem .8rem; }
input[type=email] { width: 100%; box-sizing: border-box; margin: .5rem 0; }
.error { color: #a00; }
dt { font-weight: 600; margin-top: .8rem; }
dd { margin: 0; font-family: ui-monospace, monospace; }
</style>
</head>
<body>
{{end}}

{{define "bottom"}}</body>
</html>
{{end}}

{{define "home"}}{{template "top" "Sign in"}}
<h1>Sign in</h1>
<p>We will email you a link. New here? The same link creates your account.</p>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
<form method="post" action="/login">
<label for="email">Email address</label>
<input type="email" id="email" name="email" value="{{.Email}}" required autofocus>
<button type="submit">Email me a sign-in link</button>
</form>
{{range .OAuth}}<p><a class="oauth" href="{{.URL}}">Sign in with {{.Name}}</a></p>
{{end}}
{{template "bottom"}}{{end}}

{{define "sent"}}{{template "top" "Check your email"}}
<h1>Check your email</h1>
<p>We sent a sign-in link to <strong>{{.Email}}</strong>. Open it in this browser.</p>
{{with .DevInboxURL}}<p>Running against Latch with a test project? The email is in the
<a href="{{.}}" target="_blank">dev inbox</a>.</p>{{end}}
<p><a href="/">Use a different address</a></p>
{{template "bottom"}}{{end}}

{{define "profile"}}{{template "top" "Profile"}}
<h1>You are signed in</h1>
<dl>
{{with .Name}}<dt>Name</dt><dd>{{.}}</dd>
{{end}}<dt>Email</dt><dd>{{.Email}}</dd>
<dt>User ID</dt><dd>{{.UserID}}</dd>
<dt>Session expires</dt><dd>{{.Expires}}</dd>
</dl>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>
{{template "bottom"}}{{end}}

{{define "error"}}{{template "top" .Title}}
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="/">Back to sign in</a></p>
{{template "bottom"}}{{end}}
`))
