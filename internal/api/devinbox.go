package api

import (
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// The dev inbox is an operator tool, not a Stytch endpoint: it shows the
// email and text messages test projects would have sent, so a developer
// can click a magic link or read a passcode without an SMTP server or an
// SMS provider. It is off when both are configured, or with
// LATCH_DEV_INBOX=false.

type devMessageJSON struct {
	ID        string `json:"id"`
	ProjectID string `json:"project_id"`
	Channel   string `json:"channel"` // email, sms or whatsapp
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	CreatedAt string `json:"created_at"`
}

type devInboxMessagesResponse struct {
	Messages []devMessageJSON `json:"messages"`
}

func (h *handler) devMessages(r *http.Request) ([]auth.DevMessage, error) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, auth.ErrInvalidArgument.WithMessage("limit must be between 1 and 1000.")
		}
		limit = n
	}
	to := q.Get("to")
	if rest, ok := strings.CutPrefix(to, " "); ok {
		// An unescaped "+" in a query string reads as a space, and
		// ?to=+12025550162 is what everyone types for a phone number.
		to = "+" + rest
	}
	return h.DevInbox.List(r.Context(), store.DevMessageFilter{
		ProjectID: q.Get("project_id"), To: strings.ToLower(to), Limit: limit,
	})
}

// devInboxMessages lists kept messages as JSON, newest first, optionally
// filtered by ?to=, ?project_id= and ?limit=.
func (h *handler) devInboxMessages(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.devMessages(r)
	if err != nil {
		return err
	}
	out := devInboxMessagesResponse{Messages: make([]devMessageJSON, 0, len(ms))}
	for _, m := range ms {
		out.Messages = append(out.Messages, devMessageJSON{
			ID: m.ID, ProjectID: m.ProjectID, Channel: string(m.Channel), To: m.To, Subject: m.Subject,
			Text: m.Text, HTML: m.HTML, CreatedAt: timestamp(m.CreatedAt),
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

type devInboxPageMessage struct {
	auth.DevMessage
	Links []string
}

var devInboxPage = template.Must(template.New("inbox").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latch dev inbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
article{border:1px solid #ddd;border-radius:6px;padding:1rem;margin:1rem 0}
h2{font-size:1.05rem;margin:0 0 .3rem} .meta{color:#666;font-size:.85rem}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem;border-radius:4px}
a.link{display:block;word-break:break-all;margin:.3rem 0}
</style></head><body>
<h1>Dev inbox</h1>
<p class="meta">Email and text messages Latch kept for test projects instead of sending, newest first. <a href="/dev/inbox/messages">JSON</a></p>
{{range .}}<article>
<h2>{{if .Subject}}{{.Subject}}{{else}}{{.Channel}} message{{end}}</h2>
<div class="meta">{{.Channel}} to {{.To}} · {{.ProjectID}} · {{.CreatedAt.UTC.Format "2006-01-02 15:04:05 MST"}}</div>
{{range .Links}}<a class="link" href="{{.}}">{{.}}</a>{{end}}
<pre>{{.Text}}</pre>
</article>{{else}}<p>No messages yet. Send a magic link or a passcode from a test project and reload.</p>{{end}}
</body></html>
`))

// devInboxPage renders kept messages with their links clickable.
func (h *handler) devInboxPage(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.devMessages(r)
	if err != nil {
		return err
	}
	page := make([]devInboxPageMessage, 0, len(ms))
	for _, m := range ms {
		page = append(page, devInboxPageMessage{DevMessage: m, Links: linkRE.FindAllString(m.Text, -1)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return devInboxPage.Execute(w, page)
}
