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

// TestStaffLifecycle invites a staff member over the API, signs it in with
// the mailed link and a password, changes it with If-Match and disables it.
func TestStaffLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	anon := e.client(t, "")

	inv := must(owner.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{
		Email: "Grace@Provider.example", Name: "Grace", Role: client.StaffRoleAdmin,
	}))(t)
	assert.Equal(t, `"1"`, inv.HTTPResponse.Header.Get("ETag"))
	grace := inv.JSON201
	assert.Equal(t, openapi_types.Email("grace@provider.example"), grace.Email)
	assert.Equal(t, client.StaffStatusInvited, grace.Status)
	fails(owner.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{
		Email: "grace@provider.example", Name: "Again", Role: client.StaffRoleAgent,
	}))(t, http.StatusConflict, client.ProblemCodeAlreadyExists)

	n, ok := e.notes.Last("grace@provider.example")
	require.True(t, ok)
	assert.Contains(t, n.Link, "/console/accept?token=psi_")
	in := must(anon.SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: n.Token}))(t)
	assert.Equal(t, "no-store", in.HTTPResponse.Header.Get("Cache-Control"))
	assert.Equal(t, grace.Id, in.JSON201.Session.StaffId)
	assert.Equal(t, client.StaffStatusActive, in.JSON201.Staff.Status)

	sess := e.client(t, in.JSON201.Token)
	me := must(sess.GetMeWithResponse(ctx))(t).JSON200
	assert.Equal(t, client.PrincipalKindStaff, me.Principal.Kind)
	assert.Equal(t, grace.Id, me.Principal.Id)
	require.NotNil(t, me.Principal.StaffRole)
	assert.Equal(t, client.StaffRoleAdmin, *me.Principal.StaffRole)
	require.NotNil(t, me.Staff)
	assert.Equal(t, "Grace", me.Staff.Name)
	assert.Contains(t, me.Permissions, client.ActionStaffManage)
	assert.Nil(t, me.User)

	// A staff session works the staff operations like an API key of its role.
	agent := must(sess.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{
		Email: "alan@provider.example", Name: "Alan", Role: client.StaffRoleAgent,
	}))(t).JSON201
	assert.Equal(t, "staff:"+grace.Id, agent.InvitedBy)
	fails(sess.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{
		Email: "olga@provider.example", Name: "Olga", Role: client.StaffRoleOwner,
	}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	_ = must(sess.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme GmbH"}))(t)

	list := must(sess.ListStaffWithResponse(ctx, &client.ListStaffParams{Role: ptr(client.StaffRoleAgent)}))(t).JSON200
	require.Len(t, list.Items, 1)
	assert.Equal(t, agent.Id, list.Items[0].Id)

	// Updates take If-Match.
	got := must(owner.GetStaffWithResponse(ctx, agent.Id))(t)
	etag := got.HTTPResponse.Header.Get("ETag")
	up := must(owner.UpdateStaffWithResponse(ctx, agent.Id, &client.UpdateStaffParams{IfMatch: etag},
		client.UpdateStaffRequest{Name: ptr("Alan Turing")}))(t)
	assert.Equal(t, "Alan Turing", up.JSON200.Name)
	assert.NotEqual(t, etag, up.HTTPResponse.Header.Get("ETag"))
	fails(owner.UpdateStaffWithResponse(ctx, agent.Id, &client.UpdateStaffParams{IfMatch: etag},
		client.UpdateStaffRequest{Name: ptr("Stale")}))(t, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	res, body := e.do(t, http.MethodPatch, "/v1/staff/"+agent.Id, e.owner, strings.NewReader(`{"name":"No If-Match"}`), nil)
	problem(t, res, body, http.StatusPreconditionRequired, client.ProblemCodeInvalid)

	// A password, set while signed in, signs in too.
	must(sess.SetPasswordWithResponse(ctx, client.SetPasswordRequest{NewPassword: "correct horse battery staple"}))(t)
	pw := must(anon.SignInStaffWithPasswordWithResponse(ctx, client.StaffPasswordSignInRequest{
		Email: "grace@provider.example", Password: "correct horse battery staple",
	}))(t).JSON201
	assert.Equal(t, client.SignInMethodPassword, pw.Session.Method)
	fails(anon.SignInStaffWithPasswordWithResponse(ctx, client.StaffPasswordSignInRequest{
		Email: "grace@provider.example", Password: "wrong horse battery staple",
	}))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)

	// Asking for a link answers alike for known and unknown addresses.
	for _, email := range []string{"grace@provider.example", "nobody@provider.example"} {
		r := must(anon.RequestStaffLoginLinkWithResponse(ctx, client.RequestLoginLinkRequest{Email: openapi_types.Email(email)}))(t)
		assert.Equal(t, http.StatusAccepted, r.StatusCode())
	}
	n, ok = e.notes.Last("grace@provider.example")
	require.True(t, ok)
	assert.Contains(t, n.Link, "/console/login?token=psl_")
	_, ok = e.notes.Last("nobody@provider.example")
	assert.False(t, ok)

	// Logging out ends one session; disabling ends them all.
	must(e.client(t, pw.Token).LogoutWithResponse(ctx))(t)
	fails(e.client(t, pw.Token).GetMeWithResponse(ctx))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	must(owner.DisableStaffWithResponse(ctx, grace.Id))(t)
	fails(sess.GetMeWithResponse(ctx))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	fails(owner.DisableStaffWithResponse(ctx, grace.Id))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)
	must(owner.EnableStaffWithResponse(ctx, grace.Id))(t)
}
