package portal_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// signInEnv is an env that also keeps the store under the portal and the
// mail the portal's outbox sent.
type signInEnv struct {
	env
	store storage.Store
	rec   *portaltest.Recorder
}

func newSignInEnv(t *testing.T, store storage.Store, opts ...func(*portal.Config)) signInEnv {
	t.Helper()
	rec := &portaltest.Recorder{}
	opts = append([]func(*portal.Config){func(c *portal.Config) { c.Mailer = rec }}, opts...)
	return signInEnv{env: newEnv(t, store, opts...), store: store, rec: rec}
}

// eachSignInBackend runs f once per backend (as eachBackend does) with a
// fresh portal whose store and mail the test can see.
func eachSignInBackend(t *testing.T, f func(t *testing.T, s signInEnv), opts ...func(*portal.Config)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			f(t, newSignInEnv(t, newStore(t), opts...))
		})
	}
}

// lastNotice returns the last mail to the address, as the outbox worker
// rendered and sent it; it fails the test when there is none.
func (s signInEnv) lastNotice(t *testing.T, to string) portaltest.Mail {
	t.Helper()
	n, ok := s.rec.Last(to)
	require.True(t, ok, "no mail to %s", to)
	return n
}

// noticesTo counts the mail sent to the address.
func (s signInEnv) noticesTo(to string) int {
	n := 0
	for _, x := range s.rec.Mails() {
		if slices.Contains(x.To, to) {
			n++
		}
	}
	return n
}

// lastOutbox returns the outbox record of the last mail to the address,
// as staff list it; it fails the test when there is none.
func (s signInEnv) lastOutbox(t *testing.T, to string) outbox.Message {
	t.Helper()
	l, err := s.p.ListMail(s.owner, portal.ListMailParams{Limit: storage.MaxLimit})
	require.NoError(t, err)
	require.Empty(t, l.NextCursor, "more mail than one page")
	for _, m := range slices.Backward(l.Items) {
		if m.Recipient == to {
			return m
		}
	}
	require.Failf(t, "no mail in the outbox", "to %s", to)
	return outbox.Message{}
}

// expires is how the English templates write an expiry.
func expires(at time.Time) string { return at.UTC().Format("January 2, 2006, 15:04 UTC") }

// invite invites the address into cid as the owner and returns the
// invitation with the token its e-mail's link carried.
func (s signInEnv) invite(t *testing.T, cid customer.ID, email string, role customer.Role) (invite.Invitation, string) {
	t.Helper()
	inv, err := s.p.Invite(s.owner, cid, portal.InviteParams{Email: email, Role: role})
	require.NoError(t, err)
	n := s.lastNotice(t, inv.Email)
	require.Equal(t, portal.NotifyInvitation, n.Kind)
	return inv, n.Token
}

// accept accepts an invitation as a new user called name.
func (s signInEnv) accept(t *testing.T, token, name string) portal.SignIn {
	t.Helper()
	in, err := s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: name})
	require.NoError(t, err)
	return in
}

// loginLink asks for a login link for the address and returns its token.
func (s signInEnv) loginLink(t *testing.T, email string) string {
	t.Helper()
	before := s.noticesTo(email)
	require.NoError(t, s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: email}))
	require.Equal(t, before+1, s.noticesTo(email), "a login link was sent to %s", email)
	n := s.lastNotice(t, email)
	require.Equal(t, portal.NotifyLoginLink, n.Kind)
	return n.Token
}

// signIn signs the member in through a login link.
func (s signInEnv) signIn(t *testing.T, m portal.Member) portal.SignIn {
	t.Helper()
	in, err := s.p.SignInWithLoginLink(t.Context(), s.loginLink(t, m.User.Email), portal.SignInParams{CustomerID: m.CustomerID})
	require.NoError(t, err)
	return in
}

// authed authenticates token and returns a context carrying its principal.
func (s signInEnv) authed(t *testing.T, token string) context.Context {
	t.Helper()
	who, err := s.p.Authenticate(t.Context(), token)
	require.NoError(t, err)
	return identity.NewContext(t.Context(), who)
}

// sessions lists the stored sessions matching f.
func (s signInEnv) sessions(t *testing.T, f storage.SessionFilter) []identity.Session {
	t.Helper()
	var out []identity.Session
	require.NoError(t, s.store.ReadTx(t.Context(), func(r storage.Repos) error {
		l, err := r.Sessions().List(t.Context(), f, storage.Page{Limit: storage.MaxLimit})
		out = l.Items
		return err
	}))
	return out
}

// auditOf lists the audit events recorded about an object.
func (s signInEnv) auditOf(t *testing.T, objectID string) []audit.Event {
	t.Helper()
	var out []audit.Event
	require.NoError(t, s.store.ReadTx(t.Context(), func(r storage.Repos) error {
		l, err := r.Audit().List(t.Context(), storage.AuditFilter{ObjectID: objectID}, storage.Page{Limit: storage.MaxLimit})
		out = l.Items
		return err
	}))
	return out
}

// allowAccessLinks turns the access_links feature on for a customer.
func (s signInEnv) allowAccessLinks(t *testing.T, cid customer.ID) {
	t.Helper()
	c, err := s.p.GetCustomer(s.owner, cid)
	require.NoError(t, err)
	_, err = s.p.UpdateFeatures(s.owner, cid, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{AccessLinks: ptr(true)}})
	require.NoError(t, err)
}

// assertUnauthenticated checks that token no longer authenticates.
func (s signInEnv) assertUnauthenticated(t *testing.T, token string, msgAndArgs ...any) bool {
	t.Helper()
	_, err := s.p.Authenticate(t.Context(), token)
	return assertCode(t, portalerr.Unauthenticated, err, msgAndArgs...)
}

// retryAfter returns the RetryAfter of a portalerr.Error, or -1 when err is none.
func retryAfter(err error) time.Duration {
	var pe *portalerr.Error
	if !errors.As(err, &pe) {
		return -1
	}
	return pe.RetryAfter
}
