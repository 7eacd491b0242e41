package magiclink

import (
	"bytes"
	htmltemplate "html/template"
	"strconv"
	texttemplate "text/template"

	"github.com/latchauth/latch/internal/auth"
)

// template is one kind of magic link email. Stytch's login, signup and
// invite emails differ in wording; custom template IDs are accepted on the
// wire but these built-in templates are used.
type template struct {
	subject string
	intro   string
	button  string
}

var (
	tmplLogin     = template{subject: "Your login link for {{.Project}}", intro: "Click the link below to log in to {{.Project}}.", button: "Log in"}
	tmplSignup    = template{subject: "Finish signing up for {{.Project}}", intro: "Click the link below to finish creating your {{.Project}} account.", button: "Sign up"}
	tmplDiscovery = template{subject: "Your login link for {{.Project}}", intro: "Click the link below to log in to {{.Project}} and choose an organization.", button: "Continue"}
	tmplReset     = template{subject: "Reset your {{.Project}} password", intro: "Click the link below to choose a new password for {{.Project}}.", button: "Reset password"}
	tmplInvite    = template{subject: "You have been invited to {{.Project}}", intro: "You have been invited to join {{.Project}}. Click the link below to accept.", button: "Accept invite"}
)

type templateData struct {
	Project string
	To      string
	Link    string
	Expires string
	Intro   string
	Button  string
}

var textBody = texttemplate.Must(texttemplate.New("text").Parse(`{{.Intro}}

{{.Link}}

This link expires in {{.Expires}} and can be used once. If you did not ask for it, you can ignore this email.
`))

var htmlBody = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;max-width:32rem;margin:2rem auto;color:#222">
<p>{{.Intro}}</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:.6rem 1.2rem;background:#1a1a2e;color:#fff;text-decoration:none;border-radius:4px">{{.Button}}</a></p>
<p style="font-size:.85rem;color:#555">Or paste this link into your browser:<br><a href="{{.Link}}">{{.Link}}</a></p>
<p style="font-size:.85rem;color:#555">This link expires in {{.Expires}} and can be used once. If you did not ask for it, you can ignore this email.</p>
</body></html>
`))

// render fills t for one recipient; brand is the name the email speaks
// for (the project's, or a B2B organization's).
func (t template) render(projectID, brand, to, link string, minutes int) *auth.Message {
	d := templateData{Project: brand, To: to, Link: link, Expires: humanMinutes(minutes)}
	d.Intro = expand(t.intro, d)
	d.Button = t.button
	var text, html bytes.Buffer
	// The templates are constants checked by tests; execution cannot fail
	// on these plain string fields.
	_ = textBody.Execute(&text, d)
	_ = htmlBody.Execute(&html, d)
	return &auth.Message{ProjectID: projectID, To: to, Subject: expand(t.subject, d), Text: text.String(), HTML: html.String()}
}

func expand(s string, d templateData) string {
	var b bytes.Buffer
	_ = texttemplate.Must(texttemplate.New("").Parse(s)).Execute(&b, d)
	return b.String()
}

func humanMinutes(m int) string {
	switch {
	case m%(24*60) == 0:
		return plural(m/(24*60), "day")
	case m%60 == 0:
		return plural(m/60, "hour")
	default:
		return plural(m, "minute")
	}
}

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}
