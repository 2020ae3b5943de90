// Package mailer owns outgoing e-mail: the Mailer interface and its Message,
// the SMTP and logging implementations, and the branded, localised templates
// that turn a notification into a subject, a text part and an HTML part.
//
// A Mailer delivers one Message per Send. SMTP delivery errors are classified
// so that a caller retrying from an outbox can tell a message that will never
// be accepted (IsPermanent) from one worth trying again:
//
//	err := m.Send(ctx, msg)
//	switch {
//	case err == nil:
//		// delivered to the SMTP server
//	case mailer.IsPermanent(err):
//		// give up: the server refused the message or the message is invalid
//	default:
//		// retry later: network trouble, a timeout or a 4xx reply
//	}
//
// Templates render a Kind of message in a locale with provider Branding,
// optionally with an Override of the subject or either body:
//
//	t, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: b})
//	c, err := t.Render(mailer.KindInvitation, "de", data, mailer.Override{})
//	msg := mailer.Message{From: from, To: []string{to}, Subject: c.Subject, Text: c.Text, HTML: c.HTML}
//
// Tests use mailertest.Recorder instead of a real server.
package mailer
