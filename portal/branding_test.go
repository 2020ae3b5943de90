package portal_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

var acmeBranding = customer.Branding{
	DisplayName: "Acme Portal",
	LogoURL:     "https://cdn.acme.example/logo.svg",
	AccentColor: "#ff8800",
	HostName:    "portal.acme.example",
}

// providerBranding is what portaltest.New configures.
var providerBranding = portal.Branding{
	Name: "Portal Test", AccentColor: mailer.DefaultColor, BaseURL: portaltest.PublicURL,
}

func TestCreateCustomerWithBranding(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name: "Acme GmbH",
			Branding: customer.Branding{
				DisplayName: " Acme Portal ", LogoURL: acmeBranding.LogoURL, AccentColor: "#FF8800", HostName: "Portal.Acme.Example.",
			},
		})
		require.NoError(t, err)
		assert.Equal(t, acmeBranding, c.Branding, "normalised")
		got, err := e.p.GetCustomer(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, got)

		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name: "Globex", Branding: customer.Branding{HostName: "PORTAL.acme.example"},
		})
		assertCode(t, portalerr.AlreadyExists, err)
		assert.Equal(t, []string{"branding.host_name"}, fieldsOf(err))

		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name: "Initech", ExternalRef: "ERP-1", Branding: customer.Branding{HostName: "portal.initech.example"},
		})
		require.NoError(t, err)
		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name: "Initech 2", ExternalRef: "ERP-1", Branding: customer.Branding{HostName: "portal2.initech.example"},
		})
		assertCode(t, portalerr.AlreadyExists, err)
		assert.Equal(t, []string{"external_ref"}, fieldsOf(err), "the external reference is what is taken")
	})
}

func TestCustomerBrandingRejectsBadInput(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		_, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name: "X", Phone: "1\n2",
			Branding: customer.Branding{
				DisplayName: strings.Repeat("x", 101), LogoURL: "http://cdn.acme.example/l.png",
				AccentColor: "orange", HostName: "portal.acme.example:8443",
			},
		})
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"phone", "branding.display_name", "branding.logo_url", "branding.accent_color", "branding.host_name"},
			fieldsOf(err), "every bad field at once")

		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name: "X", Branding: customer.Branding{HostName: "Portal.Example.com"},
		})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"branding.host_name"}, fieldsOf(err), "the provider's own host name")

		c := e.createCustomer(t, "Acme")
		_, err = e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{
			Version: c.Version, Branding: &customer.Branding{AccentColor: "#12"},
		})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"branding.accent_color"}, fieldsOf(err))

		l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "only Acme was written")
		assert.True(t, l.Items[0].Branding.IsZero())
	})
}

func TestUpdateCustomerBranding(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		a := e.createCustomer(t, "Acme")
		g, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Globex", Branding: customer.Branding{HostName: "portal.globex.example"}})
		require.NoError(t, err)

		a, err = e.p.UpdateCustomer(e.owner, a.ID, portal.UpdateCustomerParams{Version: a.Version, Branding: &acmeBranding})
		require.NoError(t, err)
		assert.Equal(t, acmeBranding, a.Branding)

		// Leaving branding out keeps it.
		a, err = e.p.UpdateCustomer(e.owner, a.ID, portal.UpdateCustomerParams{Version: a.Version, Phone: ptr("+49 30 1")})
		require.NoError(t, err)
		assert.Equal(t, acmeBranding, a.Branding)

		// Another customer's host name is taken; nothing changes.
		_, err = e.p.UpdateCustomer(e.owner, a.ID, portal.UpdateCustomerParams{
			Version: a.Version, Name: ptr("Acme AG"), Branding: &customer.Branding{HostName: "portal.globex.example"},
		})
		assertCode(t, portalerr.AlreadyExists, err)
		assert.Equal(t, []string{"branding.host_name"}, fieldsOf(err))
		got, err := e.p.GetCustomer(e.owner, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)

		// The zero Branding goes back to the provider's look and frees
		// the host name.
		g, err = e.p.UpdateCustomer(e.owner, g.ID, portal.UpdateCustomerParams{Version: g.Version, Branding: &customer.Branding{}})
		require.NoError(t, err)
		assert.True(t, g.Branding.IsZero())
		_, err = e.p.UpdateCustomer(e.owner, a.ID, portal.UpdateCustomerParams{
			Version: a.Version, Branding: &customer.Branding{HostName: "portal.globex.example"},
		})
		assert.NoError(t, err)
	})
}

