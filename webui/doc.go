// Package webui owns portalkit's web pages: the provider console for staff
// and the customer portal for customer users, server-rendered over a
// [portal.Portal].
//
// New returns an http.Handler to mount beside the API:
//
//	mux := http.NewServeMux()
//	mux.Handle("/v1/", httpapi.NewHandler(p))
//	mux.Handle("/", webui.New(p, webui.WithBranding(webui.Branding{Name: "Acme Portal"})))
//
// or under a prefix of an embedder's own mux:
//
//	mux.Handle("/portal/", http.StripPrefix("/portal", webui.New(p, webui.WithBasePath("/portal"))))
//
// The pages are plain HTML forms that work without JavaScript, with one
// small stylesheet. A signed-in person holds a session of the portal's own
// session store in an HttpOnly, SameSite=Lax cookie (Secure behind https),
// so signing out, disabling a person or suspending a customer ends the
// session here as in the API. Every state-changing request must come from
// the pages' own origin (http.CrossOriginProtection), and the Content
// Security Policy allows no inline script.
//
// The customer portal answers the links portalkit's mail holds:
// /accept?token=… (invitations), /login?token=… (login links),
// /access?token=… (access links) and /orders/{id}. A token in a link is
// moved into a short-lived cookie and the address bar is cleared before
// anything is redeemed; redeeming takes a click, so that mail scanners
// that fetch links do not use up one-time tokens.
//
// Pages speak English and German, chosen by the person's language setting
// and then the browser's Accept-Language; dates and money are formatted
// for the language. What a page offers follows [portal.Portal.Me]: an
// action the policy refuses (by role, site limit or a feature that is off)
// is not shown.
package webui
