package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// consoleFieldRoutes registers the console's field-service pages: a
// site's edit page, moving a site to another customer, and a customer's
// jobs.
func (h *handler) consoleFieldRoutes() {
	h.handle("GET /console/customers/{id}/sites/{sid}", h.asStaff(h.consoleSite))
	h.handle("POST /console/customers/{id}/sites/{sid}/move", h.asStaff(h.moveSite))
	h.handle("GET /console/customers/{id}/jobs", h.asStaff(h.consoleJobs))
}

// siteForm reads a site form into params: the name, and each other field
// the form sends (one it leaves out stays as it is). An address field sent
// sends the whole address; both coordinates sent empty remove the
// position; a coordinate that is no number is Invalid, named.
func siteForm(r *http.Request, params *portal.SiteParams) error {
	sent := func(name string) bool { _, ok := r.PostForm[name]; return ok }
	params.Name = formValue(r, "name")
	if sent("external_ref") {
		ref := formValue(r, "external_ref")
		params.ExternalRef = &ref
	}
	if sent("notes") {
		notes := formValue(r, "notes")
		params.Notes = &notes
	}
	if sent("street") || sent("line2") || sent("postal_code") || sent("city") || sent("region") || sent("country") {
		params.Address = &customer.Address{Line1: formValue(r, "street"), Line2: formValue(r, "line2"), PostalCode: formValue(r, "postal_code"),
			City: formValue(r, "city"), Region: formValue(r, "region"), Country: formValue(r, "country")}
	}
	lat, lon := formValue(r, "latitude"), formValue(r, "longitude")
	if lat == "" && lon == "" {
		params.ClearLocation = sent("latitude") && sent("longitude")
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

// siteValues are a site's fields as its edit form sends them.
func siteValues(s customer.Site) url.Values {
	a := s.Address
	form := url.Values{"name": {s.Name}, "external_ref": {s.ExternalRef}, "notes": {s.Notes}, "version": {strconv.FormatInt(s.Version, 10)},
		"street": {a.Line1}, "line2": {a.Line2}, "postal_code": {a.PostalCode}, "city": {a.City}, "region": {a.Region}, "country": {a.Country},
		"latitude": {""}, "longitude": {""}}
	if s.Location != nil {
		form.Set("latitude", strconv.FormatFloat(s.Location.Latitude, 'f', -1, 64))
		form.Set("longitude", strconv.FormatFloat(s.Location.Longitude, 'f', -1, 64))
	}
	return form
}

// consoleSitePage is the data of a site's edit page in the console.
type consoleSitePage struct {
	customerHead
	Site customer.Site
}

func (h *handler) consoleSite(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleSite(w, r, v, http.StatusOK)
}

// showConsoleSite shows a site's edit form: the stored values, and over
// them what a failed form sent, so that a form that sent only some fields
// (the list's rename) leaves the others as they are stored.
func (h *handler) showConsoleSite(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "sites")
	if !ok {
		return
	}
	s, err := h.p.GetSite(r.Context(), head.Customer.ID, customer.SiteID(r.PathValue("sid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := siteValues(s)
	if r.Method == http.MethodPost {
		for k, vs := range r.PostForm {
			form[k] = vs
		}
	}
	v.Form = form
	v.Title = s.Name
	v.Data = consoleSitePage{customerHead: head, Site: s}
	h.renderStatus(w, r, status, "console_site", v)
}

// updateSite saves a site's edit form, or the list's rename, which sends
// only the name: the fields a form leaves out stay (siteForm). The form
// must carry the version it was made from.
func (h *handler) updateSite(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	params := portal.SiteParams{Version: version(r)}
	err := siteForm(r, &params)
	if err == nil && params.Version == 0 {
		err = portalerr.Invalidf("version", "is missing: reload the page")
	}
	if err == nil {
		_, err = h.p.RenameSite(r.Context(), id, customer.SiteID(r.PathValue("sid")), params)
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleSite(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, customerPath(id, "sites"), "saved")
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
