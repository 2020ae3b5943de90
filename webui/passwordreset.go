package webui

import (
	"net/http"

	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// passwordResetRoutes registers the "forgot password" pages of the portal
// (prefix "") and of the console (prefix "/console"): a form that asks for
// a reset link by e-mail, and the link's page (/reset-password?token=…),
// where the new password is chosen.
func (h *handler) passwordResetRoutes(prefix string) {
	request := h.p.RequestPasswordReset
	if prefix != "" {
		request = h.p.RequestStaffPasswordReset
	}
	forgot := prefix + "/forgot-password"
	reset := prefix + "/reset-password"
	h.handle("GET "+forgot, func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, "forgot", h.resetView(r, "forgot", resetPage{Prefix: prefix}))
	})
	h.handle("POST "+forgot, func(w http.ResponseWriter, r *http.Request) {
		err := request(r.Context(), portal.RequestPasswordResetParams{Email: formValue(r, "email"), ClientAddr: clientAddr(r)})
		if err != nil {
			h.formError(w, r, "forgot", h.resetView(r, "forgot", resetPage{Prefix: prefix}), err)
			return
		}
		h.redirect(w, r, prefix+"/signin", "reset_sent")
	})
	// The token moves from the address into a cookie for this path, as a
	// sign-in link's does (linkRoute), so it leaves the address bar and
	// history at once.
	h.handle("GET "+reset, func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("token"); t != "" {
			h.setCookie(w, r, tokenCookie, t, reset, tokenTTL)
			http.Redirect(w, r, h.url(reset, nil), http.StatusSeeOther)
			return
		}
		h.render(w, r, "reset", h.resetView(r, "reset", resetPage{Prefix: prefix, Ready: hasCookie(r, tokenCookie)}))
	})
	h.handle("POST "+reset, func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(tokenCookie)
		if err != nil || c.Value == "" {
			h.renderStatus(w, r, http.StatusBadRequest, "reset", h.resetView(r, "reset", resetPage{Prefix: prefix}))
			return
		}
		_, err = h.p.ResetPassword(r.Context(), portal.ResetPasswordParams{Token: c.Value, NewPassword: r.PostFormValue("new_password")})
		if err != nil {
			// A weak password keeps the link for another try; a dead link
			// loses its cookie, and the page says to ask for a new one.
			keep := portalerr.CodeOf(err) == portalerr.Invalid || portalerr.CodeOf(err) == portalerr.RateLimited
			if !keep {
				h.clearCookie(w, tokenCookie, reset)
			}
			h.formError(w, r, "reset", h.resetView(r, "reset", resetPage{Prefix: prefix, Ready: keep}), err)
			return
		}
		h.clearCookie(w, tokenCookie, reset)
		// The reset ended every session of its owner, this browser's too.
		h.clearCookie(w, sessionCookie, "/")
		h.redirect(w, r, prefix+"/signin", "password_reset")
	})
}

// resetPage is what the password reset pages show: the part of the site
// they belong to ("" for the portal, "/console") and, on the link's page,
// whether a token waits for the new password.
type resetPage struct {
	Prefix string
	Ready  bool
}

func (h *handler) resetView(r *http.Request, page string, data resetPage) *view {
	v := h.view(r, page)
	v.Title = v.T("Forgot your password?")
	if page == "reset" {
		v.Title = v.T("Choose a new password")
	}
	v.Data = data
	return v
}
