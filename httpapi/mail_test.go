package httpapi_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
)

// bounce refuses mail to bounce… addresses for good, as a mail server's
// 550 would; set it as a Recorder's Err.
func bounce(m mailer.Message) error {
	if strings.HasPrefix(m.To[0], "bounce") {
		return &mailer.SendError{Permanent: true, Code: 550, Err: errors.New("5.1.1 no such mailbox")}
	}
	return nil
}

// bounced invites email, a bounce… address, into cid as staff, lets the
// outbox try it, and returns the failed message. The env's Recorder must
// bounce.
func (e *env) bounced(t *testing.T, cid customer.ID, email string) outbox.ID {
	t.Helper()
	_, err := e.p.Invite(portaltest.Owner(t.Context()), cid, portal.InviteParams{Email: email, Role: customer.RoleViewer})
	require.NoError(t, err)
	e.notes.Deliver()
	l, err := e.p.ListMail(portaltest.Owner(t.Context()), portal.ListMailParams{Status: outbox.Failed, CustomerID: cid, Limit: storage.MaxLimit})
	require.NoError(t, err)
	for _, m := range l.Items {
		if m.Recipient == email {
			return m.ID
		}
	}
	require.Failf(t, "no failed mail", "to %s", email)
	return ""
}

// TestMailOutboxOverHTTP follows a message that bounced: staff find it
// among the failed ones, see why, and retry it once the address works.
func TestMailOutboxOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fixed := false
	e.notes.Err = func(m mailer.Message) error {
		if fixed {
			return nil
		}
		return bounce(m)
	}
	owner := e.client(t, e.owner)
	ctx := t.Context()
	acme := createCustomer(t, owner, "Acme GmbH")
	globex := createCustomer(t, owner, "Globex")
	id := e.bounced(t, customer.ID(acme.Id), "bounce@acme.example")
	must(owner.InviteWithResponse(ctx, globex.Id, nil, client.InviteRequest{Email: "ada@globex.example", Role: client.RoleAdmin}))(t)
	e.notes.Deliver()

	failed := must(owner.ListMailMessagesWithResponse(ctx, &client.ListMailMessagesParams{Status: ptr(client.MailMessageStatusFailed)}))(t).JSON200
	require.Len(t, failed.Items, 1, "the failed message, and only it")
	m := failed.Items[0]
	assert.Equal(t, string(id), m.Id)
	assert.Equal(t, client.MailKindInvitation, m.Kind)
	assert.Equal(t, openapi_types.Email("bounce@acme.example"), m.Recipient)
	assert.Equal(t, acme.Id, *m.CustomerId)
	assert.Equal(t, 1, m.Attempts)
	require.NotNil(t, m.LastError)
	assert.Contains(t, *m.LastError, "550")
	assert.Nil(t, m.NextAttemptAt, "a failed message is not due")
	assert.Nil(t, m.SentAt)

	all := must(owner.ListMailMessagesWithResponse(ctx, nil))(t)
	assert.NotContains(t, string(all.Body), "pi_", "no token ever leaves in a list")
	sent := must(owner.ListMailMessagesWithResponse(ctx, &client.ListMailMessagesParams{
		Status: ptr(client.MailMessageStatusSent), CustomerId: &globex.Id,
	}))(t).JSON200
	require.Len(t, sent.Items, 1)
	assert.Equal(t, openapi_types.Email("ada@globex.example"), sent.Items[0].Recipient)
	assert.NotNil(t, sent.Items[0].SentAt)

	res, body := e.do(t, http.MethodGet, "/v1/mail/messages?status=lost", e.owner, nil, nil)
	problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)

	fixed = true
	retried := must(owner.RetryMailMessageWithResponse(ctx, string(id)))(t).JSON200
	assert.Equal(t, client.MailMessageStatusPending, retried.Status)
	assert.Zero(t, retried.Attempts)
	assert.NotNil(t, retried.NextAttemptAt)
	r, err := owner.RetryMailMessageWithResponse(ctx, string(id))
	fails(r, err)(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)
	r, err = owner.RetryMailMessageWithResponse(ctx, "out_ghost")
	fails(r, err)(t, http.StatusNotFound, client.ProblemCodeNotFound)

	// The worker sends it now, and the link in it works.
	token := e.lastToken(t, "bounce@acme.example")
	must(e.client(t, "").AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: token, Name: ptr("Bo")}))(t)
	none := must(owner.ListMailMessagesWithResponse(ctx, &client.ListMailMessagesParams{Status: ptr(client.MailMessageStatusFailed)}))(t).JSON200
	assert.Empty(t, none.Items)
}

func TestMailTemplatesOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	acme := createCustomer(t, owner, "Acme GmbH")

	r, err := owner.GetMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe)
	fails(r, err)(t, http.StatusNotFound, client.ProblemCodeNotFound)

	// A broken override is refused, naming the part, and nothing is saved.
	for _, tc := range []struct {
		body  client.MailTemplateRequest
		field string
	}{
		{client.MailTemplateRequest{Text: ptr("Hier entlang: {{.Link")}, "text"},
		{client.MailTemplateRequest{Html: ptr("<p>Willkommen!</p>")}, "html"},
		{client.MailTemplateRequest{Subject: ptr("{{.Nope}}")}, "subject"},
		{client.MailTemplateRequest{}, "text"},
	} {
		r, err := owner.PutMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe, tc.body)
		p := fails(r, err)(t, http.StatusBadRequest, client.ProblemCodeInvalid)
		var named []string
		for _, f := range p.Fields {
			named = append(named, f.Field)
		}
		assert.Contains(t, named, tc.field, "%s", r.Body)
	}
	res, body := e.do(t, http.MethodPut, "/v1/customers/"+acme.Id+"/mail-templates/newsletter/de", e.owner,
		strings.NewReader(`{"subject":"Hi"}`), nil)
	problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
	res, body = e.do(t, http.MethodPut, "/v1/customers/"+acme.Id+"/mail-templates/invitation/de", e.owner,
		strings.NewReader(`{"subject":"Hi","footer":"x"}`), nil)
	problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
	list := must(owner.ListMailTemplatesWithResponse(ctx, acme.Id))(t).JSON200
	assert.Empty(t, list.Items, "nothing was saved")

	// Preview, then save.
	draft := client.MailTemplateRequest{Subject: ptr("Willkommen bei {{.CustomerName}}"), Text: ptr("Bitte hier entlang: {{.Link}}")}
	preview := must(owner.PreviewMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe, draft))(t).JSON200
	assert.Equal(t, "Willkommen bei Acme GmbH", preview.Subject)
	assert.Contains(t, preview.Text, "Bitte hier entlang: "+portaltest.PublicURL+"/accept?token=")
	assert.Contains(t, preview.Html, "Einladung annehmen", "the German default HTML part")
	list = must(owner.ListMailTemplatesWithResponse(ctx, acme.Id))(t).JSON200
	assert.Empty(t, list.Items, "a preview saves nothing")

	saved := must(owner.PutMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe, draft))(t).JSON200
	assert.Equal(t, acme.Id, saved.CustomerId)
	assert.Equal(t, client.MailKindInvitation, saved.Kind)
	assert.Equal(t, client.MailLocaleDe, saved.Locale)
	assert.Equal(t, draft.Subject, saved.Subject)
	assert.Equal(t, draft.Text, saved.Text)
	assert.Nil(t, saved.Html, "the default HTML part stays")
	assert.True(t, strings.HasPrefix(saved.UpdatedBy, "api_key:"), saved.UpdatedBy)
	got := must(owner.GetMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe))(t).JSON200
	assert.Equal(t, saved, got)
	list = must(owner.ListMailTemplatesWithResponse(ctx, acme.Id))(t).JSON200
	assert.Equal(t, []client.MailTemplate{*saved}, list.Items)

	must(owner.DeleteMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe))(t)
	r2, err := owner.DeleteMailTemplateWithResponse(ctx, acme.Id, client.MailKindInvitation, client.MailLocaleDe)
	fails(r2, err)(t, http.StatusNotFound, client.ProblemCodeNotFound)
}

// A template override is looked at only for a caller allowed to send it:
// anyone else gets 401 or 403 whatever the override, and the server
// renders nothing for them.
func TestMailTemplateOverridesAfterAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acme := createCustomer(t, e.client(t, e.owner), "Acme GmbH")
	base := "/v1/customers/" + acme.Id + "/mail-templates/invitation/en"
	for _, body := range []string{
		`{"text":"{{"}`,
		`{"html":"{{.Link}}{{range 3000000}}xxxxxxxxxx{{end}}"}`,
	} {
		res, b := e.do(t, http.MethodPost, base+"/preview", "", strings.NewReader(body), nil)
		problem(t, res, b, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
		res, b = e.do(t, http.MethodPut, base, "", strings.NewReader(body), nil)
		problem(t, res, b, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)

		// The owner is told what is wrong.
		res, b = e.do(t, http.MethodPost, base+"/preview", e.owner, strings.NewReader(body), nil)
		p := problem(t, res, b, http.StatusBadRequest, client.ProblemCodeInvalid)
		require.NotNil(t, p.Fields, "%s", b)
		assert.Len(t, *p.Fields, 1, "%s", b)
	}
}