func TestCustomerBrandingIsForStaffAdmins(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		admin := e.addMember(t, c.ID, "admin@acme.example", customer.RoleAdmin)
		for name, ctx := range map[string]context.Context{
			"customer admin": as(t, admin),
			"staff agent":    portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent)),
		} {
			_, err := e.p.UpdateCustomer(ctx, c.ID, portal.UpdateCustomerParams{Version: c.Version, Branding: &acmeBranding})
			assertCode(t, portalerr.PermissionDenied, err, name)
		}
	})
}

func TestBrandingForHost(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		acme, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", Branding: acmeBranding})
		require.NoError(t, err)
		// Only a host name: the provider's look on the customer's host.
		globex, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Globex", Branding: customer.Branding{HostName: "globex.example"}})
		require.NoError(t, err)

		ctx := t.Context() // no caller: the sign-in pages have none
		wantAcme := portal.Branding{
			CustomerID: acme.ID, Name: "Acme Portal", LogoURL: acmeBranding.LogoURL, AccentColor: "#ff8800",
			BaseURL: "https://portal.acme.example",
		}
		for _, host := range []string{"portal.acme.example", "Portal.Acme.Example:443", "portal.acme.example."} {
			b, err := e.p.BrandingForHost(ctx, host)
			require.NoError(t, err)
			assert.Equal(t, wantAcme, b, host)
		}
		b, err := e.p.BrandingForHost(ctx, "globex.example:8080")
		require.NoError(t, err)
		assert.Equal(t, portal.Branding{
			CustomerID: globex.ID, Name: "Portal Test", AccentColor: mailer.DefaultColor, BaseURL: "https://globex.example",
		}, b)

		for _, host := range []string{"", "portal.example.com", "unknown.example", "acme.example", "[::1]:8080"} {
			b, err := e.p.BrandingForHost(ctx, host)
			require.NoError(t, err)
			assert.Equal(t, providerBranding, b, "host %q", host)
		}

		// A suspended customer's host shows the provider's look.
		_, err = e.p.SuspendCustomer(e.owner, acme.ID)
		require.NoError(t, err)
		b, err = e.p.BrandingForHost(ctx, "portal.acme.example")
		require.NoError(t, err)
		assert.Equal(t, providerBranding, b)
	})
}

func TestBrandingForHostKeepsPortAndPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, newSQLiteStore(t), func(c *portal.Config) {
		c.Branding = mailer.Branding{ProductName: "Dev", PublicBaseURL: "http://localhost:8080/portal/", SupportEmail: "help@provider.example"}
	})
	_, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", Branding: customer.Branding{HostName: "acme.localhost"}})
	require.NoError(t, err)
	b, err := e.p.BrandingForHost(t.Context(), "acme.localhost:8080")
	require.NoError(t, err)
	assert.Equal(t, "http://acme.localhost:8080/portal", b.BaseURL)
	assert.Equal(t, "help@provider.example", b.SupportEmail, "support stays the provider's")
}

