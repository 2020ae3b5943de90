package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/webhook"
)

// Staff register an endpoint for new customers; creating one publishes
// customer.created in the same transaction, and a pass of the webhook
// worker delivers it, signed, to the receiver, which checks it with
// webhook.Verify. Plain http to this machine is allowed here for the test
// receiver; by default only https to public addresses is.
func ExamplePortal_CreateWebhookEndpoint() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	var secret string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ev webhook.Event
		_ = json.Unmarshal(body, &ev)
		fmt.Println("received", ev.Type, "about", ev.CustomerID, "as", r.Header.Get(webhook.HeaderID))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	p, err := portal.New(portal.Config{
		Store:    store,
		IDs:      portal.SequentialIDs(),
		Webhooks: portal.WebhookConfig{AllowHTTP: true, AllowPrivateAddresses: true},
	})
	if err != nil {
		panic(err)
	}
	admin := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))
	ep, err := p.CreateWebhookEndpoint(admin, portal.CreateWebhookEndpointParams{
		URL: recv.URL, EventTypes: []webhook.Type{webhook.CustomerCreated},
	})
	if err != nil {
		panic(err)
	}
	secret = ep.Secret // shown this once: give it to the receiver

	if _, err := p.CreateCustomer(admin, portal.CreateCustomerParams{Name: "Acme GmbH"}); err != nil {
		panic(err)
	}
	// RunWebhooks does this in a loop; one pass is enough here.
	rep, err := p.DeliverWebhooks(context.Background(), portal.WebhookOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("delivered %d of %d\n", rep.Delivered, rep.Claimed)
	// Output:
	// received customer.created about cus_000003 as wev_000005
	// delivered 1 of 1
}
