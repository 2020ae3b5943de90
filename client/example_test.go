package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// newServer starts a portalkit server on a throwaway SQLite store and
// returns it, its first owner API key, and a func that stops it and removes
// the store.
func newServer() (*httptest.Server, string, func()) {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	p, err := portal.New(portal.Config{Store: store, IDs: portal.SequentialIDs()})
	if err != nil {
		panic(err)
	}
	boot, err := p.Bootstrap(context.Background(), portal.BootstrapParams{})
	if err != nil {
		panic(err)
	}
	key := boot.APIKey
	quiet := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(httpapi.NewHandler(p, httpapi.WithLogger(quiet)))
	return srv, key, func() { srv.Close(); store.Close() }
}

func Example() {
	srv, apiKey, stop := newServer()
	defer stop()
	ctx := context.Background()

	c, err := client.New(srv.URL, client.WithAPIKey(apiKey))
	if err != nil {
		panic(err)
	}
	r, err := client.Check(c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme GmbH"}))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.JSON201.Name, r.JSON201.Status)

	list, err := client.Check(c.ListCustomersWithResponse(ctx, nil))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(list.JSON200.Items), "customer")
	// Output:
	// Acme GmbH active
	// 1 customer
}

func ExampleError() {
	srv, apiKey, stop := newServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(srv.URL, client.WithAPIKey(apiKey))
	if err != nil {
		panic(err)
	}

	_, err = client.Check(c.GetCustomerWithResponse(ctx, "cus_nobody"))
	fmt.Println(errors.Is(err, client.ErrNotFound))

	// Auto-confirmed orders need order authorization.
	on := true
	_, err = client.Check(c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{
		Name: "Acme GmbH", Features: &client.FeaturesPatch{AutoConfirmOrders: &on},
	}))
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code)
		for _, f := range e.Fields {
			fmt.Println(f.Field+":", f.Message)
		}
	}

	anonymous, err := client.New(srv.URL)
	if err != nil {
		panic(err)
	}
	_, err = client.Check(anonymous.ListCustomersWithResponse(ctx, nil))
	fmt.Println(errors.Is(err, client.ErrUnauthenticated))
	// Output:
	// true
	// 400 invalid
	// features.auto_confirm_orders: auto_confirm_orders needs order_authorization
	// true
}

// Example_staff signs the first owner staff member in with the one-time
// token Bootstrap made for it (the reference server prints it as a link),
// and invites a colleague through the owner's session.
func Example_staff() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, err := portal.New(portal.Config{Store: store, IDs: portal.SequentialIDs()})
	if err != nil {
		panic(err)
	}
	boot, err := p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "grace@provider.example", OwnerName: "Grace"})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(httpapi.NewHandler(p, httpapi.WithLogger(slog.New(slog.DiscardHandler))))
	defer srv.Close()
	ctx := context.Background()

	anonymous, err := client.New(srv.URL)
	if err != nil {
		panic(err)
	}
	in, err := client.Check(anonymous.SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: boot.OwnerLoginToken}))
	if err != nil {
		panic(err)
	}
	fmt.Println(in.JSON201.Staff.Name, in.JSON201.Staff.Role, in.JSON201.Staff.Status)

	grace, err := client.New(srv.URL, client.WithSessionToken(in.JSON201.Token))
	if err != nil {
		panic(err)
	}
	inv, err := client.Check(grace.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{
		Email: "alan@provider.example", Name: "Alan", Role: client.StaffRoleAgent,
	}))
	if err != nil {
		panic(err)
	}
	fmt.Println(inv.JSON201.Email, inv.JSON201.Status, inv.JSON201.InvitedBy == "staff:"+in.JSON201.Staff.Id)
	// Output:
	// Grace owner active
	// alan@provider.example invited true
}
