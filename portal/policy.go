package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Action is something a principal may be allowed to do to a customer.
type Action string

// Actions, one per kind of use case. RuleFor says who may do each.
const (
	ActCustomerCreate   Action = "customer.create"
	ActCustomerRead     Action = "customer.read"
	ActCustomerUpdate   Action = "customer.update"
	ActCustomerStatus   Action = "customer.status" // suspend, reactivate, archive
	ActFeaturesRead     Action = "features.read"
	ActFeaturesUpdate   Action = "features.update"
	ActSiteRead         Action = "site.read"
	ActSiteManage       Action = "site.manage"
	ActMembershipRead   Action = "membership.read"
	ActMembershipAdd    Action = "membership.add"
	ActMembershipAdmin  Action = "membership.admin" // change role or sites, disable, enable, remove
	ActInvitationRead   Action = "invitation.read"
	ActInvitationManage Action = "invitation.manage" // invite, resend, revoke
	ActAccessLinkRead   Action = "access_link.read"
	ActAccessLinkManage Action = "access_link.manage" // create, refresh, disable
	ActAPIKeyManage     Action = "api_key.manage"
	ActUserAdmin        Action = "user.admin" // disable or enable a person everywhere
	ActSelf             Action = "self"       // a signed-in user's own account: memberships, password
	ActProductRead      Action = "product.read"
	ActProductManage    Action = "product.manage" // create, change, deactivate
	ActOfferRead        Action = "offer.read"
	ActOfferManage      Action = "offer.manage" // create, change, delete
	ActCatalogueRead    Action = "catalogue.read"
	ActOrderRead        Action = "order.read"
	ActOrderPlace       Action = "order.place"
	ActOrderCancel      Action = "order.cancel" // a user while submitted, staff once confirmed
	ActOrderInbox       Action = "order.inbox"  // orders across customers
	ActOrderDecide      Action = "order.decide" // confirm, reject, fulfil
	ActMailRead         Action = "mail.read"    // the outbox, template overrides and previews
	ActMailRetry        Action = "mail.retry"
	ActMailTemplate     Action = "mail_template.manage" // save and delete template overrides
	ActStaffRead        Action = "staff.read"
	ActStaffManage      Action = "staff.manage" // invite, resend, change, disable, enable
	ActStaffSelf        Action = "staff.self"   // a signed-in staff member's own account: password, logout
	ActTicketRead       Action = "ticket.read"  // a customer's tickets, their history and the comments the caller may see
	ActTicketOpen       Action = "ticket.open"
	ActTicketComment    Action = "ticket.comment" // public replies; internal notes are ActTicketWork
	ActTicketReopen     Action = "ticket.reopen"  // a resolved ticket, within the reopen window
	ActTicketQueue      Action = "ticket.queue"   // tickets across customers, with their counts
	ActTicketWork       Action = "ticket.work"    // transitions, assignment, internal notes, applying master-data changes
	ActTicketTypes      Action = "ticket.types"   // the registry of ticket types
	ActNewsRead         Action = "news.read"      // a customer's published news
	ActNewsWrite        Action = "news.write"     // a customer's own articles: write, change, delete
	ActNewsAll          Action = "news.all"       // every article, across customers
	ActNewsManage       Action = "news.manage"    // the provider's articles: write, change, delete any

	// Field service (#18).
	ActSiteMove         Action = "site.move"          // give a site to another customer
	ActJobRead          Action = "job.read"           // a customer's jobs, by date range
	ActJobWrite         Action = "job.write"          // create, push by external reference, change
	ActVisitRead        Action = "visit.read"         // a customer's visits, by date range
	ActVisitWrite       Action = "visit.write"        // create, push by external reference
	ActPictureRead      Action = "picture.read"       // a customer's pictures, by date range, and their files
	ActPictureWrite     Action = "picture.write"      // upload
	ActRecordTypes      Action = "record.types"       // the record types (customers: their shown fields)
	ActRecordTypeManage Action = "record.type_manage" // define record types and new versions of them
	ActRecordRead       Action = "record.read"        // a customer's records and their history
	ActRecordManage     Action = "record.manage"      // create, bulk upsert, list across customers
	ActRecordEdit       Action = "record.edit"        // change values (customers: under the fields' edit rules)
	ActRecordClaim      Action = "record.claim"       // claim an unassigned record by its identifiers
	ActRecordApprove    Action = "record.approve"     // the inbox of change requests, approve or reject them
	ActWebhookRead      Action = "webhook.read"       // endpoints (without secrets) and their delivery logs
	ActWebhookManage    Action = "webhook.manage"     // register, change, rotate, delete endpoints; replay deliveries

	ActAccessRequestRead   Action = "access_request.read"   // the inbox of access requests, their matching customers
	ActAccessRequestDecide Action = "access_request.decide" // connect a request to a customer, or reject it
	ActContactRead         Action = "contact.read"          // a customer's contact persons
	ActContactManage       Action = "contact.manage"        // add, change, delete contacts; portal access also needs invitation.manage
	ActSSORead             Action = "sso.read"              // a customer's identity provider (#21)
	ActSSOManage           Action = "sso.manage"            // set or delete a customer's identity provider
	ActSSODomainApprove    Action = "sso.domain_approve"    // approve a domain a customer's admin listed for its identity provider
	// Impersonation (#21).
	ActImpersonate         Action = "impersonation.start"  // a staff member acts as a customer's member
	ActImpersonationRead   Action = "impersonation.read"   // who impersonated a customer's people, and whether it may be done
	ActImpersonationPolicy Action = "impersonation.policy" // a customer forbids or allows impersonation
	// The audit log (#21).
	ActAuditRead         Action = "audit.read"          // the audit log across customers
	ActCustomerAuditRead Action = "customer_audit.read" // one customer's audit log
)

