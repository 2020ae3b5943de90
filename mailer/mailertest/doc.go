// Package mailertest owns the test double for package mailer: a Recorder
// that keeps the messages it is asked to send, so tests can look at them
// instead of running a mail server.
package mailertest
