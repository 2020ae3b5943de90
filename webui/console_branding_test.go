package webui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
)

// TestConsoleSetsBranding gives a customer its own look from the console:
// the values are stored, shown again, and a host name another customer
// holds is refused with nothing changed.
func TestConsoleSetsBranding(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	globex := c.customer(t, "Globex", customer.FeaturesPatch{})
	path := "/console/customers/" + string(acme.ID)

	form := func(cu customer.Customer, host string) url.Values {
		got, err := c.p.GetCustomer(c.owner, cu.ID)
		require.NoError(t, err)
		return url.Values{
			"version": {itoa(got.Version)}, "name": {got.Name}, "display_name": {got.Name + " Portal"},
			"logo_url": {"https://cdn.example/" + strings.ToLower(got.Name) + ".png"}, "accent_color": {"#0F766E"}, "host_name": {host},
		}
	}
	pg := c.br.post(path, form(acme, "Portal.Acme.Example"))
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "saved", pg.Query.Get("done"))
	got, err := c.p.GetCustomer(c.owner, acme.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.Branding{DisplayName: "Acme Portal", LogoURL: "https://cdn.example/acme.png", AccentColor: "#0f766e", HostName: "portal.acme.example"}, got.Branding)
	assert.Contains(t, c.br.get(path).Body, `value="portal.acme.example"`)

	pg = c.br.post("/console/customers/"+string(globex.ID), form(globex, "portal.acme.example"))
	assert.Equal(t, http.StatusConflict, pg.Status)
	again, err := c.p.GetCustomer(c.owner, globex.ID)
	require.NoError(t, err)
	assert.Empty(t, again.Branding.HostName, "nothing changed")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