// Actions of HR sync (licenses.go, hrsync.go, scim.go).
const (
	ActLicenseRead     Action = "license.read"      // a customer's licences of paid features
	ActLicenseManage   Action = "license.manage"    // grant and revoke them
	ActOrgRead         Action = "org.read"          // a customer's employees, units, sync runs and offboarding tasks
	ActHRSyncRun       Action = "hr_sync.run"       // plan, apply, confirm and discard sync runs
	ActSCIMTokenManage Action = "scim_token.manage" // a customer's SCIM tokens: list, create, revoke
	ActSCIMWrite       Action = "scim.write"        // create, replace and delete employees over SCIM
)

// Rule says the least staff role and the least customer role that may do an
// action, and the customer feature a customer user needs on for it. An
// empty role means that kind of principal may not do it at all.
type Rule struct {
	Staff identity.StaffRole
	User  customer.Role
	// Feature, when set, must be on for the caller's customer: a user of
	// a customer with it off may not do the action (FeatureDisabled), and
	// Me does not offer it. Staff acting on such a customer meet the same
	// check in the use case, where the customer is at hand.
	Feature customer.Feature
	// PeopleOnly keeps API keys out, whatever their role: the action is
	// about a person's own account.
	PeopleOnly bool
	// ServiceDesk asks staff for the service-desk capability besides the
	// role (identity.Principal.IsServiceDesk): a staff member with the
	// ServiceDesk flag, or an API key. An admin or owner without the flag
	// does not work tickets, as in the Equipme seed.
	ServiceDesk bool
	// SCIM lets a customer's SCIM token (identity.KindSCIM) do the action
	// for its own customer; nothing else is open to SCIM tokens.
	SCIM bool
	// SubCustomers lets a user of a primary customer do the action, with
	// the role it holds there, on the primary's sub-customers at any depth
	// below it, never on a sibling or a parent: the field-service seed's
	// head office that sees its branches' sites and the work done there.
	// Only reading actions have it, so such a user changes nothing of a
	// sub-customer unless it is a member of that one too. A user whose
	// membership is limited to some sites sees no sub-customer's sites.
	SubCustomers bool
	// LiveView makes Feature a live-view switch: with it off, the
	// customer's users get NotFound, as for a foreign object, rather than
	// FeatureDisabled, and so does a primary customer's user when it is off
	// for the sub-customer asked about.
	LiveView bool
	// NotImpersonated keeps out a staff member acting as a user
	// (identity.Principal.Impersonator): a person's own account (its
	// password, its other memberships) stays its own.
	NotImpersonated bool
}

