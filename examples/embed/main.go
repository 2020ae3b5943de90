// Command embed shows portalkit inside an application that already has its own HTTP routes and
// its own tokens.
//
// The application owns the http.ServeMux: its route GET /app/hello stays as it was, and
// portalkit's handler is mounted under /portal/ with http.StripPrefix, so the API answers at
// /portal/v1/…, /portal/healthz and so on.
//
// The application also issues its own bearer tokens. Here they are HMAC-SHA256-signed
// "payload.signature" tokens made with the standard library, standing in for the JWTs a real
// application already has. An identity.Authenticator plugged in with httpapi.WithAuthenticator
// turns them into portalkit principals:
//
//   - a token with a staff role (owner, admin or agent) becomes identity.Staff;
//   - a token naming a customer and a membership becomes identity.User. The membership is one the
//     application created through portalkit (POST /portal/v1/customers/{id}/memberships) and
//     keeps next to its own user; portalkit checks it, as stored now, on every call.
//
// Tokens shaped like portalkit's own (API keys pk_…, sessions ps_…) go to portal.Authenticate,
// so portalkit's API keys and sign-ins keep working next to the application's tokens.
//
//	go run ./examples/embed                  # http://127.0.0.1:8080, SQLite in a temporary directory
//	go run ./examples/embed --db embed.db --secret "$APP_SECRET"
//
// On start it prints an application token for a staff owner, valid for an hour. With it in $TOKEN:
//
//	curl http://127.0.0.1:8080/app/hello
//	curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
//	     -d '{"name":"Acme"}' http://127.0.0.1:8080/portal/v1/customers
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then drains in-flight requests and returns nil.
// Everything it prints, logs included, goes to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	db := fs.String("db", "", "SQLite database `path`; default a new one in a temporary directory")
	secret := fs.String("secret", "", "HMAC `key` of the application's tokens; default a random one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))

	key := []byte(*secret)
	if len(key) == 0 {
		key = []byte(rand.Text())
	}
	if *db == "" {
		dir, err := os.MkdirTemp("", "portalkit-embed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*db = filepath.Join(dir, "portalkit.db")
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	// Mail is written to the log, links included; an application would
	// pass mailer.NewSMTP here, and its own public URL.
	p, err := portal.New(portal.Config{
		Store: store, Logger: log, Mailer: mailer.NewLog(log),
		Branding: mailer.Branding{ProductName: "embed example", PublicBaseURL: "http://" + *addr + "/portal"},
	})
	if err != nil {
		return err
	}
	// The outbox worker sends the mail the use cases enqueue; it stops with
	// ctx, after the message in hand, before the store closes.
	wctx, stopWorker := context.WithCancel(ctx)
	worker := make(chan error, 1)
	go func() { worker <- p.RunOutbox(wctx, portal.OutboxOptions{}) }()
	defer func() { stopWorker(); <-worker }()

	// The application's own mux and routes, with portalkit mounted under /portal/.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /app/hello", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "hello from the application")
	})
	api := httpapi.NewHandler(p, httpapi.WithLogger(log), httpapi.WithAuthenticator(authenticator(key, p)))
	mux.Handle("/portal/", http.StripPrefix("/portal", api))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	owner := sign(key, claims{Subject: "demo-owner", Staff: identity.StaffOwner, Expires: time.Now().Add(time.Hour).Unix()})
	fmt.Fprintf(stdout, "An application token for a staff owner, valid for an hour:\n\n    %s\n\n", owner)
	fmt.Fprintf(stdout, "embed listening on http://%s (portalkit under /portal/)\n", ln.Addr())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// claims are what the application's tokens say about their bearer.
type claims struct {
	// Subject is the staff member's ID in the application, or the portalkit
	// user ID of a customer's person.
	Subject string `json:"sub"`
	// Staff is set for the provider's people: owner, admin or agent.
	Staff identity.StaffRole `json:"staff,omitempty"`
	// Customer and Membership are set for a customer's person: the
	// portalkit membership the application keeps for its user.
	Customer   customer.ID           `json:"cus,omitempty"`
	Membership customer.MembershipID `json:"mem,omitempty"`
	// Expires is the end of the token, in Unix seconds.
	Expires int64 `json:"exp"`
}

var b64 = base64.RawURLEncoding

// sign returns the token "base64url(JSON of c).base64url(HMAC-SHA256 of the first part)".
func sign(key []byte, c claims) string {
	body, err := json.Marshal(c)
	if err != nil {
		panic(err) // claims always marshal
	}
	payload := b64.EncodeToString(body)
	return payload + "." + b64.EncodeToString(mac(key, payload))
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// errBadToken is how an Authenticator refuses a token: httpapi answers a
// portalerr.Unauthenticated with 401 and a problem document.
var errBadToken = portalerr.New(portalerr.Unauthenticated, "the token is not valid or has expired")

// verify checks the signature and expiry of an application token and
// returns its claims.
func verify(key []byte, token string, now time.Time) (claims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	got, err := b64.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, mac(key, payload)) {
		return claims{}, errBadToken
	}
	body, err := b64.DecodeString(payload)
	var c claims
	if err != nil || json.Unmarshal(body, &c) != nil || c.Subject == "" || now.Unix() >= c.Expires {
		return claims{}, errBadToken
	}
	return c, nil
}

// authenticator accepts the application's tokens and, for portalkit's own
// API keys and sessions, asks the portal.
func authenticator(key []byte, p *portal.Portal) identity.Authenticator {
	return identity.AuthenticatorFunc(func(ctx context.Context, token string) (identity.Principal, error) {
		if strings.HasPrefix(token, invite.PrefixAPIKey) || strings.HasPrefix(token, invite.PrefixSession) {
			return p.Authenticate(ctx, token)
		}
		c, err := verify(key, token, time.Now())
		switch {
		case err != nil:
			return identity.Principal{}, err
		case c.Staff.Valid():
			return identity.Staff(c.Subject, c.Staff), nil
		case c.Staff == "" && c.Customer != "" && c.Membership != "":
			return identity.User(customer.Membership{ID: c.Membership, UserID: customer.UserID(c.Subject), CustomerID: c.Customer}), nil
		}
		return identity.Principal{}, errBadToken
	})
}
