package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/portal"
)

// lastToken returns the secret of the last message to the address.
func (e *env) lastToken(t *testing.T, to string) string {
	t.Helper()
	n, ok := e.notes.Last(to)
	require.True(t, ok, "no message to %s", to)
	require.NotEmpty(t, n.Token, "message to %s has no token", to)
	return n.Token
}

// onboard creates a customer whose first user, adminEmail, accepts; it
// returns the customer's ID and the admin's sign-in.
func (e *env) onboard(t *testing.T, name, adminEmail string, features *client.FeaturesPatch) (string, client.SignIn) {
	t.Helper()
	owner := e.client(t, e.owner)
	c := must(owner.CreateCustomerWithResponse(t.Context(), nil, client.CreateCustomerRequest{
		Name: name, Features: features, FirstUser: &client.FirstUser{Email: openapi_types.Email(adminEmail)},
	}))(t).JSON201
	si := must(e.client(t, "").AcceptInvitationWithResponse(t.Context(), client.AcceptInvitationRequest{
		Token: e.lastToken(t, adminEmail), Name: ptr("Admin of " + name),
	}))(t).JSON201
	return c.Id, *si
}

// join invites email into customer cid as role, through inviter, and
// accepts; it returns the new member's sign-in.
func (e *env) join(t *testing.T, inviter *client.ClientWithResponses, cid, email string, role client.Role) client.SignIn {
	t.Helper()
	must(inviter.InviteWithResponse(t.Context(), cid, nil, client.InviteRequest{Email: openapi_types.Email(email), Role: role}))(t)
	return *must(e.client(t, "").AcceptInvitationWithResponse(t.Context(), client.AcceptInvitationRequest{
		Token: e.lastToken(t, email), Name: ptr(email),
	}))(t).JSON201
}

// must returns a call's answer, failing the test unless it succeeded:
//
//	m := must(c.GetMemberWithResponse(ctx, cid, id))(t).JSON200
func must[R client.Response](r R, err error) func(*testing.T) R {
	return func(t *testing.T) R {
		t.Helper()
		_, err := client.Check(r, err)
		require.NoError(t, err)
		return r
	}
}

// fails returns a function asserting that a call was answered with status
// and problem code.
func fails[R client.Response](r R, err error) func(*testing.T, int, client.ProblemCode) *client.Error {
	return func(t *testing.T, status int, code client.ProblemCode) *client.Error {
		t.Helper()
		_, err := client.Check(r, err)
		var e *client.Error
		if !assert.ErrorAs(t, err, &e) {
			return &client.Error{}
		}
		assert.Equal(t, status, e.Status, "status: %v", e)
		assert.Equal(t, string(code), e.Code, "code: %v", e)
		return e
	}
}

