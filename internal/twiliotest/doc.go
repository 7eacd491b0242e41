// Package twiliotest runs a local stand-in for Twilio's Messages API, for
// tests of code that sends SMS and WhatsApp messages through
// delivery.TwilioSender.
//
// The stand-in answers POST /2010-04-01/Accounts/{AccountSid}/Messages.json
// and checks what Twilio checks before it accepts a message: the HTTP Basic
// credentials, the account in the path, a To that is a valid E.164 number,
// a From or MessagingServiceSid, matching channels ("whatsapp:" on both
// sides or neither) and a body of 1 to 1,600 characters. Refusals carry
// Twilio's status, error code and JSON shape, so the client's error
// handling is exercised as it would be in production. Accepted messages
// are answered with a Twilio-shaped message resource and recorded for the
// test to read (Messages, WaitForMessage). FailNext makes the next
// requests fail with a 5xx or 429, to test retries.
//
// It is a fake of the outside world, not of Latch: it sends nothing, and
// listens on 127.0.0.1 only, on a port chosen at start, one server per
// test.
package twiliotest
