package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func TestSendAccessLink(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		s.allowAccessLinks(t, c.ID)
		sec, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{ReadOnly: true})
		require.NoError(t, err)
		old, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
		require.NoError(t, err)
		s.clock.Advance(time.Minute)

		l, err := s.p.SendAccessLink(s.owner, c.ID, sec.Link.ID)
		require.NoError(t, err)
		assert.True(t, l.ExpiresAt.After(sec.Link.ExpiresAt), "sending grants a new lifetime")
		assert.True(t, l.ReadOnly)

		m := s.lastNotice(t, "ada@acme.example")
		assert.Equal(t, portal.NotifyAccessLink, m.Kind)
		require.NotEmpty(t, m.Token)
		assert.True(t, strings.HasPrefix(m.Link, portaltest.PublicURL+"/access?token="), m.Link)
		assert.Equal(t, m.Link, s.p.AccessLinkURL(m.Token), "the address shown is the one mailed")
		assert.NotEqual(t, sec.Token, m.Token)
		in, err := s.p.SignInWithAccessLink(t.Context(), m.Token)
		require.NoError(t, err, "the token mailed signs in")
		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.True(t, who.ReadOnly)
		_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
		assertCode(t, portalerr.Unauthenticated, err, "the address before no longer works")
		s.assertUnauthenticated(t, old.Token, "nor the sessions opened with it")
	})
}

func TestSendAccessLinkRefusals(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		other := s.createCustomer(t, "Other")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		bob := s.addMember(t, c.ID, "bob@acme.example", customer.RoleMaintainer)
		s.allowAccessLinks(t, c.ID)
		s.allowAccessLinks(t, other.ID)
		sec, err := s.p.CreateAccessLink(s.owner, c.ID, bob.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)

		_, err = s.p.SendAccessLink(s.owner, other.ID, sec.Link.ID)
		assertCode(t, portalerr.NotFound, err, "another customer's link")
		_, err = s.p.SendAccessLink(s.owner, c.ID, "acl_missing")
		assertCode(t, portalerr.NotFound, err)
		user := s.authed(t, s.signIn(t, ada).Token)
		_, err = s.p.SendAccessLink(user, c.ID, sec.Link.ID)
		assertCode(t, portalerr.PermissionDenied, err, "customer users may not")

		_, err = s.p.DisableMember(s.owner, c.ID, bob.ID)
		require.NoError(t, err)
		_, err = s.p.SendAccessLink(s.owner, c.ID, sec.Link.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "a disabled member")
		_, err = s.p.EnableMember(s.owner, c.ID, bob.ID)
		require.NoError(t, err)

		cur, err := s.p.GetCustomer(s.owner, c.ID)
		require.NoError(t, err)
		_, err = s.p.UpdateFeatures(s.owner, c.ID, portal.UpdateFeaturesParams{Version: cur.Version, FeaturesPatch: customer.FeaturesPatch{AccessLinks: ptr(false)}})
		require.NoError(t, err)
		_, err = s.p.SendAccessLink(s.owner, c.ID, sec.Link.ID)
		assertCode(t, portalerr.FeatureDisabled, err)

		assert.Zero(t, s.noticesTo("bob@acme.example"), "nothing went out")
	})
}

func TestAccessLinkURLWithoutPublicURL(t *testing.T) {
	t.Parallel()
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) { c.Mailer, c.Branding.PublicBaseURL = nil, "" })
	assert.Empty(t, p.AccessLinkURL("pa_token"), "no address of its own to give")
	p = portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) { c.Mailer = nil })
	assert.Equal(t, portaltest.PublicURL+"/access?token=pa_token", p.AccessLinkURL("pa_token"))
}
