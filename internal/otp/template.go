package otp

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"

	"github.com/latchauth/latch/internal/auth"
)

var emailHTML = htmltemplate.Must(htmltemplate.New("otp").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;max-width:32rem;margin:2rem auto;color:#222">
<p>Your {{.Project}} verification code is:</p>
<p style="font-size:2rem;letter-spacing:.3rem;font-weight:bold">{{.Code}}</p>
<p style="font-size:.85rem;color:#555">It expires in {{.Minutes}} minute{{if ne .Minutes 1}}s{{end}} and can be used once. If you did not ask for it, you can ignore this email.</p>
</body></html>
`))

// emailMessage is the email that carries a passcode, naming sender (the
// project, or the organization a B2B code logs in to) as its issuer.
func emailMessage(p *auth.Project, sender, to, code string, minutes int) *auth.Message {
	var html bytes.Buffer
	// The template is a constant over plain fields; it cannot fail.
	_ = emailHTML.Execute(&html, struct {
		Project, Code string
		Minutes       int
	}{sender, code, minutes})
	plural := "s"
	if minutes == 1 {
		plural = ""
	}
	return &auth.Message{
		ProjectID: p.ID, To: to,
		Subject: fmt.Sprintf("Your %s verification code is %s", sender, code),
		Text:    fmt.Sprintf("Your %s verification code is %s.\n\nIt expires in %d minute%s and can be used once. If you did not ask for it, you can ignore this email.\n", sender, code, minutes, plural),
		HTML:    html.String(),
	}
}

// textMessage is the SMS or WhatsApp message that carries a passcode:
// short, because an SMS over 160 characters is billed as several, and with
// the code first so that phones can offer to fill it in.
func textMessage(p *auth.Project, ch auth.Channel, to, code string, minutes int) *auth.Message {
	return &auth.Message{
		ProjectID: p.ID, Channel: ch, To: to,
		Text: fmt.Sprintf("%s is your %s verification code. It expires in %d min.", code, p.Name, minutes),
	}
}
