package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

const (
	goodPassword  = "quiet harbour lanterns"
	otherPassword = "seven copper kettles"
)

func TestSetPasswordRefusesWeakPasswords(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		ctx := s.authed(t, s.signIn(t, ada).Token)
		for _, pw := range []string{
			"",
			"short",
			"nine char",
			"password123",
			"Password123!",
			"aaaaaaaaaaaa",
			strings.Repeat("long enough ", 22), // over 256 bytes
		} {
			err := s.p.SetPassword(ctx, portal.SetPasswordParams{New: pw})
			assertCode(t, portalerr.Invalid, err, "password %.20q", pw)
			assert.Equal(t, []string{"new_password"}, fieldsOf(err), "password %.20q", pw)
		}
		_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: "password123"})
		assertCode(t, portalerr.Unauthenticated, err, "no weak password was stored")
	})
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		bob := s.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)
		bobs := s.signIn(t, bob)
		here := s.signIn(t, ada)
		elsewhere := s.signIn(t, ada)
		ctx := s.authed(t, here.Token)

		require.NoError(t, s.p.SetPassword(ctx, portal.SetPasswordParams{New: goodPassword}), "a first password needs no current one")
		_, err := s.p.Authenticate(t.Context(), here.Token)
		assert.NoError(t, err, "the current session stays")
		s.assertUnauthenticated(t, elsewhere.Token, "the user's other sessions end")
		_, err = s.p.Authenticate(t.Context(), bobs.Token)
		assert.NoError(t, err, "other users' sessions stay")

		pw, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ADA@acme.example", Password: goodPassword})
		require.NoError(t, err)
		assert.Equal(t, ada.ID, pw.Membership.ID)
		assert.Equal(t, identity.MethodPassword, pw.Session.Method)

		for _, current := range []string{"", "wrong password!", otherPassword} {
			err = s.p.SetPassword(ctx, portal.SetPasswordParams{Current: current, New: otherPassword})
			assertCode(t, portalerr.Invalid, err, "current %q", current)
			assert.Equal(t, []string{"current_password"}, fieldsOf(err))
		}
		_, err = s.p.Authenticate(t.Context(), pw.Token)
		require.NoError(t, err, "failed changes end no session")

		require.NoError(t, s.p.SetPassword(ctx, portal.SetPasswordParams{Current: goodPassword, New: otherPassword}))
		_, err = s.p.Authenticate(t.Context(), here.Token)
		assert.NoError(t, err)
		s.assertUnauthenticated(t, pw.Token, "the password session ends on change")
		_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: goodPassword})
		assertCode(t, portalerr.Unauthenticated, err, "the old password")
		_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: otherPassword})
		assert.NoError(t, err, "the new password")

		err = s.p.SetPassword(s.owner, portal.SetPasswordParams{New: goodPassword})
		assertCode(t, portalerr.PermissionDenied, err, "staff have no password here")
		err = s.p.SetPassword(t.Context(), portal.SetPasswordParams{New: goodPassword})
		assertCode(t, portalerr.Unauthenticated, err, "no caller")
	})
}

func TestSignInWithPasswordFailures(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		s.addMember(t, c.ID, "nopw@acme.example", customer.RoleViewer)
		require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))

		signIn := func(email, pw string) error {
			_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: email, Password: pw})
			return err
		}
		wrong := signIn("ada@acme.example", otherPassword)
		assertCode(t, portalerr.Unauthenticated, wrong)
		for _, err := range []error{
			signIn("nobody@acme.example", goodPassword),
			signIn("nopw@acme.example", goodPassword),
		} {
			assertCode(t, portalerr.Unauthenticated, err)
			assert.Equal(t, portalerr.MessageOf(wrong), portalerr.MessageOf(err), "nothing tells the cases apart")
		}

		_, err := s.p.DisableUser(s.owner, s.addMember(t, c.ID, "gone@acme.example", customer.RoleViewer).UserID)
		require.NoError(t, err)
		err = signIn("gone@acme.example", goodPassword)
		assertCode(t, portalerr.Unauthenticated, err, "a disabled user without a password")

		err = signIn("", "")
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"email", "password"}, fieldsOf(err))
	})
}

func TestPasswordLockout(t *testing.T) {
	t.Parallel()
	// Generous per-address limits, so that what is tested is the lockout.
	limits := func(c *portal.Config) {
		c.RateLimits = portal.RateLimits{PerEmail: portal.Limit{N: 1000, Window: time.Hour}}
	}
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		bob := s.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)
		require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))
		require.NoError(t, s.p.SetPassword(as(t, bob), portal.SetPasswordParams{New: goodPassword}))
		signIn := func(email, pw string) error {
			_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: email, Password: pw})
			return err
		}

		// A success resets the count.
		for range 4 {
			assertCode(t, portalerr.Unauthenticated, signIn("ada@acme.example", otherPassword))
		}
		require.NoError(t, signIn("ada@acme.example", goodPassword))
		for range 4 {
			assertCode(t, portalerr.Unauthenticated, signIn("ada@acme.example", otherPassword))
		}
		require.NoError(t, signIn("ada@acme.example", goodPassword), "4 failures since the last success")

		for i := range 5 {
			assertCode(t, portalerr.Unauthenticated, signIn("ada@acme.example", otherPassword), "failure %d", i+1)
		}
		err := signIn("ada@acme.example", goodPassword)
		assertCode(t, portalerr.RateLimited, err, "locked after 5 failures, even with the right password")
		assert.Equal(t, 15*time.Minute, retryAfter(err))
		assert.NoError(t, signIn("bob@acme.example", goodPassword), "other users are not locked")

		s.clock.Advance(15*time.Minute - time.Second)
		err = signIn("ada@acme.example", goodPassword)
		assertCode(t, portalerr.RateLimited, err)
		assert.Equal(t, time.Second, retryAfter(err))

		s.clock.Advance(time.Second)
		assert.NoError(t, signIn("ada@acme.example", goodPassword), "after the lockout")
	}, limits)
}

func TestPasswordSignInRateLimit(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))
		for _, email := range []string{"ada@acme.example", "nobody@acme.example"} {
			for range portal.DefaultRateLimits.PerEmail.N {
				_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: email, Password: "not the one!"})
				require.Error(t, err)
			}
			_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: email, Password: goodPassword})
			assertCode(t, portalerr.RateLimited, err, email)
			assert.Positive(t, retryAfter(err), email)
		}
		var sessions []identity.Session
		for _, sess := range s.sessions(t, storage.SessionFilter{UserID: ada.UserID}) {
			if sess.Method == identity.MethodPassword {
				sessions = append(sessions, sess)
			}
		}
		assert.Empty(t, sessions, "no password session was opened")
	})
}
