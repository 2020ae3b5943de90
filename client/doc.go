// Package client owns the Go client of the portalkit HTTP API: the client and models generated
// from openapi.yaml (client.gen.go), for API consumers who call a running portalkit server.
//
// ClientWithResponses calls every operation of the API and decodes its answers: the success body,
// and for problems a Problem with its stable code and field violations. Authenticate with a
// request editor that sets "Authorization: Bearer <token>", an API key (pk_…) or a session token
// (ps_…):
//
//	c, err := client.NewClientWithResponses("http://127.0.0.1:8080",
//		client.WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
//			req.Header.Set("Authorization", "Bearer "+apiKey)
//			return nil
//		}))
//
// The generated code is never edited by hand: change openapi.yaml and run `go generate ./...`.
package client
