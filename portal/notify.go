package portal

import (
	"context"
	"log/slog"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// NotificationKind says which message a Notification asks for.
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
)

// Notification asks for a message to a person, usually an e-mail with a
// link that carries Token. The link's address is the mailer's business
// (it knows the public base URL); portal knows what the link must do.
type Notification struct {
	Kind NotificationKind
	// To is the recipient's normalised e-mail address.
	To string
	// Locale is the recipient's language if known ("" for the default).
	Locale string
	// Token is the secret the link carries; empty for messages without a link.
	Token     string
	ExpiresAt time.Time
	// Customer is the customer the message is about.
	CustomerID   customer.ID
	CustomerName string
	// Role offered by an invitation.
	Role customer.Role
	// Message is the inviter's personal note, if any.
	Message string
	// Subject names the person the message is about (the invitee, for NotifyInvitationAccepted).
	Subject string
	// OrderID and OrderNumber name the order of the order messages.
	OrderID     string
	OrderNumber string
	// Reason is why an order was rejected.
	Reason string
}

// Notifier sends notifications. Portal calls it after the transaction that
// caused the notification has committed; an error is logged, and the action
// stands (an invitation can be resent).
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, n Notification) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n Notification) error { return f(ctx, n) }

// LogNotifier returns a Notifier that writes each notification, token
// included, to log: for development, where mail is not set up. The tokens
// are credentials: never use it where the log is kept or shared.
func LogNotifier(log *slog.Logger) Notifier {
	return NotifierFunc(func(ctx context.Context, n Notification) error {
		log.InfoContext(ctx, "portal: notification", "kind", n.Kind, "to", n.To, "customer", n.CustomerID, "token", n.Token, "expires_at", n.ExpiresAt)
		return nil
	})
}

// notify hands notifications to the Notifier after a commit. The change has
// happened, so a caller that goes away must not cancel its messages.
func (p *Portal) notify(ctx context.Context, ns ...Notification) {
	ctx = context.WithoutCancel(ctx)
	for _, n := range ns {
		if err := p.notifier.Notify(ctx, n); err != nil {
			p.log.ErrorContext(ctx, "portal: notification not sent", "kind", n.Kind, "to", n.To, "err", err)
		}
	}
}
