package webui

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/warehouse"
)

// hrRoutes registers the customer admins' HR sync pages: employees, runs
// and offboarding tasks. The console has the same pages for staff under
// a customer (console_hrsync.go).
func (h *handler) hrRoutes() {
	h.handle("GET /employees", h.asUser(h.userHR(h.hrPage)))
	h.handle("POST /employees/runs", h.asUser(h.userHR(h.startRun)))
	h.handle("GET /employees/runs/{id}", h.asUser(h.userHR(h.runPage)))
	h.handle("POST /employees/runs/{id}/apply", h.asUser(h.userHR(h.runAct("apply"))))
	h.handle("POST /employees/runs/{id}/discard", h.asUser(h.userHR(h.runAct("discard"))))
	h.handle("POST /employees/items/{id}/return", h.asUser(h.userHR(h.offboardItem("return"))))
	h.handle("POST /employees/items/{id}/retire", h.asUser(h.userHR(h.offboardItem("retire"))))
	h.handle("POST /employees/pull", h.asUser(h.userHR(h.syncNow)))
	h.handle("POST /employees/scim-tokens", h.asUser(h.userHR(h.createSCIMToken)))
	h.handle("POST /employees/scim-tokens/{id}/revoke", h.asUser(h.userHR(h.revokeSCIMToken)))
	h.handle("POST /employees/settings", h.asUser(h.userHR(h.updateSyncSettings)))
}

// hrScope is where an HR sync page is: the customer, the address of its
// HR sync pages, and in the console the customer's head with its tabs.
// param names the path value of the run or item a page is about.
type hrScope struct {
	cid     customer.ID
	base    string
	head    customerHead
	console bool
	param   string
	secret  string // a SCIM token just made
}

type hrHandler func(w http.ResponseWriter, r *http.Request, v *view, s hrScope)

// userHR runs an HR sync page for a customer user.
func (h *handler) userHR(next hrHandler) userPage {
	return func(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
		next(w, r, v, hrScope{cid: cid, base: "/employees", param: "id"})
	}
}

// hrData is the HR sync page's data.
type hrData struct {
	customerHead
	Console   bool
	Base      string
	Tasks     []portal.OffboardingTask
	Runs      []hrsync.Run
	Employees list[org.Employee]
	Fields    []hrsync.Field
	// Tokens are the customer's SCIM tokens when the caller may manage
	// them; NewSecret is a token just made, shown this once, and SCIMURL
	// the customer's SCIM base URL.
	Tokens    []hrsync.Token
	CanTokens bool
	NewSecret string
	SCIMURL   string
	// Source names the customer's pull source; empty without one.
	Source string
	// Settings are the customer's sync settings (filter, invitations).
	Settings hrsync.Settings
}

func (h *handler) hrPage(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	h.showHR(w, r, v, s, http.StatusOK)
}

