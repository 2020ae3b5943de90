package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type contactRepo struct {
	crud[customer.Contact, customer.ContactID]
}

func (t *txn) Contacts() storage.ContactRepo {
	return contactRepo{crud[customer.Contact, customer.ContactID]{t, contacts}}
}

var contacts = newTable(table[customer.Contact]{
	name: "contacts", noun: "contact",
	columns: []string{"id", "customer_id", "name", "email", "phone", "job_title", "addresses", "notes",
		"invitation_id", "user_id", "version", "created_at", "updated_at"},
	values: func(c *customer.Contact) []any {
		addrs := c.Addresses
		if addrs == nil {
			addrs = []customer.ContactAddress{}
		}
		return []any{string(c.ID), string(c.CustomerID), c.Name, c.Email, c.Phone, c.JobTitle, jsonValue{addrs}, c.Notes,
			c.InvitationID, string(c.UserID), c.Version, ts(c.CreatedAt), ts(c.UpdatedAt)}
	},
	dest: func(c *customer.Contact) []any {
		return []any{&c.ID, &c.CustomerID, &c.Name, &c.Email, &c.Phone, &c.JobTitle, addressesCol{&c.Addresses}, &c.Notes,
			&c.InvitationID, &c.UserID, &c.Version, tcol(&c.CreatedAt), tcol(&c.UpdatedAt)}
	},
	version: func(c *customer.Contact) *int64 { return &c.Version },
	keep: func(old customer.Contact, c *customer.Contact) {
		c.ID, c.CustomerID, c.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		c.UpdatedAt = storedTime(c.UpdatedAt)
		if len(c.Addresses) == 0 {
			c.Addresses = nil
		}
	},
	fkErr: storage.ErrNotFound,
})

// addressesCol scans a contact's addresses; an empty array is nil.
type addressesCol struct{ p *[]customer.ContactAddress }

func (c addressesCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*c.p = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("reading addresses from %T", src)
	}
	var out []customer.ContactAddress
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("reading addresses: %w", err)
	}
	if len(out) == 0 {
		out = nil
	}
	*c.p = out
	return nil
}

// Delete deletes the contact.
func (s contactRepo) Delete(ctx context.Context, id customer.ContactID) error {
	return contacts.delete(ctx, s.t, string(id), nil)
}

// List returns one page of a customer's contacts, oldest first.
func (s contactRepo) List(ctx context.Context, cid customer.ID, p storage.Page) (storage.List[customer.Contact], error) {
	return contacts.list(ctx, s.t, "listing contacts of customer "+string(cid), p, `customer_id = ?`, []any{string(cid)},
		func(c customer.Contact) string { return string(c.ID) })
}

// LinkUser sets the user of the contacts invited with invitationID.
func (s contactRepo) LinkUser(ctx context.Context, invitationID string, uid customer.UserID) (int, error) {
	op := "linking contacts of invitation " + invitationID
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	if invitationID == "" {
		return 0, nil
	}
	n, err := s.t.exec(ctx, op, nil, `UPDATE contacts SET user_id = ?, version = version + 1 WHERE invitation_id = ?`, string(uid), invitationID)
	return int(n), err
}

type emailChangeRepo struct{ t *txn }

func (t *txn) EmailChanges() storage.EmailChangeRepo { return emailChangeRepo{t} }

var emailChanges = newTable(table[storage.EmailChange]{
	name: "email_changes", noun: "e-mail change",
	columns: []string{"id", "user_id", "new_email", "token_hash", "requested_by", "expires_at", "created_at"},
	values: func(c *storage.EmailChange) []any {
		return []any{c.ID, string(c.UserID), c.NewEmail, c.TokenHash, c.RequestedBy, ts(c.ExpiresAt), ts(c.CreatedAt)}
	},
	dest: func(c *storage.EmailChange) []any {
		return []any{&c.ID, &c.UserID, &c.NewEmail, &c.TokenHash, &c.RequestedBy, tcol(&c.ExpiresAt), tcol(&c.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// Create stores ch after deleting the user's pending changes.
func (s emailChangeRepo) Create(ctx context.Context, ch storage.EmailChange) error {
	op := "creating e-mail change for user " + string(ch.UserID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM email_changes WHERE user_id = ?`, string(ch.UserID)); err != nil {
		return err
	}
	return emailChanges.insert(ctx, s.t, &ch)
}

// Take deletes and returns the unexpired change with this token hash. The
// DELETE decides: of two takes, one deletes the row.
func (s emailChangeRepo) Take(ctx context.Context, tokenHash string, now time.Time) (storage.EmailChange, error) {
	const op = "taking an e-mail change"
	if err := s.t.writable(op); err != nil {
		return storage.EmailChange{}, err
	}
	ch, err := emailChanges.getWhere(ctx, s.t, op, `token_hash = ? AND expires_at > ?`, tokenHash, ts(now))
	if err != nil {
		return storage.EmailChange{}, err
	}
	if err := deleteOne(ctx, s.t, op, nil, `DELETE FROM email_changes WHERE id = ?`, ch.ID); err != nil {
		return storage.EmailChange{}, err
	}
	return ch, nil
}

// Pending returns the user's unexpired change.
func (s emailChangeRepo) Pending(ctx context.Context, uid customer.UserID, now time.Time) (storage.EmailChange, error) {
	return emailChanges.getWhere(ctx, s.t, "finding the e-mail change of user "+string(uid), `user_id = ? AND expires_at > ?`, string(uid), ts(now))
}
