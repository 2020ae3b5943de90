package portal_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/ticket"
)

// withFiles gives the portal an in-memory file store.
func withFiles(t *testing.T) func(*portal.Config) {
	t.Helper()
	fs, err := filestore.Open(t.Context(), "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { fs.Close() })
	return func(c *portal.Config) { c.Files = fs }
}

func readAttachment(t *testing.T, h helpdesk, ctx context.Context, id ticket.ID, att ticket.AttachmentID) (string, ticket.Attachment, error) {
	t.Helper()
	rc, a, err := h.p.OpenTicketAttachment(ctx, h.c.ID, id, att)
	if err != nil {
		return "", a, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b), a, nil
}

func TestTicketAttachments(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		maint := as(t, h.maintainer)
		tk := h.open(t, maint, portal.OpenTicketParams{})
		onTicket, err := h.p.AttachToTicket(maint, h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "../notes.html"}, strings.NewReader("the screen flickers"))
		require.NoError(t, err)
		assert.Equal(t, "text/plain; charset=utf-8", onTicket.ContentType, "sniffed, not taken from the name")
		assert.Equal(t, ticket.Public, onTicket.Visibility)
		assert.EqualValues(t, len("the screen flickers"), onTicket.Size)
		assert.NotContains(t, onTicket.Name, "/")

		note, err := h.p.AddTicketComment(h.desk, h.c.ID, tk.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "see the log"})
		require.NoError(t, err)
		_, err = h.p.AttachToTicket(maint, h.c.ID, tk.ID, portal.AttachToTicketParams{CommentID: note.ID, Name: "x.txt"}, strings.NewReader("x"))
		assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err), "a customer user never sees an internal note")
		onNote, err := h.p.AttachToTicket(h.desk, h.c.ID, tk.ID, portal.AttachToTicketParams{CommentID: note.ID, Name: "log.txt"}, strings.NewReader("secret log"))
		require.NoError(t, err)
		assert.Equal(t, ticket.Internal, onNote.Visibility)

		staffList, err := h.p.ListTicketAttachments(h.desk, h.c.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, []ticket.Attachment{onTicket, onNote}, staffList)
		userList, err := h.p.ListTicketAttachments(as(t, h.viewer), h.c.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, []ticket.Attachment{onTicket}, userList)

		body, meta, err := readAttachment(t, h, as(t, h.viewer), tk.ID, onTicket.ID)
		require.NoError(t, err)
		assert.Equal(t, "the screen flickers", body)
		assert.Equal(t, onTicket, meta)
		_, _, err = readAttachment(t, h, as(t, h.viewer), tk.ID, onNote.ID)
		assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err), "an internal note's file")
		body, _, err = readAttachment(t, h, h.desk, tk.ID, onNote.ID)
		require.NoError(t, err)
		assert.Equal(t, "secret log", body)

		_, err = h.p.AttachToTicket(maint, h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "run.exe"}, strings.NewReader("MZ\x90\x00\x03\x00\x00\x00\x04\x00"))
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "a type outside the limits")
		_, err = h.p.AttachToTicket(as(t, h.viewer), h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "a.txt"}, strings.NewReader("a"))
		assert.Equal(t, portalerr.PermissionDenied, portalerr.CodeOf(err), "viewers may not comment")
	}, withFiles(t))
}

func TestTicketAttachmentsSiteLimits(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		tk := h.open(t, as(t, h.maintainer), portal.OpenTicketParams{Links: portal.TicketLinksParams{SiteID: h.otherSite.ID}})
		att, err := h.p.AttachToTicket(as(t, h.maintainer), h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "a.txt"}, strings.NewReader("a"))
		require.NoError(t, err)
		site := as(t, h.siteMember)
		_, err = h.p.AttachToTicket(site, h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "a.txt"}, strings.NewReader("a"))
		assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err))
		_, err = h.p.ListTicketAttachments(site, h.c.ID, tk.ID)
		assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err))
		_, _, err = readAttachment(t, h, site, tk.ID, att.ID)
		assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err))
	}, withFiles(t))
}

func TestTicketAttachmentsWithoutFileStore(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		tk := h.open(t, as(t, h.maintainer), portal.OpenTicketParams{})
		_, err := h.p.AttachToTicket(as(t, h.maintainer), h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "a.txt"}, strings.NewReader("a"))
		assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
		_, _, err = h.p.OpenTicketAttachment(as(t, h.maintainer), h.c.ID, tk.ID, "att_1")
		assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
		l, err := h.p.ListTicketAttachments(as(t, h.maintainer), h.c.ID, tk.ID)
		require.NoError(t, err)
		assert.Empty(t, l)
	})
}

// hookFiles is a file store whose Put, once it has stored, runs the
// afterPut hook its context carries, and whose Delete counts on the
// counter its context carries: the backends' subtests run in parallel.
type hookFiles struct{ anyFiles }

type (
	afterPutKey struct{}
	deletedKey  struct{}
)

func (f hookFiles) Put(ctx context.Context, name string, r io.Reader, l filemeta.Limits) (filemeta.File, error) {
	file, err := f.anyFiles.Put(ctx, name, r, l)
	if hook, ok := ctx.Value(afterPutKey{}).(func()); ok {
		hook()
	}
	return file, err
}

func (f hookFiles) Delete(ctx context.Context, _ filemeta.Key) error {
	if n, ok := ctx.Value(deletedKey{}).(*atomic.Int32); ok {
		n.Add(1)
	}
	return nil
}

// TestTicketAttachmentDeletedWhenNotRecorded closes the ticket while the
// file is being stored: the attachment is refused and its file deleted.
func TestTicketAttachmentDeletedWhenNotRecorded(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		tk := h.open(t, as(t, h.maintainer), portal.OpenTicketParams{})
		deleted := &atomic.Int32{}
		ctx := context.WithValue(as(t, h.maintainer), deletedKey{}, deleted)
		ctx = context.WithValue(ctx, afterPutKey{}, func() {
			_, err := h.p.ChangeTicketStatus(h.desk, h.c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusClosed})
			require.NoError(t, err)
		})
		_, err := h.p.AttachToTicket(ctx, h.c.ID, tk.ID, portal.AttachToTicketParams{Name: "a.txt"}, strings.NewReader("a"))
		assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
		assert.EqualValues(t, 1, deleted.Load())
		l, err := h.p.ListTicketAttachments(h.desk, h.c.ID, tk.ID)
		require.NoError(t, err)
		assert.Empty(t, l)
	}, func(c *portal.Config) { c.Files = hookFiles{} })
}

// FileLimits fills in the defaults an HTTP layer bounds uploads by.
func TestFileLimits(t *testing.T) {
	t.Parallel()
	p := portaltest.New(t, &portaltest.Clock{})
	assert.Equal(t, filemeta.Limits{MaxBytes: filemeta.DefaultMaxBytes, Types: filemeta.DefaultTypes()}, p.FileLimits())
	assert.False(t, p.HasFiles())
	p = portaltest.New(t, &portaltest.Clock{}, withFiles(t), func(c *portal.Config) {
		c.FileLimits = filemeta.Limits{MaxBytes: 1234, Types: []string{"image/png"}}
	})
	assert.Equal(t, filemeta.Limits{MaxBytes: 1234, Types: []string{"image/png"}}, p.FileLimits())
	assert.True(t, p.HasFiles())
}