func (h *handler) showHR(w http.ResponseWriter, r *http.Request, v *view, s hrScope, status int) {
	ctx, q := r.Context(), r.URL.Query()
	emps, err := h.p.ListEmployees(ctx, s.cid, portal.ListEmployeesParams{
		Status: org.Status(q.Get("status")), Query: q.Get("q"), Cursor: q.Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tasks, err := h.p.ListOffboardingTasks(ctx, s.cid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	runs, err := h.p.ListSyncRuns(ctx, s.cid, portal.ListSyncRunsParams{Limit: 10})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tokens, err := h.p.ListSCIMTokens(ctx, s.cid)
	canTokens := err == nil
	if err != nil && portalerr.CodeOf(err) != portalerr.PermissionDenied {
		h.fail(w, r, err)
		return
	}
	set, err := h.p.GetSyncSettings(ctx, s.cid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(v.Form) == 0 {
		v.Form = url.Values{"dry_run": {"on"}, "q": q["q"], "status": q["status"],
			"locations": {strings.Join(set.Filter.Locations, ", ")}, "departments": {strings.Join(set.Filter.Departments, ", ")}}
		if set.InviteEmployees {
			v.Form.Set("invite_employees", "on")
		}
	}
	v.Title = v.T("Employees")
	if s.console {
		v.Title = v.T("HR sync of %s", s.head.Customer.Name)
	}
	v.Data = hrData{customerHead: s.head, Console: s.console, Base: s.base, Tasks: tasks, Runs: runs.Items,
		Employees: newList(r, v, emps), Fields: hrsync.Fields, Tokens: tokens, CanTokens: canTokens,
		NewSecret: s.secret, SCIMURL: h.scimURL(r, s.cid), Settings: set}
	if src := h.p.HRSource(s.cid); src != nil {
		d := v.Data.(hrData)
		d.Source = src.Name()
		v.Data = d
	}
	h.renderStatus(w, r, status, "hrsync", v)
}

// syncNow pulls the customer's employees from its pull source now and
// shows the run.
func (h *handler) syncNow(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	run, err := h.p.SyncFrom(r.Context(), s.cid, h.p.HRSource(s.cid))
	if err != nil {
		if run.ID != "" { // the source failed: the run says why
			h.redirect(w, r, s.base+"/runs/"+url.PathEscape(string(run.ID)), "")
			return
		}
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showHR(w, r, v, s, status)
		}
		return
	}
	h.redirect(w, r, s.base+"/runs/"+url.PathEscape(string(run.ID)), "")
}

// scimURL is customer cid's SCIM base URL as the browser reached the pages.
func (h *handler) scimURL(r *http.Request, cid customer.ID) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/scim/v2/customers/" + url.PathEscape(string(cid))
}

// createSCIMToken makes a SCIM token and shows the HR sync page with its
// secret, this once, as 201 (no redirect, as for API keys: the secret must
// not sit in an address).
func (h *handler) createSCIMToken(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	tok, err := h.p.CreateSCIMToken(r.Context(), s.cid, portal.CreateSCIMTokenParams{Name: formValue(r, "name")})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showHR(w, r, v, s, status)
		}
		return
	}
	s.secret = tok.Secret
	v.Notice = v.T("The SCIM token is made. Copy it now: it is shown only this once.")
	h.showHR(w, r, v, s, http.StatusCreated)
}

// revokeSCIMToken revokes a SCIM token.
func (h *handler) revokeSCIMToken(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	if _, err := h.p.RevokeSCIMToken(r.Context(), s.cid, hrsync.TokenID(r.PathValue(s.param))); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showHR(w, r, v, s, status)
		}
		return
	}
	h.redirect(w, r, s.base, "key_revoked")
}

// updateSyncSettings stores the customer's sync filter (comma-separated
// locations and departments) and whether synced employees are invited.
func (h *handler) updateSyncSettings(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	split := func(name string) []string { return strings.Split(formValue(r, name), ",") }
	_, err := h.p.UpdateSyncSettings(r.Context(), s.cid, portal.UpdateSyncSettingsParams{
		Filter:          hrsync.Filter{Locations: split("locations"), Departments: split("departments")},
		InviteEmployees: formValue(r, "invite_employees") == "on",
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showHR(w, r, v, s, status)
		}
		return
	}
	h.redirect(w, r, s.base, "saved")
}

// maxSyncForm bounds the body of the import form: the file and the rest.
const maxSyncForm = portal.MaxSyncFile + 1<<20

