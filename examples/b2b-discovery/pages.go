package main

import "html/template"

// The data each page template renders.
type (
	homePage struct {
		Email string // kept in the form after an error
		Error string
	}
	sentPage struct {
		Email       string
		DevInboxURL string
	}
	pickerPage struct {
		Email         string
		Organizations []orgChoice
	}
	orgChoice struct {
		ID         string
		Name       string
		Slug       string
		Membership string
		NeedsMore  bool // the organization wants MFA or another sign-in method
	}
	dashboardPage struct {
		Email            string
		MemberID         string
		OrganizationName string
		OrganizationSlug string
		OrganizationID   string
		Roles            []string
		Expires          string
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
<title>{{.}} · b2b-discovery</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
input, button { font: inherit; padding: .5rem .8rem; }
input[type=email], input[type=text] { width: 100%; box-sizing: border-box; margin: .5rem 0; }
.error { color: #a00; }
.muted { color: #666; font-size: .9rem; }
ul.orgs { list-style: none; padding: 0; }
ul.orgs li { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .8rem 0; border-bottom: 1px solid #ddd; }
ul.orgs form { margin: 0; }
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
<h1>Sign up or log in</h1>
<p>We will email you a link. After you open it, choose one of your
organizations or create a new one.</p>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
<form method="post" action="/login">
<label for="email">Work email address</label>
<input type="email" id="email" name="email" value="{{.Email}}" required autofocus>
<button type="submit">Email me a sign-in link</button>
</form>
{{template "bottom"}}{{end}}

{{define "sent"}}{{template "top" "Check your email"}}
<h1>Check your email</h1>
<p>We sent a sign-in link to <strong>{{.Email}}</strong>. Open it in this browser.</p>
{{with .DevInboxURL}}<p>Running against Latch with a test project? The email is in the
<a href="{{.}}" target="_blank">dev inbox</a>.</p>{{end}}
<p><a href="/">Use a different address</a></p>
{{template "bottom"}}{{end}}

{{define "picker"}}{{template "top" "Choose an organization"}}
<h1>Choose an organization</h1>
<p>Signed in as <strong>{{.Email}}</strong>.</p>
{{if .Organizations}}<ul class="orgs">
{{range .Organizations}}<li>
<div><strong>{{.Name}}</strong> <span class="muted">{{.Slug}}</span><br>
<span class="muted">{{.Membership}}{{if .NeedsMore}} · needs MFA or another sign-in method{{end}}</span></div>
<form method="post" action="/select">
<input type="hidden" name="organization_id" value="{{.ID}}">
<button type="submit">Continue</button>
</form>
</li>
{{end}}</ul>
{{else}}<p>You are not a member of any organization yet.</p>
{{end}}
<h2>Create a new organization</h2>
<form method="post" action="/create">
<label for="organization_name">Organization name</label>
<input type="text" id="organization_name" name="organization_name" required maxlength="128">
<button type="submit">Create and continue</button>
</form>
<p class="muted">This choice is open for ten minutes.</p>
{{template "bottom"}}{{end}}

{{define "dashboard"}}{{template "top" "Dashboard"}}
<h1>{{.OrganizationName}}</h1>
<p>You are signed in to this organization.</p>
<dl>
<dt>Email</dt><dd>{{.Email}}</dd>
<dt>Member ID</dt><dd>{{.MemberID}}</dd>
<dt>Organization</dt><dd>{{.OrganizationName}}</dd>
<dt>Organization slug</dt><dd>{{.OrganizationSlug}}</dd>
<dt>Organization ID</dt><dd>{{.OrganizationID}}</dd>
<dt>Roles</dt><dd>{{range $i, $r := .Roles}}{{if $i}}, {{end}}{{$r}}{{else}}none{{end}}</dd>
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
