package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// ID prefixes of contacts and e-mail changes.
const (
	PrefixContact     = "con"
	PrefixEmailChange = "emc"
)

// EmailChangeTTL is how long the link that confirms a new e-mail address works.
const EmailChangeTTL = 3 * 24 * time.Hour

// tokenPrefixEmailChange is the prefix of e-mail change tokens.
const tokenPrefixEmailChange = "pec_"

func errContactNotFound(id customer.ContactID) error {
	return portalerr.New(portalerr.NotFound, "contact %s not found", id)
}

// ContactParams are a contact's details; text is trimmed before it is
// checked (customer.Contact.Check), and a single address is primary.
type ContactParams struct {
	Name      string                    `json:"name"`
	Email     string                    `json:"email"`
	Phone     string                    `json:"phone"`
	JobTitle  string                    `json:"job_title"`
	Addresses []customer.ContactAddress `json:"addresses"`
	Notes     string                    `json:"notes"`
}

func (c ContactParams) contact() customer.Contact {
	return customer.Contact{Name: c.Name, Email: c.Email, Phone: c.Phone, JobTitle: c.JobTitle, Addresses: c.Addresses, Notes: c.Notes}.Normalize()
}

// CreateContact adds a contact person to a customer's record. Staff and
// the customer's admins may call it. Invalid for bad details.
func (p *Portal) CreateContact(ctx context.Context, cid customer.ID, params ContactParams) (customer.Contact, error) {
	c := params.contact()
	if err := c.Check(); err != nil {
		return customer.Contact{}, err
	}
	now := p.timestamp()
	c.ID, c.CustomerID, c.Version, c.CreatedAt, c.UpdatedAt = customer.ContactID(p.ids.NewID(PrefixContact)), cid, 1, now, now
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActContactManage, cid, "")
		if err != nil {
			return err
		}
		cu, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		if cu.Archived() {
			return portalerr.New(portalerr.FailedPrecondition, "customer %s is archived", cid)
		}
		noteObject(r, string(c.ID))
		if err := r.Contacts().Create(ctx, c); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "contact.created", cid, string(c.ID), nil, nil, c)
	})
	return c, err
}

// ListContactsParams page a customer's contacts.
type ListContactsParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListContactsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListContacts lists a customer's contacts, oldest first. Staff and the
// customer's admins may call it.
func (p *Portal) ListContacts(ctx context.Context, cid customer.ID, params ListContactsParams) (List[customer.Contact], error) {
	return listIn(ctx, p, "contacts", ActContactRead, cid, params, func(r storage.Repos, _ access, page storage.Page) (storage.List[customer.Contact], error) {
		return r.Contacts().List(ctx, cid, page)
	})
}

// GetContact returns one of a customer's contacts. Staff and the
// customer's admins may call it; another customer's contact is NotFound.
func (p *Portal) GetContact(ctx context.Context, cid customer.ID, id customer.ContactID) (customer.Contact, error) {
	var out customer.Contact
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActContactRead, cid, ""); err != nil {
			return err
		}
		var err error
		out, err = getContact(ctx, r, cid, id)
		return err
	})
	return out, err
}

// getContact returns contact id of customer cid; NotFound for another's.
func getContact(ctx context.Context, r storage.Repos, cid customer.ID, id customer.ContactID) (customer.Contact, error) {
	c, err := r.Contacts().Get(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound), err == nil && c.CustomerID != cid:
		return customer.Contact{}, errContactNotFound(id)
	case err != nil:
		return customer.Contact{}, fmt.Errorf("portal: loading contact: %w", err)
	}
	return c, nil
}

// UpdateContactParams replace a contact's details. Version is the version
// the caller read.
type UpdateContactParams struct {
	Version int64 `json:"version" validate:"required,min=1"`
	ContactParams
}

// UpdateContact replaces a contact's details with params. Staff and the
// customer's admins may call it. Invalid for bad details; Conflict when
// params.Version is not the stored version.
func (p *Portal) UpdateContact(ctx context.Context, cid customer.ID, id customer.ContactID, params UpdateContactParams) (customer.Contact, error) {
	next := params.contact()
	if err := mergeInvalid(validStruct(params), next.Check()); err != nil {
		return customer.Contact{}, err
	}
	var out customer.Contact
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActContactManage, cid, "")
		if err != nil {
			return err
		}
		old, err := getContact(ctx, r, cid, id)
		if err != nil {
			return err
		}
		out, err = r.Contacts().Update(ctx, id, func(c *customer.Contact) error {
			if c.Version != params.Version {
				return portalerr.New(portalerr.Conflict, "contact %s changed since version %d; read it again", id, params.Version)
			}
			c.Name, c.Email, c.Phone, c.JobTitle, c.Addresses, c.Notes = next.Name, next.Email, next.Phone, next.JobTitle, next.Addresses, next.Notes
			c.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "contact.updated", cid, string(id), old, out, out)
	})
	return out, err
}

