package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/filestore"
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

// ExampleFileUpload attaches a file to a ticket and downloads it again.
// The server keeps files in the store portal.Config.Files names.
func ExampleFileUpload() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	files, err := filestore.Open(context.Background(), "mem://")
	if err != nil {
		panic(err)
	}
	defer files.Close()
	p, err := portal.New(portal.Config{Store: store, IDs: portal.SequentialIDs(), Files: files})
	if err != nil {
		panic(err)
	}
	boot, err := p.Bootstrap(context.Background(), portal.BootstrapParams{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(httpapi.NewHandler(p, httpapi.WithLogger(slog.New(slog.DiscardHandler))))
	defer srv.Close()
	ctx := context.Background()
	c, err := client.New(srv.URL, client.WithAPIKey(boot.APIKey))
	if err != nil {
		panic(err)
	}
	on := true
	cu, err := client.Check(c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme GmbH", Features: &client.FeaturesPatch{Tickets: &on}}))
	if err != nil {
		panic(err)
	}
	tk, err := client.Check(c.OpenTicketWithResponse(ctx, cu.JSON201.Id, nil, client.OpenTicketRequest{Type: "generic", Subject: "Printer jams"}))
	if err != nil {
		panic(err)
	}

	contentType, body := client.FileUpload("jam.txt", strings.NewReader("Paper jam in tray 2."))
	att, err := client.Check(c.AttachToTicketWithBodyWithResponse(ctx, cu.JSON201.Id, tk.JSON201.Id, contentType, body))
	if err != nil {
		panic(err)
	}
	fmt.Println(att.JSON201.Name, att.JSON201.ContentType, att.JSON201.Size)

	got, err := client.Check(c.DownloadTicketAttachmentWithResponse(ctx, cu.JSON201.Id, tk.JSON201.Id, att.JSON201.Id))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(got.Body))
	fmt.Println(got.HTTPResponse.Header.Get("Content-Disposition"))
	// Output:
	// jam.txt text/plain; charset=utf-8 20
	// Paper jam in tray 2.
	// attachment; filename="jam.txt"; filename*=UTF-8''jam.txt
}
