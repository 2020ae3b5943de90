package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

func TestMemberLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	adaC := e.client(t, ada.Token)
	site := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Hamburg"}))(t).JSON201

	added := must(owner.AddMemberWithResponse(ctx, cid, nil, client.AddMemberRequest{
		Email: "grace@acme.example", Name: "Grace Hopper", Role: client.RoleViewer,
	}))(t)
	assert.Equal(t, `"1"`, added.HTTPResponse.Header.Get("ETag"))
	mid := added.JSON201.Id
	assert.Equal(t, "Grace Hopper", added.JSON201.User.Name)
	assert.Equal(t, []string{}, added.JSON201.SiteIds)

	got := must(adaC.GetMemberWithResponse(ctx, cid, mid))(t)
	assert.Equal(t, `"1"`, got.HTTPResponse.Header.Get("ETag"))

	// Role and site changes need the current ETag.
	fails(adaC.ChangeMemberRoleWithResponse(ctx, cid, mid, nil,
		client.ChangeRoleRequest{Role: client.RoleMaintainer}))(t, http.StatusPreconditionRequired, client.ProblemCodeInvalid)
	fails(adaC.ChangeMemberRoleWithResponse(ctx, cid, mid, &client.ChangeMemberRoleParams{IfMatch: `W/"1"`},
		client.ChangeRoleRequest{Role: client.RoleMaintainer}))(t, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	fails(adaC.ChangeMemberRoleWithResponse(ctx, cid, mid, &client.ChangeMemberRoleParams{IfMatch: `"7"`},
		client.ChangeRoleRequest{Role: client.RoleMaintainer}))(t, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	changed := must(adaC.ChangeMemberRoleWithResponse(ctx, cid, mid, &client.ChangeMemberRoleParams{IfMatch: `"1"`},
		client.ChangeRoleRequest{Role: client.RoleMaintainer}))(t)
	assert.Equal(t, client.RoleMaintainer, changed.JSON200.Role)
	assert.Equal(t, `"2"`, changed.HTTPResponse.Header.Get("ETag"))
	fails(adaC.ChangeMemberSitesWithResponse(ctx, cid, mid, &client.ChangeMemberSitesParams{IfMatch: `"1"`},
		client.ChangeSitesRequest{SiteIds: []string{site.Id}}))(t, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	sites := must(adaC.ChangeMemberSitesWithResponse(ctx, cid, mid, &client.ChangeMemberSitesParams{IfMatch: `"2"`},
		client.ChangeSitesRequest{SiteIds: []string{site.Id}}))(t)
	assert.Equal(t, []string{site.Id}, sites.JSON200.SiteIds)
	assert.Equal(t, `"3"`, sites.HTTPResponse.Header.Get("ETag"))

	disabled := must(adaC.DisableMemberWithResponse(ctx, cid, mid))(t)
	assert.Equal(t, client.MembershipStatusDisabled, disabled.JSON200.Status)
	assert.Equal(t, `"4"`, disabled.HTTPResponse.Header.Get("ETag"))
	l := must(adaC.ListMembersWithResponse(ctx, cid, &client.ListMembersParams{Status: ptr(client.MembershipStatusDisabled)}))(t).JSON200
	require.Len(t, l.Items, 1)
	assert.Equal(t, mid, l.Items[0].Id)
	enabled := must(adaC.EnableMemberWithResponse(ctx, cid, mid))(t)
	assert.Equal(t, client.MembershipStatusActive, enabled.JSON200.Status)

	// The last admin stays.
	fails(adaC.DisableMemberWithResponse(ctx, cid, ada.Membership.Id))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)

	r := must(adaC.RemoveMemberWithResponse(ctx, cid, mid))(t)
	assert.Equal(t, http.StatusNoContent, r.StatusCode())
	fails(adaC.GetMemberWithResponse(ctx, cid, mid))(t, http.StatusNotFound, client.ProblemCodeNotFound)

	// Staff disable and enable the person everywhere.
	u := must(owner.DisableUserWithResponse(ctx, added.JSON201.UserId))(t).JSON200
	assert.Equal(t, client.UserStatusDisabled, u.Status)
	u = must(owner.EnableUserWithResponse(ctx, added.JSON201.UserId))(t).JSON200
	assert.Equal(t, client.UserStatusActive, u.Status)
}

// TestOtherCustomersIDs: a customer's admin naming another customer, or
// another customer's objects, gets 404 from every operation, and nothing
// changes.
func TestOtherCustomersIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cidA, adminA := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	cidB, adminB := e.onboard(t, "Beta AG", "bob@beta.example", &client.FeaturesPatch{AccessLinks: ptr(true)})
	memberB := e.join(t, e.client(t, adminB.Token), cidB, "carl@beta.example", client.RoleMaintainer)
	invB := must(owner.InviteWithResponse(ctx, cidB, nil, client.InviteRequest{Email: "dora@beta.example", Role: client.RoleViewer}))(t).JSON201
	linkB := must(owner.CreateAccessLinkWithResponse(ctx, cidB, nil, client.CreateAccessLinkRequest{MembershipId: memberB.Membership.Id}))(t).JSON201
	siteB := must(owner.CreateSiteWithResponse(ctx, cidB, nil, client.SiteRequest{Name: "Berlin"}))(t).JSON201

	snapshot := func() string {
		t.Helper()
		m := must(owner.ListMembersWithResponse(ctx, cidB, nil))(t).Body
		i := must(owner.ListInvitationsWithResponse(ctx, cidB, nil))(t).Body
		l := must(owner.ListAccessLinksWithResponse(ctx, cidB, nil))(t).Body
		return string(m) + string(i) + string(l)
	}
	before := snapshot()

	c := e.client(t, adminA.Token)
	mid, iid, lid := memberB.Membership.Id, invB.Id, linkB.AccessLink.Id
	ifMatch1 := `"1"`
	calls := map[string]func(cid string) (client.Response, error){
		"ListMembers": func(cid string) (client.Response, error) { return c.ListMembersWithResponse(ctx, cid, nil) },
		"AddMember": func(cid string) (client.Response, error) {
			return c.AddMemberWithResponse(ctx, cid, nil, client.AddMemberRequest{Email: "eve@acme.example", Name: "Eve", Role: client.RoleAdmin})
		},
		"GetMember":    func(cid string) (client.Response, error) { return c.GetMemberWithResponse(ctx, cid, mid) },
		"RemoveMember": func(cid string) (client.Response, error) { return c.RemoveMemberWithResponse(ctx, cid, mid) },
		"ChangeMemberRole": func(cid string) (client.Response, error) {
			return c.ChangeMemberRoleWithResponse(ctx, cid, mid, &client.ChangeMemberRoleParams{IfMatch: ifMatch1}, client.ChangeRoleRequest{Role: client.RoleAdmin})
		},
		"ChangeMemberSites": func(cid string) (client.Response, error) {
			return c.ChangeMemberSitesWithResponse(ctx, cid, mid, &client.ChangeMemberSitesParams{IfMatch: ifMatch1}, client.ChangeSitesRequest{SiteIds: []string{siteB.Id}})
		},
		"DisableMember":   func(cid string) (client.Response, error) { return c.DisableMemberWithResponse(ctx, cid, mid) },
		"EnableMember":    func(cid string) (client.Response, error) { return c.EnableMemberWithResponse(ctx, cid, mid) },
		"ListInvitations": func(cid string) (client.Response, error) { return c.ListInvitationsWithResponse(ctx, cid, nil) },
		"Invite": func(cid string) (client.Response, error) {
			return c.InviteWithResponse(ctx, cid, nil, client.InviteRequest{Email: "eve@acme.example", Role: client.RoleAdmin})
		},
		"ResendInvitation": func(cid string) (client.Response, error) {
			return c.ResendInvitationWithResponse(ctx, cid, iid, client.ResendInvitationRequest{})
		},
		"RevokeInvitation": func(cid string) (client.Response, error) { return c.RevokeInvitationWithResponse(ctx, cid, iid) },
		"ListAccessLinks":  func(cid string) (client.Response, error) { return c.ListAccessLinksWithResponse(ctx, cid, nil) },
		"CreateAccessLink": func(cid string) (client.Response, error) {
			return c.CreateAccessLinkWithResponse(ctx, cid, nil, client.CreateAccessLinkRequest{MembershipId: mid})
		},
		"RefreshAccessLink": func(cid string) (client.Response, error) { return c.RefreshAccessLinkWithResponse(ctx, cid, lid) },
		"DisableAccessLink": func(cid string) (client.Response, error) { return c.DisableAccessLinkWithResponse(ctx, cid, lid) },
	}
	for name, call := range calls {
		t.Run(name+"/other customer", func(t *testing.T) {
			fails(call(cidB))(t, http.StatusNotFound, client.ProblemCodeNotFound)
		})
	}
	// In its own customer's path, another customer's membership or
	// invitation is not found either.
	for _, name := range []string{"GetMember", "RemoveMember", "ChangeMemberRole", "ChangeMemberSites", "DisableMember", "EnableMember", "ResendInvitation", "RevokeInvitation"} {
		t.Run(name+"/own customer", func(t *testing.T) {
			fails(calls[name](cidA))(t, http.StatusNotFound, client.ProblemCodeNotFound)
		})
	}
	assert.Equal(t, before, snapshot(), "customer B changed")
	// B's admin still works.
	must(e.client(t, adminB.Token).ListMembersWithResponse(ctx, cidB, nil))(t)
}

