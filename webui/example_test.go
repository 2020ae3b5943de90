package webui_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/webui"
)

// The pages mounted under a prefix of an application's own mux, beside
// the API: a signed-out visitor of the portal is sent to its sign-in page.
func ExampleNew() {
	ctx := context.Background()
	store, err := sqlite.OpenTemp(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	p, err := portal.New(portal.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", httpapi.NewHandler(p))
	mux.Handle("/portal/", http.StripPrefix("/portal", webui.New(p,
		webui.WithBasePath("/portal"),
		webui.WithBranding(webui.Branding{Name: "Acme Portal", Color: "#0f766e"}),
	)))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/portal/orders", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))

	w = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/portal/signin", nil)
	req.Header.Set("Accept-Language", "de-CH, en;q=0.5")
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Header().Get("Content-Language"))
	// Output:
	// 303 /portal/signin
	// 200 de
}
