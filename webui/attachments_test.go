package webui_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/webui"
)

// TestTicketFilesOnThePages uploads a picture on the customer's ticket
// page and on the console's, lists and downloads them with the safe
// headers, and keeps the file of an internal note from the customer's
// people.
func TestTicketFilesOnThePages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tk := "/tickets/" + string(s.a.ticket.ID)
	maint := s.browser(t, s.a.users[customer.RoleMaintainer].token)

	pg := maint.upload(tk+"/attachments", `C:\fakepath\Schaden Süd.png`, pngBytes)
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, tk+"?done=attached", pg.location)
	pg = maint.get(tk + "?done=attached")
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, "The file is attached.")
	assert.Contains(t, pg.body, "Schaden Süd.png")
	assert.Contains(t, pg.body, "image/png")
	assert.Contains(t, pg.body, strconv.Itoa(len(pngBytes))+" bytes")
	assert.Contains(t, pg.body, `enctype="multipart/form-data"`)
	assert.Contains(t, pg.body, s.a.attachment.Name)
	assert.NotContains(t, pg.body, s.a.noteFile.Name, "an internal note's file")

	as, err := s.p.ListTicketAttachments(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID)
	require.NoError(t, err)
	require.Len(t, as, 3)
	uploaded := as[2]
	assert.Contains(t, pg.body, `href="`+tk+`/attachments/`+string(uploaded.ID)+`"`)

	// A viewer downloads it, with the headers that keep it a download.
	viewer := s.browser(t, s.a.users[customer.RoleViewer].token)
	pg = viewer.get(tk + "/attachments/" + string(uploaded.ID))
	require.Equal(t, http.StatusOK, pg.status)
	assert.Equal(t, string(pngBytes), pg.body)
	assert.Equal(t, "image/png", pg.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="Schaden S_d.png"; filename*=UTF-8''Schaden%20S%C3%BCd.png`, pg.header.Get("Content-Disposition"))
	assert.Equal(t, "nosniff", pg.header.Get("X-Content-Type-Options"))
	assert.Equal(t, strconv.Itoa(len(pngBytes)), pg.header.Get("Content-Length"))
	assert.Contains(t, pg.header.Get("Content-Security-Policy"), "sandbox")
	// ... but gets no upload form, and an upload is refused.
	pg = viewer.get(tk)
	assert.Contains(t, pg.body, "Schaden Süd.png")
	assert.NotContains(t, pg.body, `enctype="multipart/form-data"`)
	pg = viewer.upload(tk+"/attachments", "x.png", pngBytes)
	assert.Equal(t, http.StatusForbidden, pg.status)

	// The internal note's file is not there for customer users at all.
	for _, role := range []customer.Role{customer.RoleAdmin, customer.RoleMaintainer, customer.RoleViewer} {
		pg = s.browser(t, s.a.users[role].token).get(tk + "/attachments/" + string(s.a.noteFile.ID))
		assert.Equal(t, http.StatusNotFound, pg.status, role)
		assert.NotContains(t, pg.body, internalNote, role)
	}

	// The service desk sees both, the note's marked, and attaches too.
	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	desk := s.browser(t, key.Token)
	base := "/console/customers/" + string(s.a.c.ID) + "/tickets/" + string(s.a.ticket.ID)
	pg = desk.get(base)
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, "Schaden Süd.png")
	assert.Contains(t, pg.body, s.a.noteFile.Name)
	assert.Contains(t, pg.body, `href="`+base+`/attachments/`+string(s.a.noteFile.ID)+`"`)
	pg = desk.get(base + "/attachments/" + string(s.a.noteFile.ID))
	require.Equal(t, http.StatusOK, pg.status)
	assert.Equal(t, internalNote, pg.body)
	assert.Equal(t, "text/plain; charset=utf-8", pg.header.Get("Content-Type"))
	pg = desk.upload(base+"/attachments", "replacement.pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"))
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, base+"?done=attached", pg.location)
	pg = maint.get(tk)
	assert.Contains(t, pg.body, "replacement.pdf", "the customer sees the desk's file")
	assert.Contains(t, pg.body, "application/pdf")

	// Files go with comments too: the desk's with an internal note stays
	// with staff, the customer's with a reply is everybody's.
	staffView, err := s.p.ListTicketComments(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID, portal.ListTicketCommentsParams{})
	require.NoError(t, err)
	note := staffView.Items[0]
	require.Equal(t, internalNote, note.Body)
	pg = desk.get(base)
	assert.Contains(t, pg.body, `<option value="`+string(note.ID)+`">`, "the desk may attach to its note")
	pg = desk.uploadWith(base+"/attachments", []string{"comment_id", string(note.ID)}, "waybill.pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"))
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = maint.get(tk)
	assert.NotContains(t, pg.body, "waybill.pdf", "a file of an internal note")
	assert.NotContains(t, pg.body, string(note.ID), "nor the note to attach to")
	pg = maint.uploadWith(tk+"/attachments", []string{"comment_id", string(note.ID)}, "sneaky.png", pngBytes)
	assert.Equal(t, http.StatusNotFound, pg.status, "a customer user cannot attach to an internal note")
	pg = maint.post(tk+"/comments", url.Values{"body": {"Here is the label."}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	customerView, err := s.p.ListTicketComments(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID, portal.ListTicketCommentsParams{})
	require.NoError(t, err)
	reply := customerView.Items[len(customerView.Items)-1]
	pg = maint.uploadWith(tk+"/attachments", []string{"comment_id", string(reply.ID)}, "label.png", pngBytes)
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	as, err = s.p.ListTicketAttachments(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID)
	require.NoError(t, err)
	last := as[len(as)-1]
	assert.Equal(t, reply.ID, last.CommentID)
	assert.Equal(t, "label.png", last.Name)
	assert.Contains(t, viewer.get(tk).body, "label.png")

	// A staff member off the service desk may read the ticket but not
	// attach to it.
	owner := portaltest.Owner(t.Context())
	_, err = s.p.InviteStaff(owner, portal.InviteStaffParams{Email: "sue@provider.example", Name: "Sue", Role: identity.StaffAgent})
	require.NoError(t, err)
	mail, ok := s.mail.Last("sue@provider.example")
	require.True(t, ok)
	in, err := s.p.SignInStaffWithLoginLink(t.Context(), mail.Token)
	require.NoError(t, err)
	sue := s.browser(t, in.Token)
	pg = sue.upload(base+"/attachments", "mine.png", pngBytes)
	assert.Equal(t, http.StatusForbidden, pg.status)
	as, err = s.p.ListTicketAttachments(owner, s.a.c.ID, s.a.ticket.ID)
	require.NoError(t, err)
	assert.Len(t, as, 6, "none of hers")

	// Customer B's people reach none of it.
	b := s.browser(t, s.b.users[customer.RoleAdmin].token)
	pg = b.get(tk + "/attachments/" + string(uploaded.ID))
	assert.Equal(t, http.StatusNotFound, pg.status)
	assert.NotContains(t, pg.body, string(pngBytes))
}

// TestTicketFileRefusals shows a refused upload on the page, in the
// page's language, and attaches nothing.
func TestTicketFileRefusals(t *testing.T) {
	t.Parallel()
	s := newSiteWith(t, func(c *portal.Config) { c.FileLimits = filemeta.Limits{MaxBytes: 100} })
	tk := "/tickets/" + string(s.a.ticket.ID)
	maint := s.browser(t, s.a.users[customer.RoleMaintainer].token)
	count := func() int {
		as, err := s.p.ListTicketAttachments(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID)
		require.NoError(t, err)
		return len(as)
	}
	before := count()
	for _, tc := range []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"a type not allowed", "run.png", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), "type application/octet-stream is not allowed"},
		{"too large", "big.txt", []byte(strings.Repeat("a", 101)), "is larger than the limit of 100 bytes"},
		{"no file chosen", "", nil, "choose a file to attach"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg := maint.upload(tk+"/attachments", tc.file, tc.content)
			assert.Equal(t, http.StatusBadRequest, pg.status)
			assert.Contains(t, pg.body, tc.want)
			assert.Contains(t, pg.body, `aria-invalid="true"`)
			assert.Equal(t, before, count(), "nothing is attached")
		})
	}

	// The form says the limit, in German on a German page.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.srv.URL+tk, nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "de")
	req.AddCookie(&http.Cookie{Name: "portalkit_session", Value: s.a.users[customer.RoleMaintainer].token})
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body strings.Builder
	_, err = io.Copy(&body, res.Body)
	require.NoError(t, err)
	assert.Contains(t, body.String(), "Bilder, PDF-, Text- oder CSV-Dateien bis 100 Bytes.")
	assert.Contains(t, body.String(), ">Dateien<")
}

// TestSlowUploadOnThePage: a signed-in person's upload may take longer
// than the server's ReadTimeout and WriteTimeout, which suit forms.
func TestSlowUploadOnThePage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	srv := httptest.NewUnstartedServer(webui.New(s.p))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, err := mw.CreateFormFile("file", "slow.png")
	require.NoError(t, err)
	_, err = w.Write(pngBytes)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	raw := body.Bytes()
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(raw[:len(raw)/2])
		time.Sleep(800 * time.Millisecond) // a slow line
		_, _ = pw.Write(raw[len(raw)/2:])
		_ = pw.Close()
	}()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/tickets/"+string(s.a.ticket.ID)+"/attachments", pr)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: "portalkit_session", Value: s.a.users[customer.RoleMaintainer].token})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	as, err := s.p.ListTicketAttachments(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID)
	require.NoError(t, err)
	assert.Equal(t, "slow.png", as[len(as)-1].Name)
}