// startRun reads the import form: a CSV file, or the text pasted, with
// the column of each field, and starts a run (a dry run unless unticked).
func (h *handler) startRun(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSyncForm)
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		h.fail(w, r, portalerr.Invalidf("file", "cannot be read: %v", err))
		return
	}
	params := portal.StartSyncParams{CSV: r.PostFormValue("csv"), DryRun: r.PostFormValue("dry_run") == "on", Mapping: hrsync.Mapping{}}
	if f, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, portal.MaxSyncFile+1))
		_ = f.Close()
		if err != nil {
			h.fail(w, r, err)
			return
		}
		switch {
		case bytes.HasPrefix(b, []byte("PK\x03\x04")): // a zip: an Excel workbook
			params.CSV, params.XLSX = "", b
		case len(b) > 0:
			params.CSV = string(b)
		}
	}
	for _, f := range hrsync.Fields {
		if col := formValue(r, "map_"+string(f)); col != "" {
			params.Mapping[f] = col
		}
	}
	run, err := h.p.StartSync(r.Context(), s.cid, params)
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			v.Form.Del("csv") // not sent back: it may be large
			h.showHR(w, r, v, s, status)
		}
		return
	}
	h.redirect(w, r, s.base+"/runs/"+url.PathEscape(string(run.ID)), "")
}

// runData is the run page's data.
type runData struct {
	customerHead
	Console bool
	Base    string
	Run     hrsync.Run
	// Changes are the first changes of the run, Hidden how many more.
	Changes []hrsync.Change
	Hidden  int
	Percent string
}

// maxShownChanges is how many changes the run page lists.
const maxShownChanges = 500

func (h *handler) runPage(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
	h.showRun(w, r, v, s, http.StatusOK)
}

func (h *handler) showRun(w http.ResponseWriter, r *http.Request, v *view, s hrScope, status int) {
	run, err := h.p.GetSyncRun(r.Context(), s.cid, hrsync.RunID(r.PathValue(s.param)))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := runData{customerHead: s.head, Console: s.console, Base: s.base, Run: run, Changes: run.Plan.Changes}
	if len(d.Changes) > maxShownChanges {
		d.Changes, d.Hidden = d.Changes[:maxShownChanges], len(d.Changes)-maxShownChanges
	}
	d.Percent = strconv.FormatFloat(run.Plan.Threshold*100, 'f', -1, 64)
	v.Title = v.T("Sync run of %s", v.Date(run.StartedAt))
	v.Data = d
	h.renderStatus(w, r, status, "hrsync_run", v)
}

// runAct applies (confirmed or not) or discards a run.
func (h *handler) runAct(act string) hrHandler {
	return func(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
		h.doRunAct(w, r, v, s, act)
	}
}

func (h *handler) doRunAct(w http.ResponseWriter, r *http.Request, v *view, s hrScope, act string) {
	id := hrsync.RunID(r.PathValue(s.param))
	var err error
	if act == "apply" {
		_, err = h.p.ApplySync(r.Context(), s.cid, id, portal.ApplySyncParams{Confirm: r.PostFormValue("confirm") == "on"})
	} else {
		_, err = h.p.DiscardSync(r.Context(), s.cid, id)
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showRun(w, r, v, s, status)
		}
		return
	}
	h.redirect(w, r, s.base+"/runs/"+url.PathEscape(string(id)), "saved")
}

// offboardItem returns an item of a locked employee to the warehouse or
// retires it (move), and comes back to the HR sync page.
func (h *handler) offboardItem(move string) hrHandler {
	return func(w http.ResponseWriter, r *http.Request, v *view, s hrScope) {
		h.doOffboardItem(w, r, v, s, move)
	}
}

func (h *handler) doOffboardItem(w http.ResponseWriter, r *http.Request, v *view, s hrScope, move string) {
	id := warehouse.ItemID(r.PathValue(s.param))
	var err error
	notice := "returned"
	if move == "return" {
		_, err = h.p.ReturnStockItem(r.Context(), s.cid, id, portal.ReturnStockItemParams{Condition: warehouse.Condition(r.PostFormValue("condition"))})
	} else {
		_, err = h.p.RetireStockItem(r.Context(), s.cid, id, portal.RetireStockItemParams{Reason: formValue(r, "reason")})
		notice = "retired"
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showHR(w, r, v, s, status)
		}
		return
	}
	h.redirect(w, r, s.base, notice)
}
