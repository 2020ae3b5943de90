package webui

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/text/currency"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// consoleRoutes registers the provider console's pages.
func (h *handler) consoleRoutes() {
	h.consoleSignInRoutes()
	h.consoleStaffRoutes()
	h.consoleTicketRoutes()
	h.consoleRecordRoutes()
	h.handle("GET /console", h.asStaff(h.consoleHome))
	h.customerRoutes()
	h.customerPartRoutes()
	h.orderInboxRoutes()
	h.productRoutes()
	h.mailRoutes()
	h.apiKeyRoutes()
	h.consoleNewsRoutes()
	h.consoleHRRoutes()
	h.webhookRoutes()
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
		v.staff = &staffState{ctx: r.Context()}
		next(w, r, v)
	}
}

func (h *handler) consoleHome(w http.ResponseWriter, r *http.Request, v *view) {
	http.Redirect(w, r, h.url("/console/customers", nil), http.StatusSeeOther)
}

// staffState is what console pages read lazily, once per request.
type staffState struct {
	ctx     context.Context
	waiting *string
	// requests is the count of access requests waiting for a decision.
	requests *string
}

// inboxBadgeLimit caps the count of waiting orders the navigation shows:
// one short page of the inbox is read, and a fuller inbox shows "20+".
const inboxBadgeLimit = 20

// WaitingOrders returns how many orders wait for a decision, for the
// staff navigation's badge: "" for none or when the signed-in person may
// not see the inbox. It reads the inbox when a page asks, so that
// redirects after a form cost nothing.
func (v *view) WaitingOrders() string {
	if v.staff == nil || !v.Can(string(portal.ActOrderInbox)) {
		return ""
	}
	if v.staff.waiting == nil {
		n := ""
		l, err := v.h.p.OrderInbox(v.staff.ctx, portal.OrderInboxParams{Status: orders.StatusSubmitted, Limit: inboxBadgeLimit})
		switch {
		case err != nil || len(l.Items) == 0:
		case l.NextCursor != "":
			n = strconv.Itoa(len(l.Items)) + "+"
		default:
			n = strconv.Itoa(len(l.Items))
		}
		v.staff.waiting = &n
	}
	return *v.staff.waiting
}

// money reads an amount typed in major units ("1234.50", or "1234,50")
// into minor units of currency cur, with as many decimals as it has.
func money(field, s, cur string) (orders.Money, error) {
	cur = strings.ToUpper(strings.TrimSpace(cur))
	scale := currencyScale(cur)
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	bad := portalerr.Invalidf(field, "must be an amount such as %s", sampleAmount(scale))
	if whole == "" || len(frac) > scale || strings.ContainsAny(whole+frac, "+-") {
		return orders.Money{}, bad
	}
	frac += strings.Repeat("0", scale-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return orders.Money{}, bad
	}
	return orders.Money{Amount: n, Currency: cur}, nil
}

// currencyScale is how many decimals an ISO 4217 currency has: 2 for an
// unknown one, which the portal then refuses.
func currencyScale(cur string) int {
	u, err := currency.ParseISO(cur)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale
}

func sampleAmount(scale int) string {
	if scale == 0 {
		return "1234"
	}
	return "1234.5" + strings.Repeat("0", scale-1)
}

// MajorUnits writes an amount as a money field takes it back: 123450
// euro cents as "1234.50".
func (v *view) MajorUnits(m orders.Money) string {
	scale := currencyScale(m.Currency)
	s := strconv.FormatInt(m.Amount, 10)
	if scale == 0 {
		return s
	}
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	return s[:len(s)-scale] + "." + s[len(s)-scale:]
}
