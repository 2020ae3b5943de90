package mailertest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/mailer/mailertest"
	"github.com/portalkit/portalkit/portalerr"
)

func message(i int) mailer.Message {
	return mailer.Message{
		From:    "portal@acme.example",
		To:      []string{fmt.Sprintf("user%d@example.com", i)},
		Subject: fmt.Sprintf("message %d", i),
		Text:    "hello",
	}
}

func TestRecorder(t *testing.T) {
	var r mailertest.Recorder
	assert.Empty(t, r.Messages())
	assert.Equal(t, mailer.Message{}, r.LastMessage())

	require.NoError(t, r.Send(t.Context(), message(1)))
	require.NoError(t, r.Send(t.Context(), message(2)))

	assert.Equal(t, 2, r.TotalSent())
	assert.Equal(t, "message 2", r.LastMessage().Subject)
	msgs := r.Messages()
	require.Len(t, msgs, 2)
	assert.Equal(t, "message 1", msgs[0].Subject)

	r.Reset()
	assert.Zero(t, r.TotalSent())
}

func TestRecorderKeepsACopy(t *testing.T) {
	var r mailertest.Recorder
	msg := message(1)
	msg.Headers = map[string]string{"X-Kind": "a"}
	require.NoError(t, r.Send(t.Context(), msg))

	msg.To[0] = "changed@example.com"
	msg.Headers["X-Kind"] = "changed"

	assert.Equal(t, "user1@example.com", r.LastMessage().To[0])
	assert.Equal(t, "a", r.LastMessage().Headers["X-Kind"])
}

func TestRecorderRefuses(t *testing.T) {
	boom := &mailer.SendError{Permanent: true, Code: 550, Err: errors.New("no such user")}
	r := mailertest.Recorder{Err: func(m mailer.Message) error {
		if m.To[0] == "user2@example.com" {
			return boom
		}
		return nil
	}}

	assert.NoError(t, r.Send(t.Context(), message(1)))
	assert.ErrorIs(t, r.Send(t.Context(), message(2)), boom)
	invalid := message(3)
	invalid.Subject = ""
	assert.ErrorIs(t, r.Send(t.Context(), invalid), portalerr.ErrInvalid)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, r.Send(ctx, message(4)), context.Canceled)

	assert.Equal(t, 1, r.TotalSent())
}

func TestRecorderConcurrent(t *testing.T) {
	var r mailertest.Recorder
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			assert.NoError(t, r.Send(t.Context(), message(i)))
			_ = r.LastMessage()
			_ = r.Messages()
		})
	}
	wg.Wait()
	assert.Equal(t, 50, r.TotalSent())
}
