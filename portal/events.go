package portal

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// eventTypes say which webhook event each audit action publishes: every
// action a use case records is here (or in unpublished), and recordChanges
// refuses one that is in neither, so no change is audited without being
// announced. Most actions publish the type of their own name; the older
// names the audit log kept (order.placed, membership.changed, …) and the
// finer actions of one documented type (a ticket's status, assignee and
// priority are all ticket.updated) say which here.
var eventTypes = map[string]webhook.Type{
	"customer.created":          webhook.CustomerCreated,
	"customer.updated":          webhook.CustomerUpdated,
	"customer.features_updated": webhook.CustomerUpdated,
	"customer.status_changed":   webhook.CustomerUpdated,
	"membership.created":        webhook.MembershipCreated,
	"membership.joined_by_sso":  webhook.MembershipCreated,
	"membership.changed":        webhook.MembershipUpdated,
	"membership.removed":        webhook.MembershipRemoved,
	"order.placed":              webhook.OrderSubmitted,
	"order.confirmed":           webhook.OrderConfirmed,
	"order.rejected":            webhook.OrderRejected,
	"order.fulfilled":           webhook.OrderFulfilled,
	"order.cancelled":           webhook.OrderCancelled,
	"stock_item.stocked":        webhook.StockItemStocked,
	"stock_item.issued":         webhook.StockItemIssued,
	"stock_item.returned":       webhook.StockItemReturned,
	"stock_item.retired":        webhook.StockItemRetired,
	"ticket.opened":             webhook.TicketOpened,
	"ticket.status_changed":     webhook.TicketUpdated,
	"ticket.reopened":           webhook.TicketUpdated,
	"ticket.assigned":           webhook.TicketUpdated,
	"ticket.priority_changed":   webhook.TicketUpdated,
	"ticket.change_applied":     webhook.TicketUpdated,
	"ticket.commented":          webhook.TicketCommented,
	"ticket.attachment_added":   webhook.TicketAttachmentAdded,
	"site.created":              webhook.SiteCreated,
	"site.updated":              webhook.SiteUpdated,
	"site.moved":                webhook.SiteUpdated,
	"site.deleted":              webhook.SiteDeleted,
	"record.action":             webhook.RecordAction,

	"invitation.created":                   webhook.InvitationCreated,
	"invitation.resent":                    webhook.InvitationResent,
	"invitation.revoked":                   webhook.InvitationRevoked,
	"user.updated":                         webhook.UserUpdated,
	"user.email_changed":                   webhook.UserEmailChanged,
	"user.password_reset":                  webhook.UserPasswordReset,
	"user.status_changed":                  webhook.UserStatusChanged,
	"access_link.created":                  webhook.AccessLinkCreated,
	"access_link.refreshed":                webhook.AccessLinkRefreshed,
	"access_link.disabled":                 webhook.AccessLinkDisabled,
	"access_link.sent":                     webhook.AccessLinkSent,
	"api_key.created":                      webhook.APIKeyCreated,
	"api_key.revoked":                      webhook.APIKeyRevoked,
	"product.created":                      webhook.ProductCreated,
	"product.updated":                      webhook.ProductUpdated,
	"product.deactivated":                  webhook.ProductDeactivated,
	"offer.created":                        webhook.OfferCreated,
	"offer.updated":                        webhook.OfferUpdated,
	"offer.deleted":                        webhook.OfferDeleted,
	"article.created":                      webhook.ArticleCreated,
	"article.updated":                      webhook.ArticleUpdated,
	"article.deleted":                      webhook.ArticleDeleted,
	"record_type.defined":                  webhook.RecordTypeDefined,
	"record.created":                       webhook.RecordCreated,
	"record.updated":                       webhook.RecordUpdated,
	"record.claimed":                       webhook.RecordClaimed,
	"record_change.requested":              webhook.RecordChangeRequested,
	"record_change.approved":               webhook.RecordChangeApproved,
	"record_change.rejected":               webhook.RecordChangeRejected,
	"job.created":                          webhook.JobCreated,
	"job.updated":                          webhook.JobUpdated,
	"visit.created":                        webhook.VisitCreated,
	"visit.updated":                        webhook.VisitUpdated,
	"picture.uploaded":                     webhook.PictureUploaded,
	"contact.created":                      webhook.ContactCreated,
	"contact.updated":                      webhook.ContactUpdated,
	"contact.deleted":                      webhook.ContactDeleted,
	"contact.portal_access_enabled":        webhook.ContactAccessEnabled,
	"access_request.connected":             webhook.AccessRequestConnected,
	"access_request.rejected":              webhook.AccessRequestRejected,
	"hr_sync.planned":                      webhook.HRSyncPlanned,
	"hr_sync.awaiting_confirmation":        webhook.HRSyncAwaitingConfirmation,
	"hr_sync.applied":                      webhook.HRSyncApplied,
	"hr_sync.discarded":                    webhook.HRSyncDiscarded,
	"hr_sync.failed":                       webhook.HRSyncFailed,
	"hr_sync.settings_updated":             webhook.HRSyncSettingsUpdated,
	"scim_token.created":                   webhook.SCIMTokenCreated,
	"scim_token.revoked":                   webhook.SCIMTokenRevoked,
	"scim.employee.created":                webhook.EmployeeCreated,
	"scim.employee.replaced":               webhook.EmployeeReplaced,
	"scim.employee.deleted":                webhook.EmployeeDeleted,
	"license.updated":                      webhook.LicenseUpdated,
	"sso.configured":                       webhook.SSOConfigured,
	"sso.domain_approved":                  webhook.SSODomainApproved,
	"sso.deleted":                          webhook.SSODeleted,
	"impersonation.started":                webhook.ImpersonationStarted,
	"impersonation.ended":                  webhook.ImpersonationEnded,
	"impersonation.allowed":                webhook.ImpersonationAllowed,
	"impersonation.forbidden":              webhook.ImpersonationForbidden,
	"staff.invited":                        webhook.StaffInvited,
	"staff.invitation_resent":              webhook.StaffInvitationResent,
	"staff.activated":                      webhook.StaffActivated,
	"staff.updated":                        webhook.StaffUpdated,
	"staff.disabled":                       webhook.StaffDisabled,
	"staff.enabled":                        webhook.StaffEnabled,
	"staff.password_set":                   webhook.StaffPasswordSet,
	"staff.password_reset":                 webhook.StaffPasswordReset,
	"staff.signed_in_by_sso":               webhook.StaffSignedInBySSO,
	"mail.retried":                         webhook.MailRetried,
	"mail_template.saved":                  webhook.MailTemplateSaved,
	"mail_template.deleted":                webhook.MailTemplateDeleted,
	"webhook_endpoint.created":             webhook.WebhookEndpointCreated,
	"webhook_endpoint.updated":             webhook.WebhookEndpointUpdated,
	"webhook_endpoint.secret_rotated":      webhook.WebhookEndpointRotated,
	"webhook_endpoint.deleted":             webhook.WebhookEndpointDeleted,
	"webhook_endpoint.deliveries_replayed": webhook.WebhookEndpointReplayed,
	"webhook_delivery.replayed":            webhook.WebhookDeliveryReplayed,
}

