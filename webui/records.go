package webui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
)

// recordRoutes registers the customer portal's pages of shared records.
func (h *handler) recordRoutes() {
	h.handle("GET /records", h.asUser(h.recordList))
	h.handle("GET /records/claim", h.asUser(h.claimPage))
	h.handle("POST /records/claim", h.asUser(h.claimRecord))
	h.handle("GET /records/{id}", h.asUser(h.recordPage))
	h.handle("POST /records/{id}", h.asUser(h.editRecord))
	h.handle("POST /records/{id}/actions/{act}", h.asUser(h.runRecordAction))
}

// consoleRecordRoutes registers the console's pages of records: the types
// and their definition, the records across customers, one record with
// staff's edit form and its actions, and the inbox of change requests.
func (h *handler) consoleRecordRoutes() {
	h.handle("GET /console/records", h.asStaff(h.consoleRecords))
	h.handle("GET /console/record-types", h.asStaff(h.consoleRecordTypes))
	h.handle("POST /console/record-types", h.asStaff(h.defineRecordType))
	h.handle("GET /console/customers/{id}/records/{rid}", h.asStaff(h.consoleRecordPage))
	h.handle("POST /console/customers/{id}/records/{rid}", h.asStaff(h.consoleEditRecord))
	h.handle("POST /console/customers/{id}/records/{rid}/actions/{act}", h.asStaff(h.consoleRunRecordAction))
	h.handle("GET /console/record-changes", h.asStaff(h.recordChanges))
	h.handle("POST /console/record-changes/{rid}/{act}", h.asStaff(h.decideRecordChange))
}

