package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// NotificationKind says which message a Notification asks for. The kinds
// are mailer's kinds by name (mailer.KindInvitation, …), whose templates
// render them.
type NotificationKind string

// Notification kinds.
const (
	NotifyInvitation         NotificationKind = "invitation"          // Token: the invitation's
	NotifyInvitationResent   NotificationKind = "invitation_resent"   // Token: the new invitation token
	NotifyLoginLink          NotificationKind = "login_link"          // Token: the one-time login token
	NotifyInvitationAccepted NotificationKind = "invitation_accepted" // to the inviting user
	NotifyOrderSubmitted     NotificationKind = "order_submitted"     // to the orderer: OrderID, OrderNumber
	NotifyOrderConfirmed     NotificationKind = "order_confirmed"     // to the orderer: OrderID, OrderNumber
	NotifyOrderRejected      NotificationKind = "order_rejected"      // to the orderer: OrderID, OrderNumber, Reason
	NotifyStaffInvitation    NotificationKind = "staff_invitation"    // to a new staff member: Token, StaffRole
	NotifyStaffLoginLink     NotificationKind = "staff_login_link"    // Token: a staff member's one-time login token
	NotifyTicketOpened       NotificationKind = "ticket_opened"       // to the service desk: the Ticket* fields
	NotifyTicketReply        NotificationKind = "ticket_reply"        // to the requester: the Ticket* fields, Message (the reply)
	NotifyTicketStatus       NotificationKind = "ticket_status"       // to the requester: the Ticket* fields, Reason (the note)
	// NotifyTicketCustomerReply goes to the staff member a ticket is
	// assigned to: the Ticket* fields, Message (the customer's reply).
	NotifyTicketCustomerReply NotificationKind = "ticket_customer_reply"
	NotifyWebhookDisabled     NotificationKind = "webhook_disabled" // to staff owners and admins: EndpointID, EndpointURL, Reason

	NotifyAccessRequestConfirm  NotificationKind = "access_request_confirm"  // to a requester: Token confirms the address; CustomerName is the company
	NotifyAccessRequestRejected NotificationKind = "access_request_rejected" // to a requester: Message is the provider's; CustomerName is the company
	NotifyEmailChange           NotificationKind = "email_change"            // to a user's new address: Token confirms it
	NotifyPasswordReset         NotificationKind = "password_reset"          // Token: a customer user's password reset token
	NotifyStaffPasswordReset    NotificationKind = "staff_password_reset"    // Token: a staff member's password reset token
	// NotifyRecordChangeDecided goes to the customer user who asked for a
	// change of a record that needed approval: the Record* fields,
	// Approved, Reason (staff's note).
	NotifyRecordChangeDecided NotificationKind = "record_change_decided"
)

// Notification asks for a message to a person, usually an e-mail with a
// link that carries Token. Use cases write it into the outbox, in their own
// transaction, as the payload of a outbox.Message; the outbox worker
// renders it with the mail templates (which know the public base URL the
// link is built on) and sends it. Its JSON form is that stored payload.
type Notification struct {
	Kind NotificationKind `json:"kind"`
	// To is the recipient's normalised e-mail address.
	To string `json:"to"`
	// Locale is the recipient's language if known ("" for Config.DefaultLocale).
	Locale string `json:"locale,omitempty"`
	// Token is the secret the link carries; empty for messages without a link.
	Token     string    `json:"token,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// CustomerID is the customer the message is about.
	CustomerID   customer.ID `json:"customer_id,omitempty"`
	CustomerName string      `json:"customer_name,omitempty"`
	// Role offered by an invitation.
	Role customer.Role `json:"role,omitempty"`
	// StaffRole offered by a staff invitation.
	StaffRole identity.StaffRole `json:"staff_role,omitempty"`
	// Message is the inviter's personal note, if any.
	Message string `json:"message,omitempty"`
	// Invitee names who accepted, for NotifyInvitationAccepted.
	Invitee string `json:"invitee,omitempty"`
	// OrderID, OrderNumber and Reason are about an order, for the order kinds.
	OrderID     string `json:"order_id,omitempty"`
	OrderNumber string `json:"order_number,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// TicketID, TicketNumber, TicketSubject and TicketStatus are about a
	// ticket, for the ticket kinds.
	TicketID      string `json:"ticket_id,omitempty"`
	TicketNumber  string `json:"ticket_number,omitempty"`
	TicketSubject string `json:"ticket_subject,omitempty"`
	TicketStatus  string `json:"ticket_status,omitempty"`
	// EndpointID and EndpointURL name a webhook endpoint, for
	// NotifyWebhookDisabled.
	EndpointID  string `json:"endpoint_id,omitempty"`
	EndpointURL string `json:"endpoint_url,omitempty"`
	// RecordID, RecordTitle and RecordChanges are about a record and the
	// change asked of it, and Approved what staff decided, for
	// NotifyRecordChangeDecided (mailer.Data has their meaning).
	RecordID      string `json:"record_id,omitempty"`
	RecordTitle   string `json:"record_title,omitempty"`
	RecordChanges string `json:"record_changes,omitempty"`
	Approved      bool   `json:"approved,omitempty"`
}