func TestOnboarding(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	anon := e.client(t, "") // the sign-in endpoints need no credential
	ctx := t.Context()

	// The provider creates the customer with its first user, who accepts.
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{AccessLinks: ptr(true)})
	assert.Equal(t, client.RoleAdmin, ada.Membership.Role)
	assert.Equal(t, cid, ada.Membership.CustomerId)
	assert.Equal(t, client.SignInMethodInvitation, ada.Session.Method)
	adaC := e.client(t, ada.Token)

	// Ada invites a colleague, who accepts.
	inv := must(adaC.InviteWithResponse(ctx, cid, nil, client.InviteRequest{
		Email: "grace@acme.example", Role: client.RoleMaintainer, Message: ptr("Welcome!"),
	}))(t).JSON201
	assert.Equal(t, client.InvitationStatePending, inv.State)
	assert.Equal(t, "user:"+ada.User.Id, inv.InvitedBy)
	grace := must(anon.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{
		Token: e.lastToken(t, "grace@acme.example"), Name: ptr("Grace Hopper"),
	}))(t).JSON201
	assert.Equal(t, client.RoleMaintainer, grace.Membership.Role)
	invs := must(adaC.ListInvitationsWithResponse(ctx, cid, nil))(t).JSON200
	require.Len(t, invs.Items, 2)
	assert.Equal(t, client.InvitationStateAccepted, invs.Items[1].State)

	// Grace asks for an e-mailed link and signs in with it.
	r := must(anon.RequestLoginLinkWithResponse(ctx, client.RequestLoginLinkRequest{Email: "grace@acme.example"}))(t)
	assert.Equal(t, http.StatusAccepted, r.StatusCode())
	// An unknown address gets the same answer.
	r = must(anon.RequestLoginLinkWithResponse(ctx, client.RequestLoginLinkRequest{Email: "nobody@acme.example"}))(t)
	assert.Equal(t, http.StatusAccepted, r.StatusCode())
	link := e.lastToken(t, "grace@acme.example")
	viaLinkR := must(anon.SignInWithLoginLinkWithResponse(ctx, client.RedeemLoginLinkRequest{Token: link}))(t)
	assert.Equal(t, "no-store", viaLinkR.HTTPResponse.Header.Get("Cache-Control"), "an answer with a token")
	viaLink := viaLinkR.JSON201
	assert.Equal(t, client.SignInMethodLoginLink, viaLink.Session.Method)
	assert.Equal(t, grace.Membership.Id, viaLink.Membership.Id)
	// The link works once.
	fails(anon.SignInWithLoginLinkWithResponse(ctx, client.RedeemLoginLinkRequest{Token: link}))(t, 401, client.ProblemCodeUnauthenticated)
	graceC := e.client(t, viaLink.Token)
	mine := must(graceC.ListMyMembershipsWithResponse(ctx))(t).JSON200
	require.Len(t, mine.Items, 1)
	assert.True(t, mine.Items[0].Current)
	assert.Equal(t, "Acme GmbH", mine.Items[0].CustomerName)

	// Staff give Grace an access link; it signs in, is refreshed, and the
	// old token and its session stop working.
	createdR := must(owner.CreateAccessLinkWithResponse(ctx, cid, nil, client.CreateAccessLinkRequest{
		MembershipId: grace.Membership.Id, ReadOnly: ptr(true), ExpiresInSeconds: ptr(7 * 24 * 3600),
	}))(t)
	assert.Equal(t, "no-store", createdR.HTTPResponse.Header.Get("Cache-Control"), "an answer with a token")
	created := createdR.JSON201
	assert.NotEmpty(t, created.Token)
	assert.Equal(t, 7*24*3600, created.AccessLink.TtlSeconds)
	assert.True(t, created.AccessLink.ReadOnly)
	viaAccess := must(anon.SignInWithAccessLinkWithResponse(ctx, client.RedeemAccessLinkRequest{Token: created.Token}))(t).JSON201
	assert.Equal(t, client.SignInMethodAccessLink, viaAccess.Session.Method)
	assert.True(t, viaAccess.Session.ReadOnly)
	must(e.client(t, viaAccess.Token).ListMyMembershipsWithResponse(ctx))(t)
	listed := must(owner.ListAccessLinksWithResponse(ctx, cid, nil))(t).JSON200
	require.Len(t, listed.Items, 1)
	assert.NotContains(t, string(must(owner.ListAccessLinksWithResponse(ctx, cid, nil))(t).Body), created.Token)
	refreshed := must(owner.RefreshAccessLinkWithResponse(ctx, cid, created.AccessLink.Id))(t).JSON200
	assert.NotEqual(t, created.Token, refreshed.Token)
	fails(anon.SignInWithAccessLinkWithResponse(ctx, client.RedeemAccessLinkRequest{Token: created.Token}))(t, 401, client.ProblemCodeUnauthenticated)
	fails(e.client(t, viaAccess.Token).ListMyMembershipsWithResponse(ctx))(t, 401, client.ProblemCodeUnauthenticated)
	must(anon.SignInWithAccessLinkWithResponse(ctx, client.RedeemAccessLinkRequest{Token: refreshed.Token}))(t)

	// Grace signs out; her token stops working, Ada's does not.
	lo := must(graceC.LogoutWithResponse(ctx))(t)
	assert.Equal(t, http.StatusNoContent, lo.StatusCode())
	fails(graceC.ListMyMembershipsWithResponse(ctx))(t, 401, client.ProblemCodeUnauthenticated)
	must(adaC.ListMyMembershipsWithResponse(ctx))(t)
}

func TestPasswordSignInAndSwitch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	anon := e.client(t, "") // the sign-in endpoints need no credential
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	adaC := e.client(t, ada.Token)
	r := must(adaC.SetPasswordWithResponse(ctx, client.SetPasswordRequest{NewPassword: "a long enough passphrase 7"}))(t)
	assert.Equal(t, http.StatusNoContent, r.StatusCode())

	// Ada is invited into a second customer too.
	cid2, _ := e.onboard(t, "Beta AG", "bob@beta.example", nil)
	must(owner.InviteWithResponse(ctx, cid2, nil, client.InviteRequest{Email: "ada@acme.example", Role: client.RoleViewer}))(t)
	must(anon.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: e.lastToken(t, "ada@acme.example")}))(t)

	si := must(anon.SignInWithPasswordWithResponse(ctx, client.PasswordSignInRequest{
		Email: "ada@acme.example", Password: "a long enough passphrase 7", CustomerId: ptr(cid2),
	}))(t).JSON201
	assert.Equal(t, cid2, si.Membership.CustomerId)
	c := e.client(t, si.Token)
	mine := must(c.ListMyMembershipsWithResponse(ctx))(t).JSON200
	require.Len(t, mine.Items, 2)
	var other string
	for _, m := range mine.Items {
		if m.CustomerId == cid {
			other = m.Id
			assert.False(t, m.Current)
		}
	}
	ses := must(c.SwitchMembershipWithResponse(ctx, client.SwitchMembershipRequest{MembershipId: other}))(t).JSON200
	assert.Equal(t, cid, ses.CustomerId)

	fails(anon.SignInWithPasswordWithResponse(ctx, client.PasswordSignInRequest{Email: "ada@acme.example", Password: "wrong password, long"}))(t, 401, client.ProblemCodeUnauthenticated)
}