// recordTypes returns the record types the caller may see, by name.
func (h *handler) recordTypes(r *http.Request) map[string]record.Type {
	ts, err := h.p.RecordTypes(r.Context())
	if err != nil {
		return nil
	}
	m := make(map[string]record.Type, len(ts))
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

// recordListPage is a list of records with the types to choose from.
type recordListPage struct {
	list[record.Record]
	Types []record.Type
	types map[string]record.Type
}

// Type returns the type of a record, as the caller sees it now.
func (d recordListPage) Type(name string) record.Type {
	if t, ok := d.types[name]; ok {
		return t
	}
	return record.Type{Name: name, Label: name}
}

// Title names a record: its type's label and its identifier values.
func (d recordListPage) Title(r record.Record) string { return recordTitle(d.Type(r.Type), r) }

func recordTitle(t record.Type, r record.Record) string {
	var ids []string
	for _, f := range t.IdentifierFields() {
		ids = append(ids, r.Values[f])
	}
	if len(ids) == 0 && len(t.Fields) > 0 {
		ids = append(ids, r.Values[t.Fields[0].Name])
	}
	return strings.TrimSpace(strings.Join(ids, ", "))
}

func (h *handler) newRecordListPage(r *http.Request, v *view, l portal.List[record.Record]) recordListPage {
	types := h.recordTypes(r)
	d := recordListPage{list: newList(r, v, l), types: types}
	for _, t := range types {
		d.Types = append(d.Types, t)
	}
	sortTypes(d.Types)
	return d
}

func sortTypes(ts []record.Type) {
	slices.SortFunc(ts, func(a, b record.Type) int { return strings.Compare(a.Name, b.Name) })
}

func (h *handler) recordList(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	q := r.URL.Query()
	l, err := h.p.ListRecords(r.Context(), cid, portal.ListRecordsParams{
		Type: q.Get("type"), Q: q.Get("q"), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Records")
	v.Form = q
	v.Data = h.newRecordListPage(r, v, l)
	h.render(w, r, "records", v)
}

// claimForm is the claim page: the claimable types and the chosen one.
type claimForm struct {
	Types []record.Type
	Type  record.Type
}

func (h *handler) claimPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	v.Form = r.URL.Query()
	h.showClaim(w, r, v, http.StatusOK)
}

func (h *handler) showClaim(w http.ResponseWriter, r *http.Request, v *view, status int) {
	var d claimForm
	for _, t := range h.recordTypes(r) {
		if t.Claimable() {
			d.Types = append(d.Types, t)
			if t.Name == v.Form.Get("type") {
				d.Type = t
			}
		}
	}
	sortTypes(d.Types)
	v.Title = v.T("Add a record")
	v.Data = d
	h.renderStatus(w, r, status, "record_claim", v)
}

func (h *handler) claimRecord(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	ids := map[string]string{}
	for k, vs := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "id."); ok && len(vs) > 0 {
			ids[name] = vs[0]
		}
	}
	rec, err := h.p.ClaimRecord(r.Context(), cid, portal.ClaimRecordParams{Type: r.PostForm.Get("type"), Identifiers: ids})
	if err != nil {
		// A claim that finds nothing is shown on the form, as any other
		// refusal: it is an answer about what was typed, not a missing page.
		code := portalerr.CodeOf(err)
		if code == portalerr.NotFound || code == portalerr.Invalid || code == portalerr.RateLimited || code == portalerr.PermissionDenied {
			v.Error = errorMessage(v, err)
			v.Form = r.PostForm
			h.showClaim(w, r, v, portalerr.HTTPStatus(code))
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/records/"+url.PathEscape(string(rec.ID)), "record_claimed")
}

// recordView is a record's page: the record, its type, and whether the
// viewer may edit it.
type recordView struct {
	record.Record
	RecordType record.Type
	Title      string
	CanEdit    bool
	Customer   customer.Customer
	// Pending are the record's changes that wait for approval.
	Pending []record.ChangeRequest
	// Actions are those the viewer may take, with the ticket types of
	// those that open a ticket, for their forms' fields.
	Actions     []record.Action
	ticketTypes map[string]ticket.Type
	// Opened is the ticket an action just opened, if any.
	Opened *ticket.Ticket
}

// TicketFields returns the fields of the ticket that action act opens,
// for its form; none for a webhook action.
func (d recordView) TicketFields(act record.Action) []ticket.Field {
	if act.Webhook {
		return nil
	}
	return d.ticketTypes[act.TicketType].Fields
}

// Editable returns the fields the viewer may be offered to change: for
// staff every field, for customer users those with an edit rule.
func (d recordView) Editable(staff bool) []record.Field {
	var out []record.Field
	for _, f := range d.RecordType.Fields {
		if staff || f.Edit.Role != "" {
			out = append(out, f)
		}
	}
	return out
}

// FieldLabel returns the English label of field name of the record's type.
func (d recordView) FieldLabel(name string) string {
	f, _ := d.RecordType.Field(name)
	return f.Label
}

// Value returns the record's value of field name.
func (d recordView) Value(name string) string { return d.Values[name] }

func (h *handler) loadRecord(r *http.Request, v *view, cid customer.ID, id record.ID) (recordView, error) {
	rec, err := h.p.GetRecord(r.Context(), cid, id)
	if err != nil {
		return recordView{}, err
	}
	t, err := h.p.RecordType(r.Context(), rec.Type, rec.TypeVersion)
	if err != nil {
		return recordView{}, err
	}
	d := recordView{Record: rec, RecordType: t, Title: recordTitle(t, rec), CanEdit: v.Can(string(portal.ActRecordEdit))}
	changes, err := h.p.RecordChangesOf(r.Context(), cid, id)
	if err != nil {
		return recordView{}, err
	}
	for _, c := range changes {
		if c.Status == record.ChangePending {
			d.Pending = append(d.Pending, c)
		}
	}
	if d.Actions, err = h.p.RecordActions(r.Context(), cid, id); err != nil {
		return recordView{}, err
	}
	for _, a := range d.Actions {
		if !a.Webhook {
			d.ticketTypes = h.typeNames(r)
			break
		}
	}
	// The ticket an action opened, named by the redirect that followed it
	// (actionDone); only one of this record's.
	if q := r.URL.Query(); q.Get("done") == "action_ticket" && q.Get("ticket") != "" {
		if tk, err := h.p.GetTicket(r.Context(), cid, ticket.ID(q.Get("ticket"))); err == nil && tk.Links.RecordID == id {
			d.Opened = &tk
		}
	}
	return d, nil
}

func (h *handler) recordPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showRecord(w, r, v, cid, record.ID(r.PathValue("id")), http.StatusOK)
}

func (h *handler) showRecord(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, id record.ID, status int) {
	d, err := h.loadRecord(r, v, cid, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = d.RecordType.Label + " " + d.Title
	v.Data = d
	h.renderStatus(w, r, status, "record", v)
}

// editValues reads the values of an edit form ("value.<field>"): only
// those that differ from what the form showed ("was.<field>"), so that
// an edit of one field does not touch the others' rules.
func editValues(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, vs := range r.PostForm {
		name, ok := strings.CutPrefix(k, "value.")
		if !ok || len(vs) == 0 {
			continue
		}
		if strings.TrimSpace(vs[0]) != strings.TrimSpace(r.PostForm.Get("was."+name)) {
			out[name] = strings.TrimSpace(vs[0])
		}
	}
	return out
}

func (h *handler) editRecord(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	id := record.ID(r.PathValue("id"))
	e, err := h.p.UpdateRecord(r.Context(), cid, id, portal.UpdateRecordParams{Version: version(r), Values: editValues(r)})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showRecord(w, r, v, cid, id, status)
		}
		return
	}
	notice := "record_saved"
	if e.Request != nil {
		notice = "change_requested"
	}
	h.redirect(w, r, "/records/"+url.PathEscape(string(id)), notice)
}

