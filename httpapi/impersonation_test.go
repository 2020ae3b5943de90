package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestImpersonationOverHTTP has a staff admin, signed in with its own
// session, act as a customer's admin: read-only by default, with writes
// when asked, each change recorded as both people; the customer's admin
// sees it and forbids it, which ends the one under way.
func TestImpersonationOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	anon := e.client(t, "")
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	adaC := e.client(t, ada.Token)
	must(owner.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{Email: "sam@provider.example", Name: "Sam", Role: client.StaffRoleAdmin}))(t)
	sam := must(anon.SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: e.lastToken(t, "sam@provider.example")}))(t).JSON201
	samC := e.client(t, sam.Token)

	fails(owner.StartImpersonationWithResponse(ctx, cid, client.StartImpersonationRequest{MembershipId: ada.Membership.Id, Reason: "x"}))(t,
		http.StatusForbidden, client.ProblemCodePermissionDenied)
	ro := must(samC.StartImpersonationWithResponse(ctx, cid, client.StartImpersonationRequest{MembershipId: ada.Membership.Id, Reason: "T-42"}))(t)
	assert.Equal(t, "no-store", ro.HTTPResponse.Header.Get("Cache-Control"))
	roC := e.client(t, ro.JSON201.Token)
	meRes := must(roC.GetMeWithResponse(ctx))(t)
	me := meRes.JSON200
	require.NotNil(t, me.Principal.Impersonator)
	assert.Equal(t, sam.Staff.Id, *me.Principal.Impersonator)
	require.NotNil(t, me.Impersonator, "who stands behind it, by name")
	assert.Equal(t, "Sam", me.Impersonator.Name)
	assert.Equal(t, "sam@provider.example", string(me.Impersonator.Email))
	assert.Nil(t, must(adaC.GetMeWithResponse(ctx))(t).JSON200.Impersonator)

	// Every request of it is recorded, reads and refused ones too, as
	// both people, with the route and the request's ID; the customer's
	// admin and staff see them.
	fails(roC.GetCustomerWithResponse(ctx, "cus_not-there"))(t, http.StatusNotFound, client.ProblemCodeNotFound)
	reqs := must(adaC.ListCustomerAuditEventsWithResponse(ctx, cid, &client.ListCustomerAuditEventsParams{
		Action: ptr("impersonation.request")}))(t).JSON200
	require.Len(t, reqs.Items, 2, "GET /v1/me and the refused read")
	read := reqs.Items[1]
	assert.Equal(t, "user:"+ada.User.Id, read.Actor)
	require.NotNil(t, read.Impersonator)
	assert.Equal(t, "staff:"+sam.Staff.Id, *read.Impersonator)
	assert.Equal(t, ro.JSON201.Impersonation.Id, read.Target)
	require.NotNil(t, read.RequestId)
	assert.Equal(t, meRes.HTTPResponse.Header.Get("X-Request-ID"), *read.RequestId)
	assert.Equal(t, []client.AuditChange{{Field: "method", After: "GET"}, {Field: "route", After: "GET /v1/me"}, {Field: "path", After: "/v1/me"}},
		read.Changes)
	require.Len(t, reqs.Items[0].Changes, 3)
	assert.Equal(t, "GET /v1/customers/{customerId}", reqs.Items[0].Changes[1].After)
	byStaff := must(owner.ListAuditEventsWithResponse(ctx, &client.ListAuditEventsParams{
		Actor: ptr("staff:" + sam.Staff.Id), Action: ptr("impersonation.request")}))(t).JSON200
	assert.Len(t, byStaff.Items, 2, "staff find them by the staff member")
	assert.Equal(t, client.SignInMethodImpersonation, *me.Principal.Method)
	assert.True(t, me.Principal.ReadOnly)
	fails(roC.InviteWithResponse(ctx, cid, nil, client.InviteRequest{Email: "x@acme.example", Role: client.RoleViewer}))(t,
		http.StatusForbidden, client.ProblemCodePermissionDenied)
	must(roC.LogoutWithResponse(ctx))(t)

	rw := must(samC.StartImpersonationWithResponse(ctx, cid, client.StartImpersonationRequest{MembershipId: ada.Membership.Id, Reason: "T-42", Write: ptr(true)}))(t).JSON201
	rwC := e.client(t, rw.Token)
	inv := must(rwC.InviteWithResponse(ctx, cid, nil, client.InviteRequest{Email: "x@acme.example", Role: client.RoleViewer}))(t).JSON201
	assert.Equal(t, "staff:"+sam.Staff.Id+" as user:"+ada.User.Id, inv.InvitedBy)
	fails(rwC.SetPasswordWithResponse(ctx, client.SetPasswordRequest{NewPassword: "correct horse battery staple"}))(t,
		http.StatusForbidden, client.ProblemCodePermissionDenied)

	// An impersonated change shows both people in the customer's audit log,
	// with the request that made it.
	put := must(rwC.PutSSOConfigWithResponse(ctx, cid, nil, client.SSOConfigRequest{
		Issuer: "https://login.acme.example", ClientId: "portal", ClientSecret: ptr("s3cret"), Domains: []string{"acme.example"},
	}))(t)
	events := must(adaC.ListCustomerAuditEventsWithResponse(ctx, cid, &client.ListCustomerAuditEventsParams{Action: ptr("sso.configured")}))(t).JSON200
	require.Len(t, events.Items, 1)
	ev := events.Items[0]
	assert.Equal(t, "user:"+ada.User.Id, ev.Actor)
	require.NotNil(t, ev.Impersonator)
	assert.Equal(t, "staff:"+sam.Staff.Id, *ev.Impersonator)
	require.NotNil(t, ev.ActorName)
	assert.Equal(t, ada.User.Name, *ev.ActorName, "named as they are named now")
	require.NotNil(t, ev.ImpersonatorName)
	assert.Equal(t, "Sam", *ev.ImpersonatorName)
	require.NotNil(t, ev.RequestId)
	assert.Equal(t, put.HTTPResponse.Header.Get("X-Request-ID"), *ev.RequestId)
	assert.NotEmpty(t, ev.Changes)
	assert.NotContains(t, string(must(adaC.ListCustomerAuditEventsWithResponse(ctx, cid, nil))(t).Body), "s3cret")
	all := must(owner.ListAuditEventsWithResponse(ctx, &client.ListAuditEventsParams{Actor: ptr("staff:" + sam.Staff.Id)}))(t).JSON200
	assert.NotEmpty(t, all.Items, "staff find what the staff member did as someone else")

	list := must(adaC.ListImpersonationsWithResponse(ctx, cid, nil))(t).JSON200
	require.Len(t, list.Items, 2)
	assert.Equal(t, rw.Impersonation.Id, list.Items[0].Id)
	assert.Equal(t, sam.Staff.Id, list.Items[0].StaffId)
	assert.NotNil(t, list.Items[1].EndedAt, "the first was left")

	fails(samC.SetImpersonationPolicyWithResponse(ctx, cid, client.ImpersonationPolicy{Forbidden: true}))(t,
		http.StatusForbidden, client.ProblemCodePermissionDenied)
	must(adaC.SetImpersonationPolicyWithResponse(ctx, cid, client.ImpersonationPolicy{Forbidden: true}))(t)
	fails(rwC.GetMeWithResponse(ctx))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	fails(samC.StartImpersonationWithResponse(ctx, cid, client.StartImpersonationRequest{MembershipId: ada.Membership.Id, Reason: "T-43"}))(t,
		http.StatusForbidden, client.ProblemCodePermissionDenied)
	assert.True(t, must(samC.GetImpersonationPolicyWithResponse(ctx, cid))(t).JSON200.Forbidden)
}
