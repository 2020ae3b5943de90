package webui

import (
	"net/http"
	"net/url"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// auditRoutes registers the audit log's pages: all of it in the console
// (/console/audit, for staff admins) and a customer's own in the portal
// (/audit, for its admins). Both filter by actor, action and target, and
// page newest first.
func (h *handler) auditRoutes() {
	h.handle("GET /console/audit", h.asStaff(h.consoleAudit))
	h.handle("GET /audit", h.asUser(h.customerAudit))
}

// auditPage is the data of both pages.
type auditPage struct {
	Action string // where the filter form goes
	Events []audit.Event
	// Next is the address of the next page, "" on the last.
	Next    string
	Console bool
}

// auditParams reads the filter form, which is the page's query.
func auditParams(r *http.Request) portal.ListAuditEventsParams {
	q := r.URL.Query()
	return portal.ListAuditEventsParams{
		CustomerID: customer.ID(q.Get("customer_id")), Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target"),
		Cursor: q.Get("cursor"), Limit: 50,
	}
}

func (h *handler) showAudit(w http.ResponseWriter, r *http.Request, v *view, page string, path string, l portal.List[audit.Event], err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	v.Form = q
	data := auditPage{Action: path, Events: l.Items, Console: page == "console_audit"}
	if l.NextCursor != "" {
		next := url.Values{}
		for _, k := range []string{"customer_id", "actor", "action", "target"} {
			if q.Get(k) != "" {
				next.Set(k, q.Get(k))
			}
		}
		next.Set("cursor", l.NextCursor)
		data.Next = h.url(path, next)
	}
	v.Title = v.T("Audit log")
	v.Data = data
	h.render(w, r, page, v)
}

func (h *handler) consoleAudit(w http.ResponseWriter, r *http.Request, v *view) {
	l, err := h.p.ListAuditEvents(r.Context(), auditParams(r))
	h.showAudit(w, r, v, "console_audit", "/console/audit", l, err)
}

func (h *handler) customerAudit(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	l, err := h.p.ListCustomerAuditEvents(r.Context(), cid, auditParams(r))
	h.showAudit(w, r, v, "audit", "/audit", l, err)
}
