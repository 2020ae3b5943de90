package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestContactsOverTheAPI keeps a contact, gives it portal access, and
// corrects a user's address, which takes effect once confirmed.
func TestContactsOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	admin, owner, anon := e.client(t, ada.Token), e.client(t, e.owner), e.client(t, "")

	c := must(admin.CreateContactWithResponse(ctx, cid, client.ContactRequest{
		Name: "Jane Doe", Email: ptr("jane@acme.example"), JobTitle: ptr("Buyer"),
		Addresses: &[]client.ContactAddress{{Label: ptr("Office"), Address: client.Address{City: ptr("Berlin"), Country: ptr("DE")}}},
	}))(t).JSON201
	require.Len(t, c.Addresses, 1)
	assert.True(t, *c.Addresses[0].Primary, "a single address is primary")
	fails(admin.CreateContactWithResponse(ctx, cid, client.ContactRequest{Name: "Two", Addresses: &[]client.ContactAddress{
		{Primary: ptr(true)}, {Primary: ptr(true)}}}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)

	got := must(admin.GetContactWithResponse(ctx, cid, c.Id))(t)
	up := must(admin.UpdateContactWithResponse(ctx, cid, c.Id, &client.UpdateContactParams{IfMatch: got.HTTPResponse.Header.Get("ETag")},
		client.ContactRequest{Name: "Jane Smith", Email: ptr("jane@acme.example")}))(t).JSON200
	assert.Equal(t, "Jane Smith", up.Name)
	assert.Empty(t, up.Addresses, "a PUT replaces the addresses too")

	acc := must(admin.EnableContactPortalAccessWithResponse(ctx, cid, c.Id, client.ContactAccessRequest{Role: client.RoleViewer}))(t).JSON200
	require.NotNil(t, acc.InvitationId)
	in := must(anon.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: e.lastToken(t, "jane@acme.example"), Name: ptr("Jane")}))(t).JSON201
	linked := must(admin.GetContactWithResponse(ctx, cid, c.Id))(t).JSON200
	require.NotNil(t, linked.UserId)
	assert.Equal(t, in.Membership.UserId, *linked.UserId)

	corr := must(owner.UpdateUserWithResponse(ctx, in.Membership.UserId, client.UpdateUserRequest{Email: ptr("jane@new.example")}))(t).JSON200
	assert.Equal(t, "jane@acme.example", string(corr.User.Email), "until confirmed")
	require.NotNil(t, corr.PendingEmail)
	fails(admin.UpdateUserWithResponse(ctx, in.Membership.UserId, client.UpdateUserRequest{Name: ptr("x")}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	r := must(anon.ConfirmEmailChangeWithResponse(ctx, client.ConfirmEmailChangeRequest{Token: e.lastToken(t, "jane@new.example")}))(t)
	assert.Equal(t, http.StatusNoContent, r.StatusCode())
	me := must(e.client(t, in.Token).GetMeWithResponse(ctx))(t).JSON200
	require.NotNil(t, me.User)
	assert.Equal(t, "jane@new.example", string(me.User.Email))
}