func TestInvitationExpired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	anon := e.client(t, "") // the sign-in endpoints need no credential
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	inv := must(e.client(t, ada.Token).InviteWithResponse(ctx, cid, nil, client.InviteRequest{
		Email: "grace@acme.example", Role: client.RoleViewer, ExpiresInSeconds: ptr(3600),
	}))(t).JSON201
	assert.Equal(t, inv.CreatedAt.Add(time.Hour), inv.ExpiresAt)
	bad := fails(e.client(t, ada.Token).InviteWithResponse(ctx, cid, nil, client.InviteRequest{
		Email: "eve@acme.example", Role: client.RoleViewer, ExpiresInSeconds: ptr(60),
	}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	require.Len(t, bad.Fields, 1)
	assert.Equal(t, "expires_in_seconds", bad.Fields[0].Field)

	e.clock.Advance(time.Hour)
	fails(anon.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: e.lastToken(t, "grace@acme.example"), Name: ptr("Grace")}))(t, http.StatusGone, client.ProblemCodeInvitationExpired)
	listed := must(owner.ListInvitationsWithResponse(ctx, cid, &client.ListInvitationsParams{State: ptr(client.InvitationStateExpired)}))(t).JSON200
	require.Len(t, listed.Items, 1)
	assert.Equal(t, client.InvitationStateExpired, listed.Items[0].State)

	// A resend gives a new link that works; revoking a used one is 410.
	re := must(owner.ResendInvitationWithResponse(ctx, cid, inv.Id, client.ResendInvitationRequest{}))(t).JSON200
	assert.Equal(t, client.InvitationStatePending, re.State)
	assert.Equal(t, 2, re.SentCount)
	must(anon.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: e.lastToken(t, "grace@acme.example"), Name: ptr("Grace")}))(t)
	fails(owner.RevokeInvitationWithResponse(ctx, cid, inv.Id))(t, http.StatusGone, client.ProblemCodeInvitationUsed)
}

func TestRequestLoginLinkRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anon := e.client(t, "") // the sign-in endpoints need no credential
	ctx := t.Context()
	e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	var last *client.RequestLoginLinkResponse
	for range portal.DefaultRateLimits.PerEmail.N + 1 {
		var err error
		last, err = anon.RequestLoginLinkWithResponse(ctx, client.RequestLoginLinkRequest{Email: "ada@acme.example"})
		require.NoError(t, err)
		if last.StatusCode() != http.StatusAccepted {
			break
		}
	}
	pe := fails(last, nil)(t, http.StatusTooManyRequests, client.ProblemCodeRateLimited)
	assert.Positive(t, pe.RetryAfter)
	secs, err := strconv.Atoi(last.HTTPResponse.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After")
	assert.Positive(t, secs)
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	createdR := must(owner.CreateAPIKeyWithResponse(ctx, nil, client.CreateAPIKeyRequest{Name: "ERP", Role: client.StaffRoleAgent}))(t)
	assert.Equal(t, "no-store", createdR.HTTPResponse.Header.Get("Cache-Control"), "an answer with a key")
	created := createdR.JSON201
	assert.NotEmpty(t, created.Token)
	agent := e.client(t, created.Token)
	must(agent.ListCustomersWithResponse(ctx, nil))(t)
	fails(agent.ListAPIKeysWithResponse(ctx, nil))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)

	l := must(owner.ListAPIKeysWithResponse(ctx, nil))(t)
	require.Len(t, l.JSON200.Items, 2)
	assert.NotContains(t, string(l.Body), created.Token)

	revoked := must(owner.RevokeAPIKeyWithResponse(ctx, created.ApiKey.Id))(t).JSON200
	assert.NotNil(t, revoked.RevokedAt)
	fails(agent.ListCustomersWithResponse(ctx, nil))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
}

func TestPasswordSignInRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anon := e.client(t, "")
	ctx := t.Context()
	_, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	must(e.client(t, ada.Token).SetPasswordWithResponse(ctx, client.SetPasswordRequest{NewPassword: "a long enough passphrase 7"}))(t)

	wrong := client.PasswordSignInRequest{Email: "ada@acme.example", Password: "not the passphrase at all"}
	var last *client.SignInWithPasswordResponse
	for range portal.DefaultRateLimits.PerEmail.N + 1 {
		var err error
		last, err = anon.SignInWithPasswordWithResponse(ctx, wrong)
		require.NoError(t, err)
		if last.StatusCode() != http.StatusUnauthorized {
			break
		}
	}
	pe := fails(last, nil)(t, http.StatusTooManyRequests, client.ProblemCodeRateLimited)
	assert.Positive(t, pe.RetryAfter)
	assert.NotEmpty(t, last.HTTPResponse.Header.Get("Retry-After"))
	// The right password waits too.
	fails(anon.SignInWithPasswordWithResponse(ctx, client.PasswordSignInRequest{Email: "ada@acme.example", Password: "a long enough passphrase 7"}))(
		t, http.StatusTooManyRequests, client.ProblemCodeRateLimited)
}
