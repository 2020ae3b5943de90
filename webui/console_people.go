package webui

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// peopleRoutes registers a customer's members page: its members, open
// invitations and access links.
func (h *handler) peopleRoutes() {
	h.handle("GET /console/customers/{id}/members", h.asStaff(h.customerMembers))
	h.handle("POST /console/customers/{id}/members", h.asStaff(h.addMember))
	h.handle("POST /console/customers/{id}/members/{mid}/{act}", h.asStaff(h.consolePeopleForm(memberActs, "mid")))
	h.handle("POST /console/customers/{id}/invitations", h.asStaff(h.consolePeopleForm(nil, "")))
	h.handle("POST /console/customers/{id}/invitations/{iid}/{act}", h.asStaff(h.consolePeopleForm(invitationActs, "iid")))
	h.handle("POST /console/customers/{id}/access-links", h.asStaff(h.createAccessLink))
	h.handle("POST /console/customers/{id}/access-links/{lid}/{act}", h.asStaff(h.accessLinkAct))
}

// accessLinkRow is an access link with the person it signs in.
type accessLinkRow struct {
	invite.AccessLink
	Member portal.Member
	Active bool
}

// customerPeople is the members page's data.
type customerPeople struct {
	customerHead
	Members     []portal.Member
	Invitations []invite.Invitation
	Links       []accessLinkRow
	// AccessLinks says whether the customer allows access links.
	AccessLinks bool
	Roles       []customer.Role
	// NewLink is the address of an access link just made or refreshed,
	// shown this once.
	NewLink string
}

func (h *handler) customerMembers(w http.ResponseWriter, r *http.Request, v *view) {
	h.showPeople(w, r, v, http.StatusOK, "")
}

func (h *handler) showPeople(w http.ResponseWriter, r *http.Request, v *view, status int, newLink string) {
	head, ok := h.loadCustomer(w, r, v, "members")
	if !ok {
		return
	}
	ctx, cid := r.Context(), head.Customer.ID
	d := customerPeople{
		customerHead: head, NewLink: newLink, AccessLinks: head.Customer.Features.AccessLinks,
		Roles: []customer.Role{customer.RoleViewer, customer.RoleMaintainer, customer.RoleAdmin},
	}
	m, err := h.p.ListMembers(ctx, cid, portal.ListMembersParams{Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Members = m.Items
	if v.Can(string(portal.ActInvitationRead)) {
		inv, err := h.p.ListInvitations(ctx, cid, portal.ListInvitationsParams{State: invite.StatePending, Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Invitations = inv.Items
	}
	if v.Can(string(portal.ActAccessLinkRead)) {
		links, err := h.p.ListAccessLinks(ctx, cid, portal.ListAccessLinksParams{Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		byID := map[customer.MembershipID]portal.Member{}
		for _, m := range d.Members {
			byID[m.ID] = m
		}
		now := h.p.Now()
		for _, l := range links.Items {
			d.Links = append(d.Links, accessLinkRow{
				AccessLink: l, Member: byID[l.MembershipID],
				Active: l.DisabledAt.IsZero() && now.Before(l.ExpiresAt),
			})
		}
	}
	v.Title = v.T("Members of %s", head.Customer.Name)
	v.Data = d
	h.renderStatus(w, r, status, "console_members", v)
}

// peopleFailed shows the members page again with the failure of one of
// its forms.
func (h *handler) peopleFailed(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showPeople(w, r, v, status, "")
	}
}

// addMember adds a person to the customer at once, without an
// invitation: for staff who set a customer up.
func (h *handler) addMember(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	_, err := h.p.AddMember(r.Context(), id, portal.AddMemberParams{
		Email: formValue(r, "member_email"), Name: formValue(r, "member_name"), Role: customer.Role(r.PostFormValue("member_role")),
	})
	if err != nil {
		h.peopleFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "members"), "member_updated")
}

// consolePeopleForm handles the forms of a customer's members page in
// the console: acts, when given, are those the route's {act} may name for
// the object in path value idName; without them the form invites.
func (h *handler) consolePeopleForm(acts []string, idName string) staffPage {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		cid := customer.ID(r.PathValue("id"))
		act := "invite"
		if acts != nil {
			act = r.PathValue("act")
			if !slices.Contains(acts, act) {
				http.NotFound(w, r)
				return
			}
		}
		notice, err := h.peopleForm(r, cid, act, r.PathValue(idName))
		if err != nil {
			h.peopleFailed(w, r, v, err)
			return
		}
		h.redirect(w, r, customerPath(cid, "members"), notice)
	}
}

// accessURL is the address an access link's token signs in at: the
// portal's, as its mail has it, else this site's /access.
func (h *handler) accessURL(r *http.Request, token string) string {
	if u := h.p.AccessLinkURL(token); u != "" {
		return u
	}
	scheme := "http"
	if h.secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + h.url("/access", url.Values{"token": {token}})
}

// createAccessLink makes an access link and shows its address this once,
// in the answer to the form: it is never stored, so it cannot be shown
// after a redirect.
func (h *handler) createAccessLink(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	s, err := h.p.CreateAccessLink(r.Context(), id, customer.MembershipID(r.PostFormValue("membership_id")), portal.CreateAccessLinkParams{
		ReadOnly: r.PostFormValue("read_only") == "on",
	})
	if err != nil {
		h.peopleFailed(w, r, v, err)
		return
	}
	v.Notice = noticeText(v.locale, "access_link_made")
	h.showPeople(w, r, v, http.StatusOK, h.accessURL(r, s.Token))
}

func (h *handler) accessLinkAct(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	lid := invite.AccessLinkID(r.PathValue("lid"))
	switch r.PathValue("act") {
	case "refresh":
		s, err := h.p.RefreshAccessLink(r.Context(), id, lid)
		if err != nil {
			h.peopleFailed(w, r, v, err)
			return
		}
		v.Notice = noticeText(v.locale, "access_link_made")
		h.showPeople(w, r, v, http.StatusOK, h.accessURL(r, s.Token))
	case "disable":
		if _, err := h.p.DisableAccessLink(r.Context(), id, lid); err != nil {
			h.peopleFailed(w, r, v, err)
			return
		}
		h.redirect(w, r, customerPath(id, "members"), "disabled")
	case "send":
		if _, err := h.p.SendAccessLink(r.Context(), id, lid); err != nil {
			h.peopleFailed(w, r, v, err)
			return
		}
		h.redirect(w, r, customerPath(id, "members"), "access_link_sent")
	default:
		h.fail(w, r, portalerr.New(portalerr.NotFound, "no such action"))
	}
}
