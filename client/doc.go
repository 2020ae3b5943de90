// Package client owns the Go client of the portalkit HTTP API, for API consumers who call a
// running portalkit server: the client and models generated from openapi.yaml (client.gen.go),
// and a small hand-written wrapper (client.go) for authentication and errors.
//
// New makes a Client; WithAPIKey (pk_…, staff rights for machines) or WithSessionToken (ps_…, a
// signed-in person) sets "Authorization: Bearer <token>" on every request, and WithHTTPClient
// takes your *http.Client. Every operation of the API is a method that decodes its answers: the
// success body in JSON200 or JSON201, a problem in the ApplicationproblemJSONnnn fields. Check
// turns an answer into an error, so a call and its check fit in one line:
//
//	c, err := client.New("http://127.0.0.1:8080", client.WithAPIKey(os.Getenv("PORTALKIT_API_KEY")))
//	if err != nil {
//		log.Fatal(err)
//	}
//	r, err := client.Check(c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme GmbH"}))
//	switch {
//	case errors.Is(err, client.ErrInvalid):
//		var e *client.Error
//		errors.As(err, &e)
//		fmt.Println(e.Fields) // which input was wrong, and why
//	case err != nil:
//		log.Fatal(err)
//	default:
//		fmt.Println(r.JSON201.Id)
//	}
//
// A problem answer (RFC 9457 application/problem+json) becomes an *Error with the HTTP status,
// the stable code, the message, field violations, the server's request ID and, when rate limited,
// how long to wait; errors.Is matches it against the sentinel of its code (ErrNotFound,
// ErrInvalid, ErrConflict, …). Transport errors pass through unchanged.
//
// The generated code is never edited by hand: change openapi.yaml and run `go generate ./...`.
// Its low-level client, which returns bare *http.Response values, is RawClient.
package client
