package main

import (
	"html/template"
	"net/http"
)

// The links in invitations and sign-in messages point at /accept, /login and
// /access on the public URL (staff members' at /console/accept and
// /console/login), where a real portal's front end would be. The
// reference server has no front end, so it answers them with a minimal page
// that posts the token to the API and shows the session token it gets back.
// The page posts only when asked: mail scanners that fetch links must not
// use up a one-time token.
var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · portalkit</title>
<meta name="referrer" content="no-referrer">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
input,button{font:inherit;padding:.3rem .6rem}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap;word-break:break-all}</style>
</head><body>
<h1>{{.Title}}</h1>
<p>portalkit's reference server has no user interface: this page trades the link's token for a
session token, which you then send as <code>Authorization: Bearer …</code> to the API.</p>
<form id="f">{{if .AskName}}<p><label>Your name <input name="name" required maxlength="200"></label></p>{{end}}
<p><button>{{.Title}}</button></p></form>
<pre id="out" hidden></pre>
<script>
document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = {token: new URLSearchParams(location.search).get("token") || ""};
  const name = e.target.elements.namedItem("name");
  if (name) body.name = name.value;
  const res = await fetch({{.Endpoint}}, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await res.json();
  const out = document.getElementById("out");
  out.hidden = false;
  out.textContent = res.ok
    ? (data.staff ? "Signed in as staff member " + data.staff.email + " (" + data.staff.role + ")."
                  : "Signed in as " + data.user.email + " (" + data.membership.role + ").") + "\n\nSession token:\n" + data.token
    : (data.detail || data.title) + " (" + data.code + ")";
});
</script>
</body></html>
`))

// signInPages answers the paths the sign-in links point at.
func signInPages(mux *http.ServeMux) {
	pages := map[string]struct {
		Title    string
		Endpoint string
		AskName  bool
	}{
		"/accept": {"Accept the invitation", "/v1/auth/invitations/accept", true},
		"/login":  {"Sign in", "/v1/auth/login-links/redeem", false},
		"/access": {"Sign in", "/v1/auth/access-links/redeem", false},
		// Staff members' links: the console a real deployment's web UI serves.
		"/console/accept": {"Accept the staff invitation", "/v1/auth/staff/login-links/redeem", false},
		"/console/login":  {"Sign in to the console", "/v1/auth/staff/login-links/redeem", false},
	}
	for path, page := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			// The page holds a token: no other site may frame it (to trick a
			// click on its button) or learn its URL from the Referer.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Referrer-Policy", "no-referrer")
			_ = signInPage.Execute(w, page)
		})
	}
}
