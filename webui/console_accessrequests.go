package webui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// consoleAccessRequestRoutes registers the staff inbox of access
// requests and a request's page with its matches and decisions.
func (h *handler) consoleAccessRequestRoutes() {
	h.handle("GET /console/access-requests", h.asStaff(h.accessRequestInbox))
	h.handle("GET /console/access-requests/{rid}", h.asStaff(h.accessRequestPage))
	h.handle("POST /console/access-requests/{rid}/{act}", h.asStaff(h.decideAccessRequest))
}

// PendingRequests returns how many access requests wait for a decision,
// for the staff navigation's badge: "" for none or when the signed-in
// person may not see the inbox. It reads the count when a page asks.
func (v *view) PendingRequests() string {
	if v.staff == nil || !v.Can(string(portal.ActAccessRequestRead)) {
		return ""
	}
	if v.staff.requests == nil {
		n := ""
		if counts, err := v.h.p.CountAccessRequests(v.staff.ctx); err == nil && counts[accessrequest.StatusPending] > 0 {
			n = strconv.Itoa(counts[accessrequest.StatusPending])
		}
		v.staff.requests = &n
	}
	return *v.staff.requests
}

// requestInbox is the inbox's data: a page of requests and the counts.
type requestInbox struct {
	list[accessrequest.Request]
	Statuses []accessrequest.Status
	Counts   map[accessrequest.Status]int
}

func (h *handler) accessRequestInbox(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	if !q.Has("status") {
		q.Set("status", string(accessrequest.StatusPending))
	}
	l, err := h.p.ListAccessRequests(r.Context(), portal.ListAccessRequestsParams{
		Status: accessrequest.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, err := h.p.CountAccessRequests(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.p.Now()
	for i, it := range l.Items {
		l.Items[i].Status = it.State(now) // expired, derived, is what staff see
	}
	v.Title = v.T("Access requests")
	v.Form = q
	v.Data = requestInbox{list: newList(r, v, l), Statuses: accessrequest.Statuses, Counts: counts}
	h.render(w, r, "console_access_requests", v)
}

// requestPage is a request's page: the request, its matches with their
// sites, and the choices of the decision forms.
type requestPage struct {
	portal.AccessRequest
	Matches  []requestMatch
	Features []feature
	Roles    []customer.Role
	// Other is the customer staff chose by its ID, with its sites, to
	// connect the request to when no match is the one; OtherID the ID
	// asked for.
	Other   *requestMatch
	OtherID customer.ID
}

// requestMatch is a matching customer with its sites, for partial access.
type requestMatch struct {
	accessrequest.Match
	Sites []customer.Site
}

func (h *handler) accessRequestPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showAccessRequest(w, r, v, http.StatusOK)
}

func (h *handler) showAccessRequest(w http.ResponseWriter, r *http.Request, v *view, status int) {
	ctx := r.Context()
	req, err := h.p.GetAccessRequest(ctx, accessrequest.ID(r.PathValue("rid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := requestPage{AccessRequest: req, Features: features,
		Roles: []customer.Role{customer.RoleViewer, customer.RoleMaintainer, customer.RoleAdmin}}
	for _, m := range req.Matches {
		rm := requestMatch{Match: m}
		if sites, err := h.p.ListSites(ctx, m.Customer.ID, portal.ListSitesParams{Limit: 100}); err == nil {
			rm.Sites = sites.Items
		}
		d.Matches = append(d.Matches, rm)
	}
	if d.OtherID = h.otherCustomer(r, d.Matches); d.OtherID != "" {
		// The second step of connecting to another customer: the one
		// chosen by its ID, with its sites to limit the access to.
		c, err := h.p.GetCustomer(ctx, d.OtherID)
		switch {
		case portalerr.CodeOf(err) == portalerr.NotFound:
			if v.Fields == nil {
				v.Fields = map[string]string{}
			}
			v.Fields["customer"] = v.T("No customer has this ID.")
		case err != nil:
			h.fail(w, r, err)
			return
		default:
			d.Other = &requestMatch{Match: accessrequest.Match{Customer: c}}
			if sites, err := h.p.ListSites(ctx, c.ID, portal.ListSitesParams{Limit: 100}); err == nil {
				d.Other.Sites = sites.Items
			}
		}
	}
	if v.Form.Get("version") == "" {
		// The new customer's form starts from the request and the
		// default features.
		c := portal.AccessRequestCustomer(req.Request)
		v.Form = featureValues(customer.DefaultFeatures())
		v.Form.Set("name", c.Name)
		v.Form.Set("vat_id", c.VATID)
		v.Form.Set("contact_email", c.ContactEmail)
		v.Form.Set("phone", c.Phone)
		v.Form.Set("role", string(customer.RoleMaintainer))
	}
	v.Form.Set("version", strconv.FormatInt(req.Version, 10))
	v.Title = v.T("Access request from %s", req.CompanyName)
	v.Data = d
	h.renderStatus(w, r, status, "console_access_request", v)
}

// otherCustomer returns the customer chosen by its ID to connect the
// request to: the page's ?customer=, or, when a connect form failed, the
// customer it named if that is none of the matches.
func (h *handler) otherCustomer(r *http.Request, matches []requestMatch) customer.ID {
	if id := strings.TrimSpace(r.URL.Query().Get("customer")); id != "" {
		return customer.ID(id)
	}
	if r.Method != http.MethodPost || r.PathValue("act") != "connect" {
		return ""
	}
	id := customer.ID(strings.TrimSpace(r.PostFormValue("customer_id")))
	for _, m := range matches {
		if m.Customer.ID == id {
			return ""
		}
	}
	return id
}

// decideAccessRequest sends one of the request page's decision forms.
func (h *handler) decideAccessRequest(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id := accessrequest.ID(r.PathValue("rid"))
	var (
		err    error
		notice = "request_connected"
	)
	switch r.PathValue("act") {
	case "connect-new":
		params := customerForm(r)
		def := customer.DefaultFeatures()
		for _, ft := range features {
			on := r.PostFormValue(ft.Name) == "on"
			if on != featureOn(def, ft.Name) {
				*featureField(&params.Features, ft.Name) = &on
			}
		}
		_, err = h.p.ConnectAccessRequestToNewCustomer(ctx, id, portal.ConnectNewCustomerParams{
			Version: version(r), Customer: params, Message: formValue(r, "new_message"),
		})
	case "connect":
		params := portal.ConnectExistingCustomerParams{
			Version: version(r), CustomerID: customer.ID(formValue(r, "customer_id")),
			Role: customer.Role(r.PostFormValue("role")), Message: formValue(r, "connect_message"),
		}
		for _, s := range r.PostForm["site_ids"] {
			params.SiteIDs = append(params.SiteIDs, customer.SiteID(s))
		}
		_, err = h.p.ConnectAccessRequestToCustomer(ctx, id, params)
	case "reject":
		_, err = h.p.RejectAccessRequest(ctx, id, portal.RejectAccessRequestParams{Version: version(r), Message: formValue(r, "reject_message")})
		notice = "request_rejected"
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showAccessRequest(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/access-requests/"+url.PathEscape(string(id)), notice)
}
