package webhook

import (
	"encoding/json"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// EventID identifies an event ("wev_" + UUIDv7). It is the webhook-id of
// every delivery of the event: the same on each attempt, to each endpoint
// and on a replay, so receivers drop repeats by it.
type EventID string

// Type says what happened; its Data has one schema per type (openapi.yaml,
// components WebhookEvent*). Types are "object.verb", as the specification
// recommends.
type Type string

// Event types, one per kind of state change the audit log records (each
// audit action publishes exactly one of them; portal's eventTypes says
// which). Data is the object as the HTTP API shows it after the change (as
// it was, for deletions), never with its secrets.
const (
	CustomerCreated   Type = "customer.created"    // Data: Customer
	CustomerUpdated   Type = "customer.updated"    // Data: Customer (details, features, branding, status)
	MembershipCreated Type = "membership.created"  // Data: Member (added by staff, an invitation accepted, joined by SSO)
	MembershipUpdated Type = "membership.updated"  // Data: Member (role, sites, disabled, enabled)
	MembershipRemoved Type = "membership.removed"  // Data: Member as it was
	OrderSubmitted    Type = "order.submitted"     // Data: Order
	OrderConfirmed    Type = "order.confirmed"     // Data: Order
	OrderRejected     Type = "order.rejected"      // Data: Order
	OrderFulfilled    Type = "order.fulfilled"     // Data: Order
	OrderCancelled    Type = "order.cancelled"     // Data: Order
	StockItemStocked  Type = "stock_item.stocked"  // Data: StockItem, one event per item
	StockItemIssued   Type = "stock_item.issued"   // Data: StockItem
	StockItemReturned Type = "stock_item.returned" // Data: StockItem
	StockItemRetired  Type = "stock_item.retired"  // Data: StockItem
	TicketOpened      Type = "ticket.opened"       // Data: Ticket
	TicketUpdated     Type = "ticket.updated"      // Data: Ticket (status, priority, assignee, reopened, change applied)
	TicketCommented   Type = "ticket.commented"    // Data: TicketComment (public replies and internal notes)
	SiteCreated       Type = "site.created"        // Data: Site
	SiteUpdated       Type = "site.updated"        // Data: Site (details, or moved to another customer)
	SiteDeleted       Type = "site.deleted"        // Data: Site as it was
	// RecordAction: a customer user (or staff) took a webhook action of a
	// record. Data: RecordAction (the record as customers see it, the
	// action and who took it).
	RecordAction Type = "record.action"

	TicketAttachmentAdded Type = "ticket.attachment_added" // Data: TicketAttachment

	InvitationCreated Type = "invitation.created" // Data: Invitation
	InvitationResent  Type = "invitation.resent"  // Data: Invitation
	InvitationRevoked Type = "invitation.revoked" // Data: Invitation

	UserUpdated       Type = "user.updated"        // Data: User (name, e-mail address)
	UserEmailChanged  Type = "user.email_changed"  // Data: User (a confirmed change of e-mail address)
	UserPasswordReset Type = "user.password_reset" // Data: User
	UserStatusChanged Type = "user.status_changed" // Data: User (disabled or enabled)

	AccessLinkCreated   Type = "access_link.created"   // Data: AccessLink
	AccessLinkRefreshed Type = "access_link.refreshed" // Data: AccessLink
	AccessLinkDisabled  Type = "access_link.disabled"  // Data: AccessLink
	AccessLinkSent      Type = "access_link.sent"      // Data: AccessLink (refreshed and mailed to its holder)

	APIKeyCreated Type = "api_key.created" // Data: APIKey
	APIKeyRevoked Type = "api_key.revoked" // Data: APIKey

	ProductCreated     Type = "product.created"     // Data: Product
	ProductUpdated     Type = "product.updated"     // Data: Product
	ProductDeactivated Type = "product.deactivated" // Data: Product
	OfferCreated       Type = "offer.created"       // Data: Offer
	OfferUpdated       Type = "offer.updated"       // Data: Offer
	OfferDeleted       Type = "offer.deleted"       // Data: Offer as it was

	ArticleCreated Type = "article.created" // Data: Article
	ArticleUpdated Type = "article.updated" // Data: Article
	ArticleDeleted Type = "article.deleted" // Data: Article as it was

	RecordTypeDefined      Type = "record_type.defined"           // Data: RecordType
	RecordCreated          Type = "record.created"                // Data: Record
	RecordUpdated          Type = "record.updated"                // Data: Record
	RecordClaimed          Type = "record.claimed"                // Data: Record
	RecordChangeRequested  Type = "record_change.requested"       // Data: RecordChangeRequest
	RecordChangeApproved   Type = "record_change.approved"        // Data: RecordChangeRequest
	RecordChangeRejected   Type = "record_change.rejected"        // Data: RecordChangeRequest
	JobCreated             Type = "job.created"                   // Data: Job
	JobUpdated             Type = "job.updated"                   // Data: Job
	VisitCreated           Type = "visit.created"                 // Data: Visit
	VisitUpdated           Type = "visit.updated"                 // Data: Visit
	PictureUploaded        Type = "picture.uploaded"              // Data: Picture
	ContactCreated         Type = "contact.created"               // Data: Contact
	ContactUpdated         Type = "contact.updated"               // Data: Contact
	ContactDeleted         Type = "contact.deleted"               // Data: Contact as it was
	ContactAccessEnabled   Type = "contact.portal_access_enabled" // Data: Contact
	AccessRequestConnected Type = "access_request.connected"      // Data: AccessRequest
	AccessRequestRejected  Type = "access_request.rejected"       // Data: AccessRequest

	HRSyncPlanned              Type = "hr_sync.planned"               // Data: SyncRun (a dry run)
	HRSyncAwaitingConfirmation Type = "hr_sync.awaiting_confirmation" // Data: SyncRun
	HRSyncApplied              Type = "hr_sync.applied"               // Data: SyncRun
	HRSyncDiscarded            Type = "hr_sync.discarded"             // Data: SyncRun
	HRSyncFailed               Type = "hr_sync.failed"                // Data: SyncRun
	HRSyncSettingsUpdated      Type = "hr_sync.settings_updated"      // Data: SyncSettings
	SCIMTokenCreated           Type = "scim_token.created"            // Data: SCIMToken
	SCIMTokenRevoked           Type = "scim_token.revoked"            // Data: SCIMToken
	EmployeeCreated            Type = "employee.created"              // Data: OrgEmployee (by SCIM)
	EmployeeReplaced           Type = "employee.replaced"             // Data: OrgEmployee (by SCIM)
	EmployeeDeleted            Type = "employee.deleted"              // Data: OrgEmployee as it was (by SCIM)
	LicenseUpdated             Type = "license.updated"               // Data: Licenses

	SSOConfigured Type = "sso.configured" // Data: SSOConfig
	SSODeleted    Type = "sso.deleted"    // Data: SSOConfig as it was
	// SSODomainApproved: staff approved a domain a customer's admin
	// listed. Data: SSOConfig.
	SSODomainApproved Type = "sso.domain_approved"

	ImpersonationStarted   Type = "impersonation.started"   // Data: Impersonation
	ImpersonationEnded     Type = "impersonation.ended"     // Data: Impersonation
	ImpersonationAllowed   Type = "impersonation.allowed"   // Data: ImpersonationPolicy
	ImpersonationForbidden Type = "impersonation.forbidden" // Data: ImpersonationPolicy

	StaffInvited          Type = "staff.invited"           // Data: StaffMember
	StaffInvitationResent Type = "staff.invitation_resent" // Data: StaffMember
	StaffActivated        Type = "staff.activated"         // Data: StaffMember
	StaffUpdated          Type = "staff.updated"           // Data: StaffMember
	StaffDisabled         Type = "staff.disabled"          // Data: StaffMember
	StaffEnabled          Type = "staff.enabled"           // Data: StaffMember
	StaffPasswordSet      Type = "staff.password_set"      // Data: StaffMember
	StaffPasswordReset    Type = "staff.password_reset"    // Data: StaffMember
	StaffSignedInBySSO    Type = "staff.signed_in_by_sso"  // Data: StaffMember (signed in through the provider's identity provider)

	MailRetried         Type = "mail.retried"          // Data: MailMessage
	MailTemplateSaved   Type = "mail_template.saved"   // Data: MailTemplate
	MailTemplateDeleted Type = "mail_template.deleted" // Data: MailTemplate as it was

	WebhookEndpointCreated  Type = "webhook_endpoint.created"             // Data: WebhookEndpoint
	WebhookEndpointUpdated  Type = "webhook_endpoint.updated"             // Data: WebhookEndpoint
	WebhookEndpointRotated  Type = "webhook_endpoint.secret_rotated"      // Data: WebhookEndpoint
	WebhookEndpointDeleted  Type = "webhook_endpoint.deleted"             // Data: WebhookEndpoint as it was
	WebhookEndpointReplayed Type = "webhook_endpoint.deliveries_replayed" // Data: WebhookEndpoint
	WebhookDeliveryReplayed Type = "webhook_delivery.replayed"            // Data: WebhookDelivery (the replay)
)

// Types lists every event type, in a stable order for pages and docs.
var Types = []Type{
	CustomerCreated, CustomerUpdated,
	MembershipCreated, MembershipUpdated, MembershipRemoved,
	OrderSubmitted, OrderConfirmed, OrderRejected, OrderFulfilled, OrderCancelled,
	StockItemStocked, StockItemIssued, StockItemReturned, StockItemRetired,
	TicketOpened, TicketUpdated, TicketCommented,
	SiteCreated, SiteUpdated, SiteDeleted,
	RecordAction,
	TicketAttachmentAdded,
	InvitationCreated, InvitationResent, InvitationRevoked,
	UserUpdated, UserEmailChanged, UserPasswordReset, UserStatusChanged,
	AccessLinkCreated, AccessLinkRefreshed, AccessLinkDisabled, AccessLinkSent,
	APIKeyCreated, APIKeyRevoked,
	ProductCreated, ProductUpdated, ProductDeactivated,
	OfferCreated, OfferUpdated, OfferDeleted,
	ArticleCreated, ArticleUpdated, ArticleDeleted,
	RecordTypeDefined, RecordCreated, RecordUpdated, RecordClaimed,
	RecordChangeRequested, RecordChangeApproved, RecordChangeRejected,
	JobCreated, JobUpdated, VisitCreated, VisitUpdated, PictureUploaded,
	ContactCreated, ContactUpdated, ContactDeleted, ContactAccessEnabled,
	AccessRequestConnected, AccessRequestRejected,
	HRSyncPlanned, HRSyncAwaitingConfirmation, HRSyncApplied, HRSyncDiscarded, HRSyncFailed, HRSyncSettingsUpdated,
	SCIMTokenCreated, SCIMTokenRevoked,
	EmployeeCreated, EmployeeReplaced, EmployeeDeleted,
	LicenseUpdated,
	SSOConfigured, SSODeleted, SSODomainApproved,
	ImpersonationStarted, ImpersonationEnded, ImpersonationAllowed, ImpersonationForbidden,
	StaffInvited, StaffInvitationResent, StaffActivated, StaffUpdated, StaffDisabled, StaffEnabled,
	StaffPasswordSet, StaffPasswordReset, StaffSignedInBySSO,
	MailRetried, MailTemplateSaved, MailTemplateDeleted,
	WebhookEndpointCreated, WebhookEndpointUpdated, WebhookEndpointRotated, WebhookEndpointDeleted,
	WebhookEndpointReplayed, WebhookDeliveryReplayed,
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Event is one thing that happened, as every endpoint subscribed to it
// receives it. Its JSON form is the delivered body.
type Event struct {
	ID   EventID `json:"id"`
	Type Type    `json:"type"`
	// Timestamp is when the change was made (not when it was delivered:
	// that is webhook-timestamp).
	Timestamp time.Time `json:"timestamp"`
	// CustomerID is the customer the object belongs to; empty for none.
	CustomerID customer.ID `json:"customer_id,omitempty"`
	// Data is the object as the HTTP API shows it after the change.
	Data json.RawMessage `json:"data"`
}

// Body returns the JSON delivered for e: compact, with Timestamp in UTC.
func (e Event) Body() ([]byte, error) {
	e.Timestamp = e.Timestamp.UTC()
	return json.Marshal(e)
}
