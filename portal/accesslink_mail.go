package portal

import (
	"context"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/storage"
)

// NotifyAccessLink is the e-mail that hands a member its access link
// (Token: the link's new token).
const NotifyAccessLink NotificationKind = "access_link"

// SendAccessLink e-mails an access link to the member it signs in. A
// link's token is kept only as a hash, so sending gives the link a new
// token and a new lifetime, as RefreshAccessLink does: the address sent
// before and the sessions opened with it stop working. The link, its
// member and the customer must be active: FailedPrecondition for a
// disabled membership or user, or an inactive customer; FeatureDisabled
// unless the customer allows access links. Staff may call it; it is
// recorded in the audit log, and the mail leaves through the outbox once
// the change is committed.
func (p *Portal) SendAccessLink(ctx context.Context, cid customer.ID, id invite.AccessLinkID) (invite.AccessLink, error) {
	var out invite.AccessLink
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActAccessLinkManage, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := checkAccessLinksAllowed(c); err != nil {
			return err
		}
		l, err := r.AccessLinks().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errAccessLinkNotFound(id))
		}
		if l.CustomerID != cid {
			return errAccessLinkNotFound(id)
		}
		m, err := getMembership(ctx, r, cid, l.MembershipID)
		if err != nil {
			return err
		}
		if err := m.CheckActive(); err != nil {
			return err
		}
		u, err := r.Users().Get(ctx, m.UserID)
		if err != nil {
			return err
		}
		if err := u.CheckActive(); err != nil {
			return err
		}
		token, hash := invite.NewToken(invite.PrefixAccessLink)
		out, err = p.changeAccessLink(ctx, r, a, cid, id, "access_link.sent", func(l *invite.AccessLink, now time.Time) bool {
			l.TokenHash = hash
			l.ExpiresAt = now.Add(l.TTL)
			l.DisabledAt = time.Time{}
			return true
		})
		if err != nil {
			return err
		}
		return p.enqueue(ctx, r, Notification{
			Kind: NotifyAccessLink, To: u.Email, Locale: u.Locale, Token: token, ExpiresAt: out.ExpiresAt,
			CustomerID: c.ID, CustomerName: c.Name,
		})
	})
	return out, err
}

// AccessLinkURL returns the address an access link's token signs in at,
// built as the access link mail builds it, on Branding.PublicBaseURL: for
// pages that show a new link to staff to hand on. It is "" when the
// portal has no public base URL of its own (no Mailer and none set), so
// that the caller builds the address it knows.
func (p *Portal) AccessLinkURL(token string) string {
	link, err := p.mail.templates.Link(mailer.KindAccessLink, mailer.Data{Token: token})
	if err != nil || strings.HasPrefix(link, placeholderURL+"/") {
		return ""
	}
	return link
}