// TestViewerOnAdminOperations: a viewer may not manage its customer's
// people, and customer users may not use staff-only operations.
func TestViewerOnAdminOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{AccessLinks: ptr(true)})
	viewer := e.join(t, e.client(t, ada.Token), cid, "vic@acme.example", client.RoleViewer)
	v := e.client(t, viewer.Token)
	mid := ada.Membership.Id
	const forbidden = http.StatusForbidden
	deny := client.ProblemCodePermissionDenied

	fails(v.ListMembersWithResponse(ctx, cid, nil))(t, forbidden, deny)
	fails(v.GetMemberWithResponse(ctx, cid, mid))(t, forbidden, deny)
	fails(v.ChangeMemberRoleWithResponse(ctx, cid, viewer.Membership.Id, &client.ChangeMemberRoleParams{IfMatch: `"1"`},
		client.ChangeRoleRequest{Role: client.RoleAdmin}))(t, forbidden, deny)
	fails(v.DisableMemberWithResponse(ctx, cid, mid))(t, forbidden, deny)
	fails(v.RemoveMemberWithResponse(ctx, cid, mid))(t, forbidden, deny)
	fails(v.ListInvitationsWithResponse(ctx, cid, nil))(t, forbidden, deny)
	fails(v.InviteWithResponse(ctx, cid, nil, client.InviteRequest{Email: "eve@acme.example", Role: client.RoleAdmin}))(t, forbidden, deny)

	// Staff-only operations, even for the customer's admin.
	admin := e.client(t, ada.Token)
	fails(admin.AddMemberWithResponse(ctx, cid, nil, client.AddMemberRequest{Email: "eve@acme.example", Name: "Eve", Role: client.RoleViewer}))(t, forbidden, deny)
	fails(admin.CreateAccessLinkWithResponse(ctx, cid, nil, client.CreateAccessLinkRequest{MembershipId: mid}))(t, forbidden, deny)
	fails(admin.ListAccessLinksWithResponse(ctx, cid, nil))(t, forbidden, deny)
	fails(admin.ListAPIKeysWithResponse(ctx, nil))(t, forbidden, deny)
	fails(admin.DisableUserWithResponse(ctx, viewer.User.Id))(t, forbidden, deny)

	// The viewer is still a viewer, and still works.
	m := must(owner.GetMemberWithResponse(ctx, cid, viewer.Membership.Id))(t).JSON200
	assert.Equal(t, client.RoleViewer, m.Role)
	assert.Equal(t, int64(1), m.Version)
	must(v.ListMyMembershipsWithResponse(ctx))(t)
}

