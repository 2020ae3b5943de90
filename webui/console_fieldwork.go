package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// consoleFieldRoutes registers the console's field-service pages: moving
// a site to another customer, and a customer's jobs.
func (h *handler) consoleFieldRoutes() {
	h.handle("POST /console/customers/{id}/sites/{sid}/move", h.asStaff(h.moveSite))
	h.handle("GET /console/customers/{id}/jobs", h.asStaff(h.consoleJobs))
}

// siteForm reads a new site's address and position from the form into
// params; a coordinate that is no number is Invalid, named.
func siteForm(r *http.Request, params *portal.SiteParams) error {
	a := customer.Address{Line1: formValue(r, "street"), PostalCode: formValue(r, "postal_code"), City: formValue(r, "city"),
		Region: formValue(r, "region"), Country: formValue(r, "country")}
	if a != (customer.Address{}) {
		params.Address = &a
	}
	lat, lon := strings.TrimSpace(r.PostFormValue("latitude")), strings.TrimSpace(r.PostFormValue("longitude"))
	if lat == "" && lon == "" {
		return nil
	}
	var bad []portalerr.FieldViolation
	la, err := strconv.ParseFloat(lat, 64)
	if err != nil {
		bad = append(bad, portalerr.FieldViolation{Field: "latitude", Message: "must be a number of degrees"})
	}
	lo, err := strconv.ParseFloat(lon, 64)
	if err != nil {
		bad = append(bad, portalerr.FieldViolation{Field: "longitude", Message: "must be a number of degrees"})
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return err
	}
	params.Location = &customer.GeoPoint{Latitude: la, Longitude: lo}
	return nil
}

// moveSite gives a site to the customer the form names.
func (h *handler) moveSite(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	_, err := h.p.MoveSite(r.Context(), id, customer.SiteID(r.PathValue("sid")), portal.MoveSiteParams{
		To: customer.ID(formValue(r, "customer_id")), Version: version(r),
	})
	if err != nil {
		h.sitesFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "sites"), "saved")
}

// consoleJobsPage is the console's jobs page of a customer.
type consoleJobsPage struct {
	customerHead
	From, To string
	Jobs     list[fieldwork.Job]
	Sites    map[customer.SiteID]string // names of the jobs' sites
}

// consoleJobs lists a customer's jobs of the chosen range (the last 30
// days by default), newest first, as the provider's system pushed them.
func (h *handler) consoleJobs(w http.ResponseWriter, r *http.Request, v *view) {
	head, ok := h.loadCustomer(w, r, v, "jobs")
	if !ok {
		return
	}
	rng, from, to := dateRange(r, h.p.Now())
	l, err := h.p.ListJobs(r.Context(), head.Customer.ID, portal.ListJobsParams{From: rng.From, To: rng.To,
		Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[customer.SiteID]string{}
	for _, j := range l.Items {
		if _, ok := names[j.SiteID]; ok {
			continue
		}
		s, err := h.p.GetSite(r.Context(), head.Customer.ID, j.SiteID)
		switch {
		case portalerr.CodeOf(err) == portalerr.NotFound:
			// The site has moved to another customer; its job stays here.
			names[j.SiteID] = v.T("%s (moved on)", j.SiteID)
		case err != nil:
			h.fail(w, r, err)
			return
		default:
			names[j.SiteID] = s.Name
		}
	}
	v.Title = v.T("Jobs of %s", head.Customer.Name)
	v.Data = consoleJobsPage{customerHead: head, From: from, To: to, Jobs: newList(r, v, l), Sites: names}
	h.render(w, r, "console_jobs", v)
}
