package portal

import (
	"context"
	"errors"
	"strings"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// APIKeySecret is a new API key with its secret token, shown only here, once.
type APIKeySecret struct {
	Key   identity.APIKey
	Token string
}

// CreateAPIKeyParams describe a new API key.
type CreateAPIKeyParams struct {
	Name string             `json:"name" validate:"required,max=100,singleline"`
	Role identity.StaffRole `json:"role" validate:"required,oneof=owner admin agent"`
}

// CreateAPIKey creates an API key that acts as a staff role. Staff owners
// may call it. The secret is in the result and nowhere else.
func (p *Portal) CreateAPIKey(ctx context.Context, params CreateAPIKeyParams) (APIKeySecret, error) {
	params.Name = strings.TrimSpace(params.Name)
	if err := validStruct(params); err != nil {
		return APIKeySecret{}, err
	}
	var out APIKeySecret
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActAPIKeyManage, "", "")
		if err != nil {
			return err
		}
		out, err = p.createAPIKey(ctx, r, params, a.who.Actor())
		return err
	})
	return out, err
}

func (p *Portal) createAPIKey(ctx context.Context, r storage.Repos, params CreateAPIKeyParams, actor string) (APIKeySecret, error) {
	token, hash := invite.NewToken(invite.PrefixAPIKey)
	k := identity.APIKey{
		ID:        identity.APIKeyID(p.ids.NewID(PrefixAPIKey)),
		Name:      params.Name,
		Role:      params.Role,
		TokenHash: string(hash),
		CreatedBy: actor,
		CreatedAt: p.timestamp(),
	}
	noteObject(r, string(k.ID))
	if err := r.APIKeys().Create(ctx, k); err != nil {
		return APIKeySecret{}, err
	}
	if err := p.record(ctx, r, actor, "api_key.created", "", string(k.ID)); err != nil {
		return APIKeySecret{}, err
	}
	return APIKeySecret{Key: k, Token: token}, nil
}

// ListAPIKeysParams page an API key list.
type ListAPIKeysParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

// ListAPIKeys lists API keys, revoked ones included, never their secrets.
// Staff owners may call it.
func (p *Portal) ListAPIKeys(ctx context.Context, params ListAPIKeysParams) (List[identity.APIKey], error) {
	if err := validStruct(params); err != nil {
		return List[identity.APIKey]{}, err
	}
	lc, page, err := p.openList(ctx, "api_keys", "", params)
	if err != nil {
		return List[identity.APIKey]{}, err
	}
	var out List[identity.APIKey]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActAPIKeyManage, "", ""); err != nil {
			return err
		}
		var err error
		out, err = listPage(r.APIKeys().List(ctx, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// RevokeAPIKey revokes an API key for good: it is refused from its next use.
// Staff owners may call it; revoking a revoked key changes nothing.
func (p *Portal) RevokeAPIKey(ctx context.Context, id identity.APIKeyID) (identity.APIKey, error) {
	var out identity.APIKey
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActAPIKeyManage, "", "")
		if err != nil {
			return err
		}
		changed := false
		out, err = r.APIKeys().Update(ctx, id, func(k *identity.APIKey) error {
			if k.RevokedAt.IsZero() {
				k.RevokedAt = p.timestamp()
				changed = true
			}
			return nil
		})
		if err != nil || !changed {
			return notFoundAs(err, portalerr.New(portalerr.NotFound, "API key %s not found", id))
		}
		return p.record(ctx, r, a.who.Actor(), "api_key.revoked", "", string(id))
	})
	return out, err
}

// BootstrapParams name the first owner staff member Bootstrap creates.
type BootstrapParams struct {
	// OwnerEmail is the first owner's address; empty creates no staff
	// member, only the API key.
	OwnerEmail string `json:"owner_email" validate:"max=254"`
	// OwnerName defaults to the part of OwnerEmail before the @.
	OwnerName string `json:"owner_name" validate:"max=200,singleline"`
}

// Bootstrapped is what Bootstrap created; the zero value when it created
// nothing. The secrets are shown only here, once.
type Bootstrapped struct {
	// APIKey is the secret of the first owner API key, if Bootstrap made it.
	APIKey string
	// Owner is the first owner staff member, if Bootstrap made it, and
	// OwnerLoginToken the token of its one-time sign-in link (an
	// invitation link valid for StaffInvitationTTL): the console's link is
	// {base}/console/login?token=…, and SignInStaffWithLoginLink redeems
	// it. No mail is sent: the caller shows the link.
	Owner           identity.StaffMember
	OwnerLoginToken string
}