// policy is the one authorization table. Anything not in it is denied.
var policy = map[Action]Rule{
	ActCustomerCreate:   {Staff: identity.StaffAdmin},
	ActCustomerRead:     {Staff: identity.StaffAgent, User: customer.RoleViewer, SubCustomers: true},
	ActCustomerUpdate:   {Staff: identity.StaffAdmin},
	ActCustomerStatus:   {Staff: identity.StaffAdmin},
	ActFeaturesRead:     {Staff: identity.StaffAgent, User: customer.RoleViewer},
	ActFeaturesUpdate:   {Staff: identity.StaffAdmin},
	ActSiteRead:         {Staff: identity.StaffAgent, User: customer.RoleViewer, SubCustomers: true},
	ActSiteManage:       {Staff: identity.StaffAgent},
	ActMembershipRead:   {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActMembershipAdd:    {Staff: identity.StaffAgent},
	ActMembershipAdmin:  {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActInvitationRead:   {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActInvitationManage: {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActAccessLinkRead:   {Staff: identity.StaffAgent},
	ActAccessLinkManage: {Staff: identity.StaffAgent},
	ActAPIKeyManage:     {Staff: identity.StaffOwner},
	ActUserAdmin:        {Staff: identity.StaffAdmin},
	ActSelf:             {User: customer.RoleViewer, NotImpersonated: true},
	ActProductRead:      {Staff: identity.StaffAgent},
	ActProductManage:    {Staff: identity.StaffAdmin},
	ActOfferRead:        {Staff: identity.StaffAgent},
	ActOfferManage:      {Staff: identity.StaffAdmin},
	ActCatalogueRead:    {Staff: identity.StaffAgent, User: customer.RoleViewer},
	ActOrderRead:        {Staff: identity.StaffAgent, User: customer.RoleViewer},
	ActOrderPlace:       {User: customer.RoleMaintainer, Feature: customer.FeatureOrderAuthorization},
	ActOrderCancel:      {Staff: identity.StaffAgent, User: customer.RoleMaintainer},
	ActOrderInbox:       {Staff: identity.StaffAgent},
	ActOrderDecide:      {Staff: identity.StaffAgent},

	// Supplier warehouse (stock.go). Staff agents run the warehouse day to
	// day; a customer's maintainers hand devices out and take them back;
	// retiring one for good is for its admins (RetireStockItem says why).
	ActStockRead:    {Staff: identity.StaffAgent, User: customer.RoleViewer, Feature: customer.FeatureSupplierWarehouse},
	ActStockIn:      {Staff: identity.StaffAgent, Feature: customer.FeatureSupplierWarehouse},
	ActStockMove:    {Staff: identity.StaffAgent, User: customer.RoleMaintainer, Feature: customer.FeatureSupplierWarehouse},
	ActStockRetire:  {Staff: identity.StaffAgent, User: customer.RoleAdmin, Feature: customer.FeatureSupplierWarehouse},
	ActMailRead:     {Staff: identity.StaffAgent},
	ActMailRetry:    {Staff: identity.StaffAgent},
	ActMailTemplate: {Staff: identity.StaffAdmin},

	// Staff members (staff.go). Every staff role sees who the staff are;
	// admins and owners invite and manage them, and identity's rules keep
	// the owner role to owners and an active owner in place.
	ActStaffRead:   {Staff: identity.StaffAgent},
	ActStaffManage: {Staff: identity.StaffAdmin},
	ActStaffSelf:   {Staff: identity.StaffAgent, PeopleOnly: true},

	// Support tickets (tickets.go). Every staff member reads a customer's
	// tickets; working them needs the service-desk capability. A
	// customer's viewers read its tickets, maintainers and admins open
	// them, reply and reopen them; internal notes are staff's only.
	ActTicketRead:    {Staff: identity.StaffAgent, User: customer.RoleViewer, Feature: customer.FeatureTickets},
	ActTicketOpen:    {Staff: identity.StaffAgent, ServiceDesk: true, User: customer.RoleMaintainer, Feature: customer.FeatureTickets},
	ActTicketComment: {Staff: identity.StaffAgent, ServiceDesk: true, User: customer.RoleMaintainer, Feature: customer.FeatureTickets},
	ActTicketReopen:  {Staff: identity.StaffAgent, ServiceDesk: true, User: customer.RoleMaintainer, Feature: customer.FeatureTickets},
	ActTicketQueue:   {Staff: identity.StaffAgent, ServiceDesk: true},
	ActTicketWork:    {Staff: identity.StaffAgent, ServiceDesk: true},
	ActTicketTypes:   {Staff: identity.StaffAgent, User: customer.RoleViewer, Feature: customer.FeatureTickets},
	// News (news.go). A customer's people read what is addressed to it;
	// its admins write for them, as the DynaRent seed's Admin adds news.
	// Staff admins publish to customers (agents read): like the portfolio,
	// what every customer sees is for admins to change. No feature switch:
	// a customer without articles sees none.
	ActNewsRead:   {Staff: identity.StaffAgent, User: customer.RoleViewer},
	ActNewsWrite:  {Staff: identity.StaffAdmin, User: customer.RoleAdmin},
	ActNewsAll:    {Staff: identity.StaffAgent},
	ActNewsManage: {Staff: identity.StaffAdmin},
	// HR sync (licenses.go, hrsync.go). Licences are paid for: staff
	// owners grant them. A customer's org structure is its admins' to read
	// and sync (it names its people); staff agents help with both.
	ActLicenseRead:   {Staff: identity.StaffAgent},
	ActLicenseManage: {Staff: identity.StaffOwner},
	ActOrgRead:       {Staff: identity.StaffAgent, User: customer.RoleAdmin, Feature: customer.FeatureHRSync, SCIM: true},
	ActHRSyncRun:     {Staff: identity.StaffAgent, User: customer.RoleAdmin, Feature: customer.FeatureHRSync},

	// SCIM (scim.go): a customer's admins make and revoke the tokens its
	// identity provider provisions with; the tokens write employees.
	ActSCIMTokenManage: {Staff: identity.StaffAgent, User: customer.RoleAdmin, Feature: customer.FeatureHRSync},
	ActSCIMWrite:       {Feature: customer.FeatureHRSync, SCIM: true},

	// Field service (fieldwork.go, sites.go). Sites exist on their own;
	// staff agents, who keep them, move them between customers.
	ActSiteMove: {Staff: identity.StaffAgent},
	// The provider's staff and its field-service system (an API key) push
	// jobs and visits; the customer's people, and its primary customer's,
	// read them while the customer's live view is on.
	ActJobRead:      {Staff: identity.StaffAgent, User: customer.RoleViewer, Feature: customer.FeatureJobs, LiveView: true, SubCustomers: true},
	ActJobWrite:     {Staff: identity.StaffAgent},
	ActVisitRead:    {Staff: identity.StaffAgent, User: customer.RoleViewer, Feature: customer.FeatureVisits, LiveView: true, SubCustomers: true},
	ActVisitWrite:   {Staff: identity.StaffAgent},
	ActPictureRead:  {Staff: identity.StaffAgent, User: customer.RoleViewer, Feature: customer.FeaturePictures, LiveView: true, SubCustomers: true},
	ActPictureWrite: {Staff: identity.StaffAgent},
	// Shared records (records.go). Staff agents keep the records and
	// decide change requests; defining types is for admins, as the
	// portfolio is. A customer's people read its records; maintainers edit
	// what the fields' edit rules let them; admins claim records.
	ActRecordTypes:      {Staff: identity.StaffAgent, User: customer.RoleViewer},
	ActRecordTypeManage: {Staff: identity.StaffAdmin},
	ActRecordRead:       {Staff: identity.StaffAgent, User: customer.RoleViewer},
	ActRecordManage:     {Staff: identity.StaffAgent},
	ActRecordEdit:       {Staff: identity.StaffAgent, User: customer.RoleMaintainer},
	ActRecordClaim:      {User: customer.RoleAdmin},
	ActRecordApprove:    {Staff: identity.StaffAgent},
	// Webhooks (webhooks.go) are the provider's integrations: every staff
	// member sees the endpoints and their logs; admins register them and
	// hold their secrets. Customer users never see them.
	ActWebhookRead:   {Staff: identity.StaffAgent},
	ActWebhookManage: {Staff: identity.StaffAdmin},
	// Access requests (accessrequests.go): the public asks, staff decide.
	// Every staff member works the inbox; connecting a request to a new
	// customer also needs ActCustomerCreate (admins). Customer users never
	// see requests: they are not any customer's yet.
	ActAccessRequestRead:   {Staff: identity.StaffAgent},
	ActAccessRequestDecide: {Staff: identity.StaffAgent},
	// Contacts (contacts.go): a customer's record of its people, kept by
	// staff and by its own admins, as its members are.
	ActContactRead:   {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActContactManage: {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	// Single sign-on (sso.go). A customer's identity provider decides who
	// signs in to it: staff admins and the customer's own admins set it.
	ActSSORead:   {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActSSOManage: {Staff: identity.StaffAdmin, User: customer.RoleAdmin},
	// A domain a customer's admin lists routes sign-ins only once staff
	// approve it: a customer cannot vouch for its own claim.
	ActSSODomainApprove: {Staff: identity.StaffAdmin},
	// Impersonation (impersonation.go): staff admins and owners, signed in
	// as themselves, act as a customer's people for support; the
	// customer's admins see it and alone may forbid it.
	ActImpersonate:         {Staff: identity.StaffAdmin, PeopleOnly: true},
	ActImpersonationRead:   {Staff: identity.StaffAgent, User: customer.RoleAdmin},
	ActImpersonationPolicy: {User: customer.RoleAdmin},
	// The audit log (audit.go): staff admins read all of it; a customer's
	// admins read their customer's, as staff agents do.
	ActAuditRead:         {Staff: identity.StaffAdmin},
	ActCustomerAuditRead: {Staff: identity.StaffAgent, User: customer.RoleAdmin},
}

// Actions returns every action the policy has a rule for, sorted: the
// values an API may name, as the Action enum of openapi.yaml does.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for act := range policy {
		out = append(out, act)
	}
	slices.Sort(out)
	return out
}

// RuleFor returns the rule for act, and false for an unknown action (which
// every principal is denied).
func RuleFor(act Action) (Rule, bool) {
	r, ok := policy[act]
	return r, ok
}

func staffRank(r identity.StaffRole) int {
	switch r {
	case identity.StaffAgent:
		return 1
	case identity.StaffAdmin:
		return 2
	case identity.StaffOwner:
		return 3
	}
	return 0
}

// access is an authorized caller: who it is and, for a customer user, the
// membership it acts through and its customer as they are stored now.
type access struct {
	who        identity.Principal
	membership customer.Membership // set for customer users
	person     customer.User       // set for customer users
	customer   customer.Customer   // set for customer users
}

// customerOf returns customer cid: for a customer user the one authorize
// read (which it checked is cid), for staff loaded from r.
func (a access) customerOf(ctx context.Context, r storage.Repos, cid customer.ID) (customer.Customer, error) {
	if a.user() && a.customer.ID == cid {
		return a.customer, nil
	}
	return getCustomer(ctx, r, cid)
}

// user reports whether the caller is a customer user.
func (a access) user() bool { return a.who.Kind == identity.KindUser }

// sites returns the sites the caller is limited to; nil means all.
func (a access) sites() []customer.SiteID {
	if a.user() && len(a.membership.SiteIDs) > 0 {
		return a.membership.SiteIDs
	}
	return nil
}

var (
	errNoPrincipal = portalerr.New(portalerr.Unauthenticated, "no caller: sign in first")
	errDenied      = portalerr.New(portalerr.PermissionDenied, "not allowed for your role")
)

// errCustomerNotFound is what a customer user gets for any customer not its
// own, whether or not it exists.
func errCustomerNotFound(id customer.ID) error {
	return portalerr.New(portalerr.NotFound, "customer %s not found", id)
}

// authorize decides whether the caller in ctx may do act to customer cid
// (empty for actions that name no customer) and, when sid is set, to that
// site. A customer user is checked against its membership and customer as
// stored now, so a disabled membership, a removed one or a suspended
// customer is refused from the next call on. Deny by default.
func (p *Portal) authorize(ctx context.Context, r storage.Repos, act Action, cid customer.ID, sid customer.SiteID) (access, error) {
	who, ok := identity.FromContext(ctx)
	if !ok {
		return access{}, errNoPrincipal
	}
	rule, ok := policy[act]
	if !ok {
		return access{}, fmt.Errorf("portal: no policy for action %q: %w", act, errDenied)
	}
	switch who.Kind {
	case identity.KindStaff, identity.KindAPIKey:
		if err := staffPermits(who, rule); err != nil {
			return access{}, err
		}
		return access{who: who}, nil
	case identity.KindUser:
		return p.authorizeUser(ctx, r, who, rule, cid, sid)
	case identity.KindSCIM:
		return p.authorizeSCIM(ctx, r, who, rule, cid)
	}
	return access{}, errNoPrincipal
}

func (p *Portal) authorizeUser(ctx context.Context, r storage.Repos, who identity.Principal, rule Rule, cid customer.ID, sid customer.SiteID) (access, error) {
	below := cid != "" && cid != who.CustomerID
	if below && !rule.SubCustomers {
		return access{}, errCustomerNotFound(cid)
	}
	// In a snapshot shared with Authenticate, the standing it read there is
	// what this transaction sees too.
	st, ok := standingOf(r, who.MembershipID)
	var err error
	if !ok {
		st, err = r.Memberships().GetStanding(ctx, who.MembershipID)
	}
	m, u, c := st.Membership, st.User, st.Customer
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return access{}, portalerr.New(portalerr.Unauthenticated, "your membership no longer exists")
	case err != nil:
		return access{}, fmt.Errorf("portal: loading caller's membership: %w", err)
	case string(m.UserID) != who.ID || m.CustomerID != who.CustomerID:
		return access{}, portalerr.New(portalerr.Unauthenticated, "your credentials do not match your membership")
	}
	if err := customer.CheckStanding(m, u, c); err != nil {
		return access{}, err
	}
	if err := userPermits(who, rule, m, c); err != nil {
		return access{}, err
	}
	if below {
		target, err := subCustomerOf(ctx, r, c.ID, cid)
		if err != nil {
			return access{}, err
		}
		if rule.Feature != "" && !target.Features.On(rule.Feature) {
			return access{}, errLiveViewOff
		}
	}
	if sid != "" && !m.CoversSite(sid) {
		return access{}, errSiteNotFound(sid)
	}
	return access{who: who, membership: m, person: u, customer: c}, nil
}

// subCustomerOf returns nil when customer cid is active and lies below
// customer primary (its child, grandchild, …), and NotFound otherwise,
// alike for a customer that does not exist: a sibling's or a parent's
// data is as foreign as any other customer's.
func subCustomerOf(ctx context.Context, r storage.Repos, primary, cid customer.ID) (customer.Customer, error) {
	target, err := r.Customers().Get(ctx, cid)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return target, errCustomerNotFound(cid)
	case err != nil:
		return target, fmt.Errorf("portal: loading customer %s: %w", cid, err)
	case !target.Active():
		return target, errCustomerNotFound(cid)
	}
	cur := target
	for range customer.MaxDepth {
		switch cur.ParentID {
		case "":
			return target, errCustomerNotFound(cid)
		case primary:
			return target, nil
		}
		if cur, err = r.Customers().Get(ctx, cur.ParentID); err != nil {
			return target, fmt.Errorf("portal: loading a parent of customer %s: %w", cid, err)
		}
	}
	return target, errCustomerNotFound(cid)
}

// staffPermits returns nil when rule lets staff principal who act.
func staffPermits(who identity.Principal, rule Rule) error {
	if rule.Staff == "" || staffRank(who.StaffRole) == 0 || staffRank(who.StaffRole) < staffRank(rule.Staff) ||
		(rule.PeopleOnly && who.Kind == identity.KindAPIKey) || (rule.ServiceDesk && !who.IsServiceDesk()) {
		return errDenied
	}
	return nil
}

// userPermits returns nil when rule lets the user principal who, acting
// through membership m of customer c (both in good standing), act.
func userPermits(who identity.Principal, rule Rule, m customer.Membership, c customer.Customer) error {
	role := m.Role
	if who.ReadOnly {
		role = customer.RoleViewer
	}
	if rule.User == "" || !role.AtLeast(rule.User) || (rule.NotImpersonated && who.Impersonator != "") {
		return errDenied
	}
	if rule.Feature != "" {
		if rule.LiveView && !c.Features.On(rule.Feature) {
			return errLiveViewOff
		}
		return c.Features.CheckOn(c.ID, rule.Feature)
	}
	return nil
}

// errLiveViewOff is what a customer user gets for a live view its
// customer does not have: the answer of an object that is not there.
var errLiveViewOff = portalerr.New(portalerr.NotFound, "not found")
