package mailertest

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/portalkit/portalkit/mailer"
)

// Recorder is a mailer.Mailer that records the messages it is given. The
// zero value is ready to use, and a Recorder is safe for concurrent use.
type Recorder struct {
	// Err, if set, is called for every message; a non-nil result is
	// returned from Send and the message is not recorded. Tests use it to
	// simulate failures, such as a permanent &mailer.SendError{Permanent: true}.
	Err func(mailer.Message) error

	mu   sync.Mutex
	msgs []mailer.Message
}

var _ mailer.Mailer = (*Recorder)(nil)

// Send records msg. Like a real Mailer it refuses an invalid msg with a
// portalerr Invalid error, so tests catch messages a server would refuse.
func (r *Recorder) Send(ctx context.Context, msg mailer.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.Err != nil {
		if err := r.Err(msg); err != nil {
			return err
		}
	}
	// The caller may reuse its slices and maps.
	msg.To = slices.Clone(msg.To)
	msg.Headers = maps.Clone(msg.Headers)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msg)
	return nil
}

// Messages returns the recorded messages, oldest first.
func (r *Recorder) Messages() []mailer.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// LastMessage returns the most recently recorded message, or the zero
// Message when there is none.
func (r *Recorder) LastMessage() mailer.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) == 0 {
		return mailer.Message{}
	}
	return r.msgs[len(r.msgs)-1]
}

// TotalSent returns how many messages were recorded.
func (r *Recorder) TotalSent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// Reset forgets the recorded messages.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = nil
}
