package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/ticket"
)

// consoleTicketRoutes registers the service desk's pages: the queue
// across customers and a ticket's page with the desk's forms.
func (h *handler) consoleTicketRoutes() {
	h.handle("GET /console/tickets", h.asStaff(h.ticketQueue))
	h.handle("GET /console/tickets/{tid}", h.asStaff(h.ticketLink))
	h.handle("GET /console/customers/{id}/tickets/{tid}", h.asStaff(h.consoleTicketPage))
	h.handle("POST /console/customers/{id}/tickets/{tid}/{act}", h.asStaff(h.consoleTicketAct))
}

// queuePage is the queue with its filters' choices and counts.
type queuePage struct {
	ticketListPage
	Counts map[ticket.Status]int
	Desk   []deskMember
}

// deskMember is a staff member of the service desk, to assign tickets to.
type deskMember struct {
	ID   identity.StaffID
	Name string
}

func (h *handler) ticketQueue(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	params := portal.TicketQueueParams{
		Status: ticket.Status(q.Get("status")), Type: q.Get("type"), CustomerID: customer.ID(q.Get("customer")),
		Cursor: q.Get("cursor"), Limit: pageLimit,
	}
	switch a := q.Get("assignee"); a {
	case "":
	case "none":
		params.Unassigned = true
	default:
		params.Assignee = identity.StaffID(a)
	}
	l, err := h.p.TicketQueue(r.Context(), params)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Support queue")
	v.Form = q
	v.Data = queuePage{
		ticketListPage: ticketListPage{list: newList(r, v, l.List), Statuses: ticket.Statuses, types: h.typeNames(r)},
		Counts:         l.Counts,
		Desk:           h.desk(r),
	}
	h.render(w, r, "console_tickets", v)
}

// desk returns the active staff members of the service desk.
func (h *handler) desk(r *http.Request) []deskMember {
	var out []deskMember
	cursor := ""
	for {
		l, err := h.p.ListStaff(r.Context(), portal.ListStaffParams{Status: identity.StaffActive, Cursor: cursor, Limit: 100})
		if err != nil {
			return out
		}
		for _, m := range l.Items {
			if m.ServiceDesk {
				out = append(out, deskMember{ID: m.ID, Name: m.Name})
			}
		}
		if cursor = l.NextCursor; cursor == "" {
			return out
		}
	}
}

// ticketLink answers the link of the service desk's mail, which names the
// ticket alone: it goes on to the ticket's page under its customer.
func (h *handler) ticketLink(w http.ResponseWriter, r *http.Request, v *view) {
	t, err := h.p.GetTicket(r.Context(), "", ticket.ID(r.PathValue("tid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, h.url("/console/customers/"+url.PathEscape(string(t.CustomerID))+"/tickets/"+url.PathEscape(string(t.ID)), nil), http.StatusSeeOther)
}

func (h *handler) consoleTicketPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleTicket(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleTicket(w http.ResponseWriter, r *http.Request, v *view, status int) {
	cid := customer.ID(r.PathValue("id"))
	d, err := h.loadTicket(r, v, cid, ticket.ID(r.PathValue("tid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Customer, err = h.p.GetCustomer(r.Context(), cid); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Can(string(portal.ActTicketWork)) {
		for _, s := range ticket.Statuses {
			if ticket.CanMove(d.Status, s) {
				d.Moves = append(d.Moves, s)
			}
		}
		d.Desk = h.desk(r)
		d.CanApply = d.Type == ticket.TypeMasterDataChange && d.AppliedAt.IsZero() && d.Status.Active()
		if d.Status != ticket.StatusClosed {
			d.Priorities = ticket.Priorities
		}
	}
	v.Title = v.T("Ticket %s", d.Number)
	v.Data = d
	h.renderStatus(w, r, status, "console_ticket", v)
}

func (h *handler) consoleTicketAct(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	cid, id := customer.ID(r.PathValue("id")), ticket.ID(r.PathValue("tid"))
	note := formValue(r, "note")
	var (
		err    error
		notice = "saved"
	)
	switch r.PathValue("act") {
	case "comments":
		_, err = h.p.AddTicketComment(ctx, cid, id, portal.AddTicketCommentParams{
			Visibility: ticket.Visibility(r.PostFormValue("visibility")), Body: formValue(r, "body"),
		})
		notice = "commented"
	case "status":
		_, err = h.p.ChangeTicketStatus(ctx, cid, id, portal.ChangeTicketStatusParams{
			Version: version(r), Status: ticket.Status(r.PostFormValue("status")), Note: note,
		})
		notice = "status_changed"
	case "priority":
		_, err = h.p.SetTicketPriority(ctx, cid, id, portal.SetTicketPriorityParams{Version: version(r), Priority: ticket.Priority(r.PostFormValue("priority"))})
	case "reopen":
		_, err = h.p.ReopenTicket(ctx, cid, id, portal.ReopenTicketParams{Version: version(r), Note: note})
		notice = "reopened"
	case "assign":
		_, err = h.p.AssignTicket(ctx, cid, id, portal.AssignTicketParams{Version: version(r), Assignee: identity.StaffID(r.PostFormValue("assignee"))})
	case "apply":
		cv, _ := strconv.ParseInt(r.PostFormValue("customer_version"), 10, 64)
		_, _, err = h.p.ApplyMasterDataChange(ctx, cid, id, portal.ApplyMasterDataChangeParams{
			Version: version(r), CustomerVersion: cv, Resolve: r.PostFormValue("resolve") != "", Note: note,
		})
		notice = "applied"
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleTicket(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/customers/"+url.PathEscape(string(cid))+"/tickets/"+url.PathEscape(string(id)), notice)
}