func TestMailToACustomersPeopleIsBranded(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Acme", Branding: acmeBranding})
		require.NoError(t, err)
		plain := s.createCustomer(t, "Globex")

		// Invitation and login link to Acme's people: Acme's look, links
		// on Acme's host.
		_, token := s.invite(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
		inv := s.lastNotice(t, "ada@acme.example")
		assert.Equal(t, "https://portal.acme.example/accept?token="+token, inv.Link)
		assert.Contains(t, inv.Text, "Acme Portal")
		assert.NotContains(t, inv.Text, "Portal Test")
		assert.Contains(t, inv.HTML, `src="https://cdn.acme.example/logo.svg"`)
		assert.Contains(t, inv.HTML, "solid #ff8800")
		s.accept(t, token, "Ada")
		login := s.loginLink(t, "ada@acme.example")
		ll := s.lastNotice(t, "ada@acme.example")
		assert.Equal(t, "https://portal.acme.example/login?token="+login, ll.Link)
		assert.Contains(t, ll.Text, "Acme Portal")

		// A customer without branding: the provider's.
		_, token = s.invite(t, plain.ID, "bob@globex.example", customer.RoleAdmin)
		n := s.lastNotice(t, "bob@globex.example")
		assert.Equal(t, portaltest.PublicURL+"/accept?token="+token, n.Link)
		assert.Contains(t, n.Text, "Portal Test")
		assert.Contains(t, n.HTML, "solid "+mailer.DefaultColor)

		// The branding is read when the mail leaves: a change before then
		// shows.
		acme, err = s.p.GetCustomer(s.owner, acme.ID)
		require.NoError(t, err)
		_, err = s.p.UpdateCustomer(s.owner, acme.ID, portal.UpdateCustomerParams{
			Version: acme.Version, Branding: &customer.Branding{DisplayName: "Acme Intranet"},
		})
		require.NoError(t, err)
		_, token = s.invite(t, acme.ID, "cy@acme.example", customer.RoleViewer)
		n = s.lastNotice(t, "cy@acme.example")
		assert.Equal(t, portaltest.PublicURL+"/accept?token="+token, n.Link, "no host name: the provider's")
		assert.Contains(t, n.Text, "Acme Intranet")
		assert.Contains(t, n.HTML, "solid "+mailer.DefaultColor, "no colour: the provider's")
	})
}

func TestOrderMailIsBranded(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{AutoConfirmOrders: ptr(true)}, func(t *testing.T, s shop) {
		_, err := s.p.UpdateCustomer(s.owner, s.c.ID, portal.UpdateCustomerParams{Version: s.c.Version, Branding: &acmeBranding})
		require.NoError(t, err)
		o := s.order(t, s.maintainer, line(s.laptop, 1))
		n, ok := s.rec.Last(s.maintainer.User.Email)
		require.True(t, ok)
		assert.Equal(t, portal.NotifyOrderConfirmed, n.Kind)
		assert.Equal(t, "https://portal.acme.example/orders/"+string(o.ID), n.Link)
		assert.Contains(t, n.Text, "Acme Portal")
	})
}

func TestPreviewMailTemplateIsBranded(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", Branding: acmeBranding})
		require.NoError(t, err)
		got, err := e.p.PreviewMailTemplate(e.owner, c.ID, mailer.KindLoginLink, "en", portal.MailTemplateParams{})
		require.NoError(t, err)
		assert.Contains(t, got.Text, "https://portal.acme.example/login?token=")
		assert.Contains(t, got.HTML, "solid #ff8800")
	})
}

// TestConcurrentHostNames has customers race for one host name: the
// database's unique index decides, so exactly one gets it and every other
// is told that the host name, not the external reference, is taken, on
// PostgreSQL (SERIALIZABLE, writers at once) as on SQLite.
func TestConcurrentHostNames(t *testing.T) {
	t.Parallel()
	const racers = 8
	eachBackend(t, func(t *testing.T, e env) {
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				_, errs[i] = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
					Name: fmt.Sprintf("Racer %d", i), ExternalRef: fmt.Sprintf("ERP-%d", i),
					Branding: customer.Branding{HostName: "portal.race.example"},
				})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			assertCode(t, portalerr.AlreadyExists, err)
			assert.Equal(t, []string{"branding.host_name"}, fieldsOf(err))
		}
		assert.Equal(t, 1, won)
		b, err := e.p.BrandingForHost(t.Context(), "portal.race.example")
		require.NoError(t, err)
		assert.NotEmpty(t, b.CustomerID)
	})
}
