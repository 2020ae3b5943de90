package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestRequestAccessAnswersAlike: the public request answers byte for byte
// the same whether or not the address has an account, and mails both a
// confirmation link. (The use case never looks the address up, so the
// work is the same too; no timing is asserted.)
func TestRequestAccessAnswersAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	require.NotEmpty(t, ada.Token)
	send := func(email string) (*http.Response, []byte) {
		return e.do(t, http.MethodPost, "/v1/access-requests", "",
			strings.NewReader(`{"company_name":"Acme GmbH","name":"Ada","email":"`+email+`","language":"en"}`), nil)
	}
	known, knownBody := send("ada@acme.example")
	unknown, unknownBody := send("nobody@acme.example")
	assert.Equal(t, http.StatusAccepted, known.StatusCode, "body: %s", knownBody)
	assert.Equal(t, known.StatusCode, unknown.StatusCode)
	assert.Equal(t, knownBody, unknownBody)
	for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
		assert.Equal(t, known.Header.Get(h), unknown.Header.Get(h), h)
	}
	for _, to := range []string{"ada@acme.example", "nobody@acme.example"} {
		n, ok := e.notes.Last(to)
		require.True(t, ok, "a confirmation to %s", to)
		assert.Contains(t, n.Link, "/request-access/confirm?token=")
	}
}

// TestAccessRequestOverTheAPI walks a request from the public operation to
// a rejection, through the generated client.
func TestAccessRequestOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	anon, owner := e.client(t, ""), e.client(t, e.owner)
	r := must(anon.RequestAccessWithResponse(ctx, client.RequestAccessRequest{
		CompanyName: "Initech GmbH", Name: "Peter", Email: openapi_types.Email("peter@initech.example"), Language: ptr(client.MailLocaleDe),
	}))(t)
	assert.Equal(t, http.StatusAccepted, r.StatusCode())
	list := must(owner.ListAccessRequestsWithResponse(ctx, nil))(t).JSON200
	require.Len(t, list.Items, 1)
	assert.Equal(t, client.AccessRequestStatusUnconfirmed, list.Items[0].Status)
	assert.Equal(t, 1, list.Counts.Unconfirmed)

	fails(anon.ConfirmAccessRequestWithResponse(ctx, client.ConfirmAccessRequestRequest{Token: "par_nothing"}))(t, http.StatusNotFound, client.ProblemCodeNotFound)
	c := must(anon.ConfirmAccessRequestWithResponse(ctx, client.ConfirmAccessRequestRequest{Token: e.lastToken(t, "peter@initech.example")}))(t)
	assert.Equal(t, http.StatusNoContent, c.StatusCode())

	id := list.Items[0].Id
	got := must(owner.GetAccessRequestWithResponse(ctx, id))(t).JSON200
	assert.Equal(t, client.AccessRequestStatusPending, got.Status)
	require.NotNil(t, got.Matches)

	rej := must(owner.RejectAccessRequestWithResponse(ctx, id, client.RejectAccessRequestRequest{Message: "Nur Österreich."}))(t)
	require.Equal(t, http.StatusOK, rej.StatusCode(), "body: %s", rej.Body)
	require.NotNil(t, rej.JSON200.Request.Decision)
	assert.Equal(t, "Nur Österreich.", rej.JSON200.Request.Decision.Message)
	n, ok := e.notes.Last("peter@initech.example")
	require.True(t, ok)
	assert.Contains(t, n.Text, "Nur Österreich.")
	assert.Contains(t, n.Subject, "Zugangsanfrage")

	conflict := fails(owner.RejectAccessRequestWithResponse(ctx, id, client.RejectAccessRequestRequest{Message: "Again"}))(t, http.StatusConflict, client.ProblemCodeConflict)
	assert.Contains(t, conflict.Error(), "rejected by api_key:", "names the first decider")
}