// actionParams reads an action's form: the description and the ticket's
// fields ("field.<name>"), those left empty left out.
func actionParams(r *http.Request) portal.RecordActionParams {
	fields := map[string]string{}
	for k, vs := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "field."); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			fields[name] = strings.TrimSpace(vs[0])
		}
	}
	return portal.RecordActionParams{Description: formValue(r, "description"), Fields: fields}
}

// actionDone returns where the page of a record (at path) goes after one
// of its actions: back to itself, saying that the request is sent, and
// naming the ticket it opened, if any.
func (h *handler) actionDone(path string, tk ticket.Ticket) string {
	if tk.ID == "" {
		return h.url(path, url.Values{"done": {"action_sent"}})
	}
	return h.url(path, url.Values{"done": {"action_ticket"}, "ticket": {string(tk.ID)}})
}

// takeAction runs the action of the request's form on record id of
// customer cid; a refusal shows the record's page again (show) with the
// error at the action's form.
func (h *handler) takeAction(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, id record.ID, path string, show func(status int)) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	act := r.PathValue("act")
	tk, err := h.p.RunRecordAction(r.Context(), cid, id, act, actionParams(r))
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			v.Form.Set("action", act)
			show(status)
		}
		return
	}
	http.Redirect(w, r, h.actionDone(path, tk), http.StatusSeeOther)
}

func (h *handler) runRecordAction(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	id := record.ID(r.PathValue("id"))
	h.takeAction(w, r, v, cid, id, "/records/"+url.PathEscape(string(id)), func(status int) { h.showRecord(w, r, v, cid, id, status) })
}

// Console.

// consoleRecordList is the console's list of records with its filters.
type consoleRecordList struct {
	recordListPage
}

