package webui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/webhook"
)

var secretInput = regexp.MustCompile(`<input id="new-secret" class="secret" readonly value="(whsec_[^"]+)">`)

// TestConsoleWebhooks registers an endpoint through the console (its
// secret shown once), edits it, rotates its secret, reads its delivery log
// and a delivery, replays one and a time range, and deletes it; an agent
// reads but changes nothing.
func TestConsoleWebhooks(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	pg := c.br.post("/console/webhooks", url.Values{"url": {"http://erp.example.com/hooks"}, "event_type": {"customer.created"}, "enabled": {"on"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status, "plain http is refused")
	assert.Contains(t, pg.Body, "must use https")
	pg = c.br.post("/console/webhooks", url.Values{"url": {"https://93.184.215.14/hooks"}, "description": {"ERP"},
		"event_type": {"customer.created", "customer.updated"}, "enabled": {"on"}})
	require.Equal(t, http.StatusCreated, pg.Status, pg.Body)
	m := secretInput.FindStringSubmatch(pg.Body)
	require.Len(t, m, 2, "the secret is shown")
	// html/template writes "+" as "&#43;"; the browser reads it back.
	_, err := webhook.ParseSecret(html.UnescapeString(m[1]))
	require.NoError(t, err)
	l, err := c.p.ListWebhookEndpoints(c.owner, portal.ListWebhookEndpointsParams{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	ep := l.Items[0]
	path := "/console/webhooks/" + string(ep.ID)

	pg = c.br.get("/console/webhooks")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "https://93.184.215.14/hooks")
	assert.Contains(t, pg.Body, `<input type="checkbox" name="enabled" checked>`, "a new endpoint is on unless unticked")
	assert.NotContains(t, pg.Body, m[1], "never shown again")

	// Events: one delivery fails unsent while the endpoint is off.
	c.customer(t, "Acme", customer.FeaturesPatch{})
	pg = c.br.post(path, url.Values{"version": {"1"}, "url": {ep.URL}, "event_type": {"customer.created", "customer.updated"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "saved", pg.Query.Get("done"))
	_, err = c.p.DeliverWebhooks(t.Context(), portal.WebhookOptions{})
	require.NoError(t, err)
	pg = c.br.post(path, url.Values{"version": {"2"}, "url": {ep.URL}, "event_type": {"customer.created"}, "enabled": {"on"}, "description": {"ERP import"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = c.br.post(path, url.Values{"version": {"2"}, "url": {ep.URL}, "event_type": {"customer.created"}})
	assert.Equal(t, http.StatusConflict, pg.Status, "a stale version")

	pg = c.br.get(path)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "ERP import")
	assert.Contains(t, pg.Body, "customer.created")
	assert.Contains(t, pg.Body, "status-failed")
	ds, err := c.p.ListWebhookDeliveries(c.owner, ep.ID, portal.ListWebhookDeliveriesParams{})
	require.NoError(t, err)
	require.Len(t, ds.Items, 1)
	d := ds.Items[0]
	pg = c.br.get("/console/webhook-deliveries/" + string(d.ID))
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "the endpoint is disabled")
	assert.Contains(t, pg.Body, string(d.EventID))

	pg = c.br.post("/console/webhook-deliveries/"+string(d.ID)+"/replay", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "replayed", pg.Query.Get("done"))
	pg = c.br.post(path+"/replay", url.Values{"from": {"2020-01-01T00:00"}, "to": {"2100-01-01T00:00"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "1 deliveries will be sent again.")
	pend, err := c.p.ListWebhookDeliveries(c.owner, ep.ID, portal.ListWebhookDeliveriesParams{Status: outbox.Pending})
	require.NoError(t, err)
	assert.Len(t, pend.Items, 2)
	pg = c.br.post(path+"/replay", url.Values{"from": {"yesterday"}, "to": {"2100-01-01T00:00"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)

	pg = c.br.post(path+"/rotate", url.Values{"overlap_hours": {"24"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	rot := secretInput.FindStringSubmatch(pg.Body)
	require.Len(t, rot, 2)
	assert.NotEqual(t, m[1], rot[1])
	assert.Contains(t, pg.Body, "Old secret signs until")
	assert.Contains(t, pg.Body, `value="https://93.184.215.14/hooks"`, "the edit form still shows the endpoint")

	for _, lang := range []string{"en", "de"} {
		for _, p := range []string{"/console/webhooks", path, "/console/webhook-deliveries/" + string(d.ID)} {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.srv.URL+p, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Language", lang)
			pg := c.br.do(req)
			assert.Equal(t, http.StatusOK, pg.Status, "%s %s", lang, p)
			assert.NotRegexp(t, `>[a-z_]+:[a-z_]+<`, pg.Body, "%s %s: an enumeration without a label", lang, p)
		}
	}

	// An agent reads, and may not change anything.
	agent, err := c.p.CreateAPIKey(c.owner, portal.CreateAPIKeyParams{Name: "agent", Role: identity.StaffAgent})
	require.NoError(t, err)
	br := newFollower(t, c.srv, agent.Token)
	pg = br.get(path)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.NotContains(t, pg.Body, "Rotate the secret")
	assert.Equal(t, http.StatusForbidden, br.post(path+"/delete", nil).Status)
	assert.Equal(t, http.StatusForbidden, br.post(path+"/rotate", url.Values{"overlap_hours": {"0"}}).Status)
	assert.Equal(t, http.StatusForbidden, br.post("/console/webhooks", url.Values{"url": {"https://93.184.215.15/"}, "event_type": {"customer.created"}}).Status)

	pg = c.br.post(path+"/delete", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "/console/webhooks", pg.Path)
	assert.Equal(t, http.StatusNotFound, c.br.get(path).Status)
}

// TestConsoleWebhooksTurnCustomerUsersAway: a customer's admin never
// reaches the webhook pages.
func TestConsoleWebhooksTurnCustomerUsersAway(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	e, err := c.p.CreateWebhookEndpoint(c.owner, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.14/hooks", EventTypes: []webhook.Type{webhook.CustomerUpdated}, CustomerID: cu.ID})
	require.NoError(t, err)
	_, token := c.member(t, cu.ID, "ada@acme.example", customer.RoleAdmin)
	br := newFollower(t, c.srv, token)
	br.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, p := range []string{"/console/webhooks", "/console/webhooks/" + string(e.ID)} {
		pg := br.get(p)
		assert.Equal(t, http.StatusSeeOther, pg.Status, p)
		assert.NotContains(t, pg.Body, "93.184.215.14", p)
	}
	pg := br.post("/console/webhooks/"+string(e.ID)+"/delete", nil)
	assert.Equal(t, http.StatusSeeOther, pg.Status)
	_, err = c.p.GetWebhookEndpoint(c.owner, e.ID)
	assert.NoError(t, err, "still there")
}

// TestConsoleWebhookEveryEvent: the endpoint form groups the event types by
// object, offers every one of webhook.Types, and "every event" subscribes
// to all of them.
func TestConsoleWebhookEveryEvent(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	pg := c.br.get("/console/webhooks")
	require.Equal(t, http.StatusOK, pg.Status)
	for _, ty := range webhook.Types {
		assert.Contains(t, pg.Body, `value="`+string(ty)+`"`, "the form offers %s", ty)
	}
	assert.Contains(t, pg.Body, `<legend><code>webhook_endpoint</code></legend>`, "grouped by object")
	pg = c.br.post("/console/webhooks", url.Values{"url": {"https://93.184.215.14/all"}, "every_event": {"on"}, "enabled": {"on"}})
	require.Equal(t, http.StatusCreated, pg.Status, pg.Body)
	l, err := c.p.ListWebhookEndpoints(c.owner, portal.ListWebhookEndpointsParams{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, webhook.Types, l.Items[0].Types)
}