// TestSiteLimitedAdmin: an admin limited to some sites manages only the
// members within them; a change beyond them is refused (403) as the use case
// refuses it, whatever If-Match says, and reads of such members are 404.
func TestSiteLimitedAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	north := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "North"}))(t).JSON201
	south := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "South"}))(t).JSON201
	must(owner.InviteWithResponse(ctx, cid, nil, client.InviteRequest{Email: "sam@acme.example", Role: client.RoleAdmin, SiteIds: &[]string{north.Id}}))(t)
	sam := must(e.client(t, "").AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: e.lastToken(t, "sam@acme.example"), Name: ptr("Sam")}))(t).JSON201
	samC := e.client(t, sam.Token)
	local := must(owner.AddMemberWithResponse(ctx, cid, nil, client.AddMemberRequest{
		Email: "lou@acme.example", Name: "Lou", Role: client.RoleViewer, SiteIds: &[]string{north.Id},
	}))(t).JSON201

	// Within Sam's sites.
	changed := must(samC.ChangeMemberRoleWithResponse(ctx, cid, local.Id, &client.ChangeMemberRoleParams{IfMatch: `"1"`},
		client.ChangeRoleRequest{Role: client.RoleMaintainer}))(t)
	assert.Equal(t, `"2"`, changed.HTTPResponse.Header.Get("ETag"))
	fails(samC.ChangeMemberSitesWithResponse(ctx, cid, local.Id, &client.ChangeMemberSitesParams{IfMatch: `"2"`},
		client.ChangeSitesRequest{SiteIds: []string{south.Id}}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)

	// Ada reaches every site: beyond Sam's.
	fails(samC.GetMemberWithResponse(ctx, cid, ada.Membership.Id))(t, http.StatusNotFound, client.ProblemCodeNotFound)
	for _, ifMatch := range []string{`"1"`, `"9"`} {
		fails(samC.ChangeMemberRoleWithResponse(ctx, cid, ada.Membership.Id, &client.ChangeMemberRoleParams{IfMatch: ifMatch},
			client.ChangeRoleRequest{Role: client.RoleViewer}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	}
	fails(samC.DisableMemberWithResponse(ctx, cid, ada.Membership.Id))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	m := must(owner.GetMemberWithResponse(ctx, cid, ada.Membership.Id))(t).JSON200
	assert.Equal(t, client.RoleAdmin, m.Role)
	assert.Equal(t, int64(1), m.Version)
}