func (h *handler) consoleRecords(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	l, err := h.p.AllRecords(r.Context(), portal.AllRecordsParams{
		CustomerID: customer.ID(q.Get("customer")), Unassigned: q.Get("unassigned") == "1",
		ListRecordsParams: portal.ListRecordsParams{Type: q.Get("type"), Q: q.Get("q"), Cursor: q.Get("cursor"), Limit: pageLimit},
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Records")
	v.Form = q
	v.Data = consoleRecordList{h.newRecordListPage(r, v, l)}
	h.render(w, r, "console_records", v)
}

// exampleType is the definition the console's form starts with.
const exampleType = `{
  "name": "water_meter",
  "label": "Water meter",
  "fields": [
    {"name": "meter_number", "kind": "text", "required": true, "identifier": true, "customer": true},
    {"name": "reading", "kind": "number", "customer": true,
     "edit": {"role": "maintainer", "max_changes": 1, "period_days": 30, "max_change_percent": 50}}
  ]
}`

// typesPage lists the record types and the form to define one.
type typesPage struct {
	Types   []record.Type
	Example string
}

func (h *handler) consoleRecordTypes(w http.ResponseWriter, r *http.Request, v *view) {
	h.showRecordTypes(w, r, v, http.StatusOK)
}

func (h *handler) showRecordTypes(w http.ResponseWriter, r *http.Request, v *view, status int) {
	ts, err := h.p.RecordTypes(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Record types")
	v.Data = typesPage{Types: ts, Example: exampleType}
	h.renderStatus(w, r, status, "console_record_types", v)
}

func (h *handler) defineRecordType(w http.ResponseWriter, r *http.Request, v *view) {
	var t record.Type
	def := r.PostFormValue("definition")
	if err := json.Unmarshal([]byte(def), &t); err != nil {
		err = portalerr.Invalidf("definition", "is not a JSON object of a record type: %s", strings.TrimPrefix(err.Error(), "json: "))
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showRecordTypes(w, r, v, status)
		}
		return
	}
	if _, err := h.p.DefineRecordType(r.Context(), t); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showRecordTypes(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/record-types", "created")
}

func (h *handler) consoleRecordPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleRecord(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleRecord(w http.ResponseWriter, r *http.Request, v *view, status int) {
	cid := customer.ID(r.PathValue("id"))
	d, err := h.loadRecord(r, v, cid, record.ID(r.PathValue("rid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Customer, err = h.p.GetCustomer(r.Context(), cid); err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = d.RecordType.Label + " " + d.Title
	v.Data = d
	h.renderStatus(w, r, status, "console_record", v)
}

func (h *handler) consoleEditRecord(w http.ResponseWriter, r *http.Request, v *view) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	cid, id := customer.ID(r.PathValue("id")), record.ID(r.PathValue("rid"))
	if _, err := h.p.UpdateRecord(r.Context(), cid, id, portal.UpdateRecordParams{Version: version(r), Values: editValues(r)}); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleRecord(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/customers/"+url.PathEscape(string(cid))+"/records/"+url.PathEscape(string(id)), "record_saved")
}

func (h *handler) consoleRunRecordAction(w http.ResponseWriter, r *http.Request, v *view) {
	cid, id := customer.ID(r.PathValue("id")), record.ID(r.PathValue("rid"))
	h.takeAction(w, r, v, cid, id, "/console/customers/"+url.PathEscape(string(cid))+"/records/"+url.PathEscape(string(id)),
		func(status int) { h.showConsoleRecord(w, r, v, status) })
}

// changesPage is the inbox of change requests.
type changesPage struct {
	list[record.ChangeRequest]
}

func (h *handler) recordChanges(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	status := record.ChangeStatus(q.Get("status"))
	if !q.Has("status") {
		status = record.ChangePending
	}
	l, err := h.p.RecordChanges(r.Context(), portal.ListRecordChangesParams{Status: status, Cursor: q.Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Change requests")
	v.Form = q
	v.Data = changesPage{newList(r, v, l)}
	h.render(w, r, "console_record_changes", v)
}

func (h *handler) decideRecordChange(w http.ResponseWriter, r *http.Request, v *view) {
	act := r.PathValue("act")
	if act != "approve" && act != "reject" {
		h.fail(w, r, portalerr.New(portalerr.NotFound, "no such form"))
		return
	}
	_, err := h.p.DecideRecordChange(r.Context(), record.ChangeID(r.PathValue("rid")), portal.DecideRecordChangeParams{
		Approve: act == "approve", Note: formValue(r, "note"),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/record-changes", "change_"+act+"d")
}
