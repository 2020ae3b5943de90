package webui

import (
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// peopleForm does what a form about a customer's people asks, from the
// portal's members page and the console's alike: "invite" (no id), a
// membership's "role", "disable", "enable" or "remove", an invitation's
// "resend" or "revoke". It returns the notice of success; NotFound for an
// act it does not know.
func (h *handler) peopleForm(r *http.Request, cid customer.ID, act, id string) (notice string, err error) {
	ctx := r.Context()
	mid, iid := customer.MembershipID(id), invite.ID(id)
	switch act {
	case "invite":
		_, err = h.p.Invite(ctx, cid, portal.InviteParams{
			Email:   formValue(r, "email"),
			Role:    customer.Role(r.PostFormValue("role")),
			Message: formValue(r, "message"),
		})
		return "invited", err
	case "role":
		_, err = h.p.ChangeRole(ctx, cid, mid, portal.ChangeRoleParams{Role: customer.Role(r.PostFormValue("role")), Version: version(r)})
	case "disable":
		_, err = h.p.DisableMember(ctx, cid, mid)
	case "enable":
		_, err = h.p.EnableMember(ctx, cid, mid)
	case "remove":
		err = h.p.RemoveMember(ctx, cid, mid)
	case "resend":
		_, err = h.p.ResendInvitation(ctx, cid, iid, portal.ResendInvitationParams{})
		return "resent", err
	case "revoke":
		_, err = h.p.RevokeInvitation(ctx, cid, iid)
		return "revoked", err
	default:
		return "", portalerr.New(portalerr.NotFound, "no form %q", act)
	}
	return "member_updated", err
}

// memberActs and invitationActs are the acts of peopleForm on a
// membership and on an invitation.
var (
	memberActs     = []string{"role", "disable", "enable", "remove"}
	invitationActs = []string{"resend", "revoke"}
)
