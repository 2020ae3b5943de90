// Package mailer owns outgoing e-mail: the Mailer interface and its Message,
// and the SMTP and logging implementations.
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
// Tests use mailertest.Recorder instead of a real server.
package mailer