// DeleteContact deletes a contact from a customer's record; a user it
// became stays. Staff and the customer's admins may call it.
func (p *Portal) DeleteContact(ctx context.Context, cid customer.ID, id customer.ContactID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActContactManage, cid, "")
		if err != nil {
			return err
		}
		gone, err := getContact(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := r.Contacts().Delete(ctx, id); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "contact.deleted", cid, string(id), nil, nil, gone)
	})
}

// ContactAccessParams give a contact portal access.
type ContactAccessParams struct {
	Role customer.Role `json:"role" validate:"required,oneof=viewer maintainer admin"`
	// SiteIDs limits the contact to these sites of the customer; empty: all.
	SiteIDs []customer.SiteID `json:"site_ids" validate:"max=100"`
	// Message is a personal note in the invitation.
	Message string `json:"message" validate:"max=2000"`
}

// EnableContactPortalAccess gives a contact portal access: it invites the
// contact's address into the customer with a role (and sites), and links
// the contact to the invitation, and to the user once it is accepted. A
// contact whose address is a member of the customer already is linked to
// that user at once, with no invitation. Staff and the customer's admins
// (who may invite) may call it. FailedPrecondition for a contact without an
// e-mail address or linked already; Invite's errors.
func (p *Portal) EnableContactPortalAccess(ctx context.Context, cid customer.ID, id customer.ContactID, params ContactAccessParams) (customer.Contact, error) {
	params.Message = strings.TrimSpace(params.Message)
	if err := validStruct(params); err != nil {
		return customer.Contact{}, err
	}
	var out customer.Contact
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActContactManage, cid, "")
		if err != nil {
			return err
		}
		if _, err := p.authorize(ctx, r, ActInvitationManage, cid, ""); err != nil {
			return err
		}
		k, err := getContact(ctx, r, cid, id)
		if err != nil {
			return err
		}
		switch {
		case k.Email == "":
			return portalerr.New(portalerr.FailedPrecondition, "contact %s has no e-mail address; add one first", id)
		case k.UserID != "":
			return portalerr.New(portalerr.FailedPrecondition, "contact %s has portal access already", id)
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		link := func(x *customer.Contact) error { return nil }
		if uid, ok, err := memberOf(ctx, r, cid, k.Email); err != nil {
			return err
		} else if ok {
			link = func(x *customer.Contact) error { x.UserID = uid; return nil }
		} else {
			sites, err := checkSites(ctx, r, a, cid, params.SiteIDs)
			if err != nil {
				return err
			}
			inv, err := p.createInvitation(ctx, r, c, invite.Invitation{
				Email: k.Email, Role: params.Role, SiteIDs: sites, Message: params.Message, InvitedBy: a.who.Actor(),
			}, invite.DefaultInvitationTTL)
			if err != nil {
				return err
			}
			if err := p.recordDiff(ctx, r, a, "invitation.created", cid, string(inv.ID), nil, nil, inv); err != nil {
				return err
			}
			link = func(x *customer.Contact) error { x.InvitationID = string(inv.ID); return nil }
		}
		out, err = r.Contacts().Update(ctx, id, func(x *customer.Contact) error {
			x.UpdatedAt = p.timestamp()
			return link(x)
		})
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "contact.portal_access_enabled", cid, string(id), k, out, out)
	})
	return out, err
}

// memberOf returns the user with address email if it is a member of
// customer cid.
func memberOf(ctx context.Context, r storage.Repos, cid customer.ID, email string) (customer.UserID, bool, error) {
	u, err := r.Users().GetByEmail(ctx, email)
	if errors.Is(err, storage.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("portal: looking up the contact's user: %w", err)
	}
	l, err := r.Memberships().List(ctx, storage.MembershipFilter{UserID: u.ID, CustomerID: cid}, storage.Page{Limit: 1})
	if err != nil {
		return "", false, fmt.Errorf("portal: looking for a membership: %w", err)
	}
	return u.ID, len(l.Items) > 0, nil
}

// UpdateUserParams correct a person's name and e-mail address. Nil fields
// stay as they are. Version, when not zero, is the version of the user the
// caller read: a user changed since answers Conflict.
type UpdateUserParams struct {
	Version int64   `json:"version" validate:"min=0"`
	Name    *string `json:"name" validate:"omitnil,min=1,max=200,singleline"`
	Email   *string `json:"email" validate:"omitnil,max=254"`
}

// UserUpdate is a corrected user, and the new address that waits for its
// confirmation, if any.
type UserUpdate struct {
	User         customer.User
	PendingEmail string
}