// Bootstrap gives a new deployment its first credentials: on a store
// without API keys it creates an owner API key, and, when
// params.OwnerEmail is set, on a store without staff members it creates
// that owner staff member (invited) with a one-time sign-in link. What
// exists already stays as it is, so calling it on every start is safe; a
// deployment from before staff members gets its first owner this way. It
// needs no principal: it is how a new deployment gets its first
// credentials (the reference server prints them once). Invalid for a bad
// OwnerEmail or OwnerName.
func (p *Portal) Bootstrap(ctx context.Context, params BootstrapParams) (Bootstrapped, error) {
	params.OwnerName = strings.TrimSpace(params.OwnerName)
	if err := validStruct(params); err != nil {
		return Bootstrapped{}, err
	}
	var email string
	if params.OwnerEmail != "" {
		var err error
		if email, err = customer.NormalizeEmail(params.OwnerEmail); err != nil {
			return Bootstrapped{}, prefixFields(err, "owner_")
		}
		if params.OwnerName == "" {
			params.OwnerName, _, _ = strings.Cut(email, "@")
		}
	}
	var out Bootstrapped
	err := p.write(ctx, func(r storage.Repos) error {
		out = Bootstrapped{}
		const actor = "system:bootstrap"
		l, err := r.APIKeys().List(ctx, storage.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			s, err := p.createAPIKey(ctx, r, CreateAPIKeyParams{Name: "bootstrap owner key", Role: identity.StaffOwner}, actor)
			if err != nil {
				return err
			}
			out.APIKey = s.Token
		}
		if email == "" {
			return nil
		}
		staff, err := r.Staff().List(ctx, storage.StaffFilter{}, storage.Page{Limit: 1})
		if err != nil || len(staff.Items) > 0 {
			return err
		}
		if out.Owner, err = p.createStaff(ctx, r, email, params.OwnerName, identity.StaffOwner, actor); err != nil {
			return err
		}
		out.OwnerLoginToken, _, err = p.issueStaffLink(ctx, r, out.Owner.ID, identity.StaffLinkInvitation)
		return err
	})
	return out, err
}

func (p *Portal) authenticateAPIKey(ctx context.Context, token string) (identity.Principal, error) {
	hash := string(invite.HashToken(token))
	var k identity.APIKey
	err := p.read(ctx, func(r storage.Repos) error {
		var err error
		k, err = r.APIKeys().GetByTokenHash(ctx, hash)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !k.Active()) {
		return identity.Principal{}, errBadToken
	}
	if err != nil {
		return identity.Principal{}, err
	}
	if now := p.timestamp(); now.Sub(k.LastUsedAt) >= touchEvery {
		err := p.write(ctx, func(r storage.Repos) error {
			_, err := r.APIKeys().Update(ctx, k.ID, func(k *identity.APIKey) error {
				k.LastUsedAt = now
				return nil
			})
			return err
		})
		if err != nil {
			return identity.Principal{}, err
		}
	}
	return k.Principal(), nil
}

// record appends an audit event in the caller's transaction.
func (p *Portal) record(ctx context.Context, r storage.Repos, actor, action string, cid customer.ID, object string) error {
	return p.recordChanges(ctx, r, actor, action, cid, object, nil)
}

// recordChanges is record with the fields the action changed (never
// secrets). The event names the principal in ctx as actor and its
// impersonator apart when actor is that principal's, and carries the
// request ID of ctx (WithRequestID).
func (p *Portal) recordChanges(ctx context.Context, r storage.Repos, actor, action string, cid customer.ID, object string, changes []audit.Change) error {
	e := audit.Event{
		ID:         audit.ID(p.ids.NewID(PrefixEvent)),
		At:         p.timestamp(),
		Actor:      actor,
		Action:     action,
		CustomerID: cid,
		ObjectID:   object,
		RequestID:  RequestID(ctx),
		Changes:    changes,
	}
	if who, ok := identity.FromContext(ctx); ok && who.Impersonator != "" && actor == who.Actor() {
		plain := who
		plain.Impersonator = ""
		e.Actor = plain.Actor()
		e.Impersonator = identity.Principal{Kind: identity.KindStaff, ID: string(who.Impersonator)}.Actor()
	}
	return r.Audit().Append(ctx, e)
}
