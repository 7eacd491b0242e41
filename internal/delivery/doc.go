// Package delivery sends the email that Latch's flows produce (magic links,
// one-time passcodes, invites) and decides who may receive it.
//
// Three pieces, from the outside in:
//
//   - Mailer is the seam tests fake. SMTPMailer sends through a real SMTP
//     server; DevInbox keeps the message in the database instead, for test
//     projects on a server with no SMTP configured.
//   - Router is the policy: with SMTP configured every project uses it;
//     without, test projects use the dev inbox and live projects are
//     refused. Services call Router.CanDeliver before issuing a token, so a
//     live project without SMTP gets email_settings_not_found rather than a
//     token that can never reach anyone.
//   - Outbox makes delivery durable. Services write the message in the same
//     transaction as the token it carries (Enqueue), try to send it right
//     after commit (Deliver), and the background worker (Run) retries
//     whatever failed, with exponential backoff and leases so that several
//     workers, in one process or many, send each message once.
package delivery