// enqueue writes one outbox message per notification in the caller's
// transaction r: they leave once it commits, through the outbox worker,
// and never if it rolls back. After the commit, p.write wakes this
// Portal's workers.
func (p *Portal) enqueue(ctx context.Context, r storage.Repos, ns ...Notification) error {
	now := p.timestamp()
	for _, n := range ns {
		payload, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("portal: encoding %s mail: %w", n.Kind, err)
		}
		m := outbox.Message{
			ID:            outbox.ID(p.ids.NewID(PrefixOutbox)),
			Kind:          string(n.Kind),
			Recipient:     n.To,
			CustomerID:    n.CustomerID,
			Payload:       payload,
			ExpiresAt:     n.ExpiresAt,
			Status:        outbox.Pending,
			NextAttemptAt: now,
			CreatedAt:     now,
			UpdatedAt:     now,
		}
		if err := r.Outbox().Enqueue(ctx, m); err != nil {
			return fmt.Errorf("portal: enqueueing %s mail: %w", n.Kind, err)
		}
	}
	if len(ns) > 0 {
		markQueued(r)
	}
	return nil
}

// markQueued notes that the transaction r made mail due, so that p.write
// wakes the outbox workers once it commits.
func markQueued(r storage.Repos) {
	if w, ok := r.(*writeTx); ok {
		w.queued = true
	}
}

// noteObject notes that the transaction r makes a change about the object
// id (the order it places, the stock item it issues): an idempotency key
// recorded with the change keeps the IDs noted, in order, so that a repeat
// can be answered from the objects when the first answer was never kept.
func noteObject(r storage.Repos, id string) {
	if w, ok := r.(*writeTx); ok {
		w.objects = append(w.objects, id)
	}
}

// writeTx is the Repos of a transaction p.write runs: it remembers whether
// the transaction enqueued mail, and which object its change is about.
type writeTx struct {
	storage.Repos
	queued  bool
	objects []string
	// hooked notes that the transaction wrote webhook deliveries, so that
	// p.write wakes the webhook workers once it commits; endpoints are the
	// enabled endpoints as publish read them, once per transaction.
	hooked    bool
	endpoints *[]webhook.Endpoint
}

// activeRecipient loads user id, who (such as "the orderer") of an object
// of customer cid at site sid ("" for none), for mail about that object:
// ok is false when the user is gone or disabled, or has no active
// membership of cid that covers sid.
func activeRecipient(ctx context.Context, r storage.Repos, id customer.UserID, cid customer.ID, sid customer.SiteID, who string) (customer.User, bool, error) {
	u, err := r.Users().Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return customer.User{}, false, nil
	}
	if err != nil {
		return customer.User{}, false, fmt.Errorf("portal: loading %s: %w", who, err)
	}
	if !u.Active() {
		return customer.User{}, false, nil
	}
	m, ok, err := activeMembership(ctx, r, u.ID, cid)
	if err != nil {
		return customer.User{}, false, fmt.Errorf("portal: loading %s's membership: %w", who, err)
	}
	if !ok || (sid != "" && !m.CoversSite(sid)) {
		return customer.User{}, false, nil
	}
	return u, true, nil
}
