package httpapi_test

import (
	"net/http"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestPasswordReset walks a customer user's and a staff member's forgotten
// password over HTTP: the request answers 202 alike for unknown addresses,
// a weak password is 400 and leaves the link, the reset ends the person's
// sessions, the new password signs in, and the link works once.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	anon := e.client(t, "")
	_, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)

	for _, email := range []string{"ada@acme.example", "nobody@acme.example"} {
		r := must(anon.RequestPasswordResetWithResponse(ctx, client.RequestLoginLinkRequest{Email: openapi_types.Email(email)}))(t)
		assert.Equal(t, http.StatusAccepted, r.StatusCode())
	}
	_, ok := e.notes.Last("nobody@acme.example")
	assert.False(t, ok, "nothing is sent to an unknown address")
	n, ok := e.notes.Last("ada@acme.example")
	require.True(t, ok)
	assert.Contains(t, n.Link, "/reset-password?token=ppr_")

	fails(anon.ResetPasswordWithResponse(ctx, client.ResetPasswordRequest{Token: n.Token, NewPassword: "password1"}))(t,
		http.StatusBadRequest, client.ProblemCodeInvalid)
	must(e.client(t, ada.Token).GetMeWithResponse(ctx))(t)
	r := must(anon.ResetPasswordWithResponse(ctx, client.ResetPasswordRequest{Token: n.Token, NewPassword: "correct horse battery staple"}))(t)
	assert.Equal(t, http.StatusNoContent, r.StatusCode())
	fails(e.client(t, ada.Token).GetMeWithResponse(ctx))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	must(anon.SignInWithPasswordWithResponse(ctx, client.PasswordSignInRequest{Email: "ada@acme.example", Password: "correct horse battery staple"}))(t)
	fails(anon.ResetPasswordWithResponse(ctx, client.ResetPasswordRequest{Token: n.Token, NewPassword: "another long phrase"}))(t,
		http.StatusUnauthorized, client.ProblemCodeUnauthenticated)

	// A staff member, signed in through its invitation.
	must(owner.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{Email: "grace@provider.example", Name: "Grace", Role: client.StaffRoleAdmin}))(t)
	in := must(anon.SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: e.lastToken(t, "grace@provider.example")}))(t).JSON201
	r2 := must(anon.RequestStaffPasswordResetWithResponse(ctx, client.RequestLoginLinkRequest{Email: "grace@provider.example"}))(t)
	assert.Equal(t, http.StatusAccepted, r2.StatusCode())
	n, ok = e.notes.Last("grace@provider.example")
	require.True(t, ok)
	assert.Contains(t, n.Link, "/console/reset-password?token=ppr_")
	must(anon.ResetPasswordWithResponse(ctx, client.ResetPasswordRequest{Token: n.Token, NewPassword: "correct horse battery staple"}))(t)
	fails(e.client(t, in.Token).GetMeWithResponse(ctx))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	must(anon.SignInStaffWithPasswordWithResponse(ctx, client.StaffPasswordSignInRequest{Email: "grace@provider.example", Password: "correct horse battery staple"}))(t)
}
