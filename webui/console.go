package webui

import (
	"net/http"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
)

// consoleRoutes registers the provider console's pages.
func (h *handler) consoleRoutes() {
	h.consoleSignInRoutes()
	h.consoleStaffRoutes()
	h.handle("GET /console", h.asStaff(h.consoleHome))
}

// staffPage is a console page's handler: it gets the view of a signed-in
// staff member.
type staffPage func(w http.ResponseWriter, r *http.Request, v *view)

// asStaff admits signed-in staff; anybody else goes to the console's
// sign-in page (customer users to their portal).
func (h *handler) asStaff(next staffPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, ok := identity.FromContext(r.Context())
		switch {
		case !ok:
			if r.Method == http.MethodGet {
				h.toSignIn(w, r)
				return
			}
			h.fail(w, r, portalerr.New(portalerr.Unauthenticated, "your session has ended; sign in again"))
			return
		case !who.IsProvider():
			http.Redirect(w, r, h.url("/", nil), http.StatusSeeOther)
			return
		}
		v := h.view(r, "")
		if v.Me == nil {
			h.clearCookie(w, sessionCookie, "/")
			h.toSignIn(w, r)
			return
		}
		next(w, r, v)
	}
}

func (h *handler) consoleHome(w http.ResponseWriter, r *http.Request, v *view) {
	http.Redirect(w, r, h.url("/console/customers", nil), http.StatusSeeOther)
}
