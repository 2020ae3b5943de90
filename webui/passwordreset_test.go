package webui_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// TestPasswordResetPages has a customer admin and a staff member forget
// their passwords: the sign-in pages link to the form, which answers alike
// for unknown addresses; the mailed link's token leaves the address bar, a
// weak password keeps the link, the reset signs the browser out, the new
// password signs in, and the used link says to ask for a new one.
func TestPasswordResetPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.a.users["admin"]
	_, err := s.p.InviteStaff(portaltest.Owner(t.Context()), portal.InviteStaffParams{Email: "abe@provider.example", Name: "Abe", Role: identity.StaffAgent})
	require.NoError(t, err)
	abe, ok := s.mail.Last("abe@provider.example")
	require.True(t, ok)
	_, err = s.p.SignInStaffWithLoginLink(t.Context(), abe.Token)
	require.NoError(t, err)

	for _, tc := range []struct {
		prefix, email, home string
		kind                portal.NotificationKind
	}{
		{"", admin.email, "/", portal.NotifyPasswordReset},
		{"/console", "abe@provider.example", "/console", portal.NotifyStaffPasswordReset},
	} {
		t.Run("prefix="+tc.prefix, func(t *testing.T) {
			anon := s.browser(t, "")
			pg := anon.get(tc.prefix + "/signin")
			require.Equal(t, http.StatusOK, pg.status)
			assert.Contains(t, pg.body, `href="`+tc.prefix+`/forgot-password"`)
			pg = anon.get(tc.prefix + "/forgot-password")
			require.Equal(t, http.StatusOK, pg.status)

			pg = anon.post(tc.prefix+"/forgot-password", url.Values{"email": {"nobody@example.com"}})
			require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
			unknown := pg.location
			pg = anon.post(tc.prefix+"/forgot-password", url.Values{"email": {tc.email}})
			require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
			assert.Equal(t, tc.prefix+"/signin?done=reset_sent", pg.location)
			assert.Equal(t, unknown, pg.location, "the same answer for an unknown address")
			m, ok := s.mail.Last(tc.email)
			require.True(t, ok)
			require.Equal(t, tc.kind, m.Kind)
			u, err := url.Parse(m.Link)
			require.NoError(t, err)
			require.Equal(t, tc.prefix+"/reset-password", u.Path)

			// The person is signed in elsewhere; the reset ends that too.
			var elsewhere string
			if tc.prefix == "" {
				elsewhere = admin.token
			} else {
				in, err := s.p.SignInStaffWithLoginLink(t.Context(), s.staffLink(t, tc.email))
				require.NoError(t, err)
				elsewhere = in.Token
			}

			br := s.browser(t, "")
			pg = br.get(u.Path + "?" + u.RawQuery)
			require.Equal(t, http.StatusSeeOther, pg.status)
			assert.Equal(t, u.Path, pg.location, "the token leaves the address bar")
			pg = br.get(u.Path)
			assert.Contains(t, pg.body, `name="new_password"`)
			pg = br.post(u.Path, url.Values{"new_password": {"short"}})
			assert.Equal(t, http.StatusBadRequest, pg.status, "a weak password is refused")
			pg = br.post(u.Path, url.Values{"new_password": {"amber-willow-canyon-9"}})
			require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
			assert.Equal(t, tc.prefix+"/signin?done=password_reset", pg.location)
			_, err = s.p.Authenticate(t.Context(), elsewhere)
			assert.Error(t, err, "the other session ended")

			pg = br.post(tc.prefix+"/signin/password", url.Values{"email": {tc.email}, "password": {"amber-willow-canyon-9"}})
			require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
			assert.Equal(t, tc.home, pg.location)

			again := s.browser(t, "")
			again.get(u.Path + "?" + u.RawQuery)
			pg = again.post(u.Path, url.Values{"new_password": {"another-long-phrase-2"}})
			assert.Equal(t, http.StatusUnauthorized, pg.status, "the link works once")
			assert.Contains(t, pg.body, `href="`+tc.prefix+`/forgot-password"`)
		})
	}
}

// staffLink asks for a staff login link and returns its token.
func (s *site) staffLink(t *testing.T, email string) string {
	t.Helper()
	require.NoError(t, s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: email}))
	m, ok := s.mail.Last(email)
	require.True(t, ok)
	require.Equal(t, portal.NotifyStaffLoginLink, m.Kind)
	return m.Token
}