// UpdateUser corrects a person's name at once and asks a new e-mail
// address to confirm itself before it takes effect: a link, valid for
// EmailChangeTTL, goes to the new address (ConfirmEmailChange); a newer
// change ends an older one. Staff admins and owners may call it. Invalid
// for bad input; Conflict when params.Version is not the stored version;
// AlreadyExists when another user has the new address.
func (p *Portal) UpdateUser(ctx context.Context, id customer.UserID, params UpdateUserParams) (UserUpdate, error) {
	if params.Name != nil {
		params.Name = ptrTrim(params.Name)
	}
	var email string
	var emailErr error
	if params.Email != nil {
		email, emailErr = customer.NormalizeEmail(*params.Email)
	}
	if err := mergeInvalid(validStruct(params), emailErr); err != nil {
		return UserUpdate{}, err
	}
	var out UserUpdate
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActUserAdmin, "", "")
		if err != nil {
			return err
		}
		var old customer.User
		u, err := r.Users().Update(ctx, id, func(u *customer.User) error {
			old = *u
			if params.Version != 0 && u.Version != params.Version {
				return portalerr.New(portalerr.Conflict, "user %s changed since version %d; read it again", id, params.Version)
			}
			if params.Name != nil {
				u.Name = *params.Name
			}
			u.UpdatedAt = p.timestamp()
			return nil
		})
		if errors.Is(err, storage.ErrNotFound) {
			return portalerr.New(portalerr.NotFound, "user %s not found", id)
		}
		if err != nil {
			return err
		}
		out.User = u
		changes := fieldChanges(old, u)
		if email == "" || email == u.Email {
			return p.recordChanges(ctx, r, a.who.Actor(), "user.updated", "", string(id), changes, u)
		}
		// The address changes once confirmed ("user.email_changed").
		changes = append(changes, audit.Change{Field: "pending_email", Before: "", After: email})
		if err := p.recordChanges(ctx, r, a.who.Actor(), "user.updated", "", string(id), changes, u); err != nil {
			return err
		}
		if other, err := r.Users().GetByEmail(ctx, email); err == nil && other.ID != u.ID {
			return portalerr.New(portalerr.AlreadyExists, "another user has the address %s", email)
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		now := p.timestamp()
		token, hash := invite.NewToken(tokenPrefixEmailChange)
		ch := storage.EmailChange{
			ID: p.ids.NewID(PrefixEmailChange), UserID: u.ID, NewEmail: email, TokenHash: string(hash),
			RequestedBy: a.who.Actor(), ExpiresAt: now.Add(EmailChangeTTL), CreatedAt: now,
		}
		if err := r.EmailChanges().Create(ctx, ch); err != nil {
			return err
		}
		out.PendingEmail = email
		return p.enqueue(ctx, r, Notification{Kind: NotifyEmailChange, To: email, Locale: u.Locale, Token: token, ExpiresAt: ch.ExpiresAt})
	})
	return out, err
}

func ptrTrim(s *string) *string {
	t := strings.TrimSpace(*s)
	return &t
}

var errEmailChangeLink = portalerr.New(portalerr.NotFound, "this confirmation link is not valid or has expired")

// ConfirmEmailChange makes a user's new e-mail address take effect, with
// the token of the link UpdateUser mailed to it; the link works once. It
// needs no principal. NotFound for an unknown, used, superseded or expired
// link; AlreadyExists when another user took the address meanwhile.
func (p *Portal) ConfirmEmailChange(ctx context.Context, token string) error {
	if !invite.HasPrefix(token, tokenPrefixEmailChange) {
		return errEmailChangeLink
	}
	return p.write(ctx, func(r storage.Repos) error {
		now := p.timestamp()
		ch, err := r.EmailChanges().Take(ctx, string(invite.HashToken(token)), now)
		if errors.Is(err, storage.ErrNotFound) {
			return errEmailChangeLink
		}
		if err != nil {
			return err
		}
		u, err := r.Users().Update(ctx, ch.UserID, func(u *customer.User) error {
			u.Email, u.UpdatedAt = ch.NewEmail, now
			return nil
		})
		if errors.Is(err, storage.ErrAlreadyExists) {
			return portalerr.New(portalerr.AlreadyExists, "another user has the address %s now", ch.NewEmail)
		}
		if err != nil {
			return err
		}
		return p.record(ctx, r, ch.RequestedBy, "user.email_changed", "", string(ch.UserID), u)
	})
}

// PendingEmailChange returns the new address a user's e-mail change waits
// to confirm, or "" for none. Staff admins and owners may call it.
func (p *Portal) PendingEmailChange(ctx context.Context, id customer.UserID) (string, error) {
	var out string
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActUserAdmin, "", ""); err != nil {
			return err
		}
		ch, err := r.EmailChanges().Pending(ctx, id, p.timestamp())
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		out = ch.NewEmail
		return err
	})
	return out, err
}
