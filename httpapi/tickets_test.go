package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestTicketsOverHTTP walks a damage case from a maintainer through the
// service desk to a resolved ticket, with an internal note the customer
// never sees, and applies a master-data change once, all through the
// generated client. The service desk is a staff member signed in with a
// session: refused until an owner gives it the service-desk capability.
func TestTicketsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{Tickets: ptr(true)})
	admin := e.client(t, ada.Token)
	max := e.client(t, e.join(t, admin, cid, "max@acme.example", client.RoleMaintainer).Token)

	// A staff agent signs in; without the capability it may read, not work.
	inv := must(owner.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{Email: "desk@provider.example", Name: "Desk", Role: client.StaffRoleAgent}))(t).JSON201
	n, ok := e.notes.Last("desk@provider.example")
	require.True(t, ok)
	in := must(e.client(t, "").SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: n.Token}))(t).JSON201
	desk := e.client(t, in.Token)
	fails(desk.ListTicketQueueWithResponse(ctx, nil))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	got := must(owner.GetStaffWithResponse(ctx, inv.Id))(t)
	up := must(owner.UpdateStaffWithResponse(ctx, inv.Id, &client.UpdateStaffParams{IfMatch: got.HTTPResponse.Header.Get("ETag")},
		client.UpdateStaffRequest{ServiceDesk: ptr(true)}))(t).JSON200
	assert.True(t, up.ServiceDesk)
	me := must(desk.GetMeWithResponse(ctx))(t).JSON200
	assert.Contains(t, me.Permissions, client.ActionTicketWork, "from the member's next request")
	assert.Contains(t, me.Permissions, client.ActionTicketQueue)
	maxMe := must(max.GetMeWithResponse(ctx))(t).JSON200
	assert.Contains(t, maxMe.Permissions, client.ActionTicketOpen)
	assert.NotContains(t, maxMe.Permissions, client.ActionTicketWork)

	types := must(max.ListTicketTypesWithResponse(ctx))(t).JSON200
	require.NotEmpty(t, types.Items)

	opened := must(max.OpenTicketWithResponse(ctx, cid, nil, client.OpenTicketRequest{
		Type: "equipment_damage", Subject: "Cracked display", Fields: &client.TicketFields{"damage": "functional"},
	}))(t)
	tk := opened.JSON201
	assert.Equal(t, "T-000001", tk.Number)
	assert.Equal(t, client.TicketStatusOpen, tk.Status)
	fails(max.OpenTicketWithResponse(ctx, cid, nil, client.OpenTicketRequest{Type: "equipment_damage", Subject: "x"}))(t,
		http.StatusBadRequest, client.ProblemCodeInvalid)

	q := must(desk.ListTicketQueueWithResponse(ctx, nil))(t).JSON200
	require.Len(t, q.Items, 1)
	assert.Equal(t, 1, q.Counts.Open)

	must(desk.AddTicketCommentWithResponse(ctx, cid, tk.Id, nil, client.AddTicketCommentRequest{Body: "Which serial number?"}))(t)
	must(desk.AddTicketCommentWithResponse(ctx, cid, tk.Id, nil, client.AddTicketCommentRequest{
		Body: "Warranty expired", Visibility: ptr(client.TicketVisibilityInternal)}))(t)
	fails(max.AddTicketCommentWithResponse(ctx, cid, tk.Id, nil, client.AddTicketCommentRequest{
		Body: "x", Visibility: ptr(client.TicketVisibilityInternal)}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	seen := must(max.ListTicketCommentsWithResponse(ctx, cid, tk.Id, nil))(t).JSON200
	require.Len(t, seen.Items, 1, "the customer never sees internal notes")
	assert.Equal(t, "Which serial number?", seen.Items[0].Body)
	all := must(desk.ListTicketCommentsWithResponse(ctx, cid, tk.Id, nil))(t).JSON200
	assert.Len(t, all.Items, 2)

	etag := opened.HTTPResponse.Header.Get("ETag")
	moved := must(desk.ChangeTicketStatusWithResponse(ctx, cid, tk.Id, &client.ChangeTicketStatusParams{IfMatch: etag},
		client.ChangeTicketStatusRequest{Status: client.TicketStatusResolved, Note: ptr("Replaced")}))(t)
	assert.Equal(t, client.TicketStatusResolved, moved.JSON200.Status)
	fails(desk.ChangeTicketStatusWithResponse(ctx, cid, tk.Id, &client.ChangeTicketStatusParams{IfMatch: etag},
		client.ChangeTicketStatusRequest{Status: client.TicketStatusClosed}))(t, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	st, ok := e.notes.Last("max@acme.example")
	require.True(t, ok)
	assert.Contains(t, st.Text, "Replaced")

	read := must(max.GetTicketWithResponse(ctx, cid, tk.Id))(t).JSON200
	require.NotNil(t, read.History)
	assert.Len(t, *read.History, 2)

	// A master-data change, applied once.
	md := must(admin.OpenTicketWithResponse(ctx, cid, nil, client.OpenTicketRequest{
		Type: "master_data_change", Subject: "New phone", Fields: &client.TicketFields{"phone": "+49 30 1234"},
	}))(t)
	cust := must(owner.GetCustomerWithResponse(ctx, cid))(t).JSON200
	applied := must(desk.ApplyMasterDataChangeWithResponse(ctx, cid, md.JSON201.Id,
		&client.ApplyMasterDataChangeParams{IfMatch: md.HTTPResponse.Header.Get("ETag")},
		client.ApplyMasterDataChangeRequest{CustomerVersion: cust.Version, Resolve: ptr(true)}))(t)
	assert.NotNil(t, applied.JSON200.AppliedAt)
	after := must(owner.GetCustomerWithResponse(ctx, cid))(t).JSON200
	require.NotNil(t, after.Phone)
	assert.Equal(t, "+49 30 1234", *after.Phone)
	fails(desk.ApplyMasterDataChangeWithResponse(ctx, cid, md.JSON201.Id,
		&client.ApplyMasterDataChangeParams{IfMatch: applied.HTTPResponse.Header.Get("ETag")},
		client.ApplyMasterDataChangeRequest{CustomerVersion: after.Version}))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)
}