// unpublished are the audit actions that publish no webhook event, each
// for the reason given: the one list of exceptions.
var unpublished = map[string]string{
	// Refused attempts, recorded to trace abuse: nothing changed.
	"record.claim_limited": "a claim refused by the rate limit changes no record",
	"record.claim_failed":  "a claim with a wrong code changes no record",
	// Access logging: every request made while impersonating, reads
	// included; impersonation.started and .ended announce the impersonation.
	ActionImpersonatedRequest: "a request made while impersonating changes nothing by being made",
}

// announce publishes the webhook event of the audit action about customer
// cid, whose data is obj, in r. Error for an action that is in neither
// eventTypes nor unpublished, or that has no object to announce: a use
// case that records a change must say what changed.
func (p *Portal) announce(ctx context.Context, r storage.Repos, action string, cid customer.ID, obj any) error {
	typ, ok := eventTypes[action]
	if !ok {
		if _, quiet := unpublished[action]; quiet {
			return nil
		}
		return fmt.Errorf("portal: audit action %q has no webhook event type", action)
	}
	if obj == nil {
		return fmt.Errorf("portal: audit action %q recorded without the object its webhook event shows", action)
	}
	return p.publish(ctx, r, typ, cid, obj)
}

// ImpersonationPolicy is the data of the impersonation.allowed and
// impersonation.forbidden events: customer CustomerID's choice.
type ImpersonationPolicy struct {
	CustomerID customer.ID
	Forbidden  bool
}
