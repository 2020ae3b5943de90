package sqlstore

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type staffRepo struct {
	crud[identity.StaffMember, identity.StaffID]
}

func (t *txn) Staff() storage.StaffRepo {
	return staffRepo{crud[identity.StaffMember, identity.StaffID]{t, staffMembers}}
}

var staffMembers = newTable(table[identity.StaffMember]{
	name: "staff_members", noun: "staff member",
	columns: []string{"id", "email", "name", "role", "status", "service_desk", "invited_by", "version", "created_at", "updated_at"},
	values: func(m *identity.StaffMember) []any {
		return []any{string(m.ID), m.Email, m.Name, string(m.Role), string(m.Status), m.ServiceDesk, m.InvitedBy, m.Version,
			ts(m.CreatedAt), ts(m.UpdatedAt)}
	},
	dest: func(m *identity.StaffMember) []any {
		return []any{&m.ID, &m.Email, &m.Name, &m.Role, &m.Status, &m.ServiceDesk, &m.InvitedBy, &m.Version,
			tcol(&m.CreatedAt), tcol(&m.UpdatedAt)}
	},
	version: func(m *identity.StaffMember) *int64 { return &m.Version },
	keep: func(old identity.StaffMember, m *identity.StaffMember) {
		m.ID, m.CreatedAt, m.InvitedBy = old.ID, old.CreatedAt, old.InvitedBy
		m.UpdatedAt = storedTime(m.UpdatedAt)
	},
})

// GetByEmail returns the staff member with the given e-mail (compared
// ignoring case), or ErrNotFound. As for users, the condition is the
// expression of the indexes on lower(email).
func (s staffRepo) GetByEmail(ctx context.Context, email string) (identity.StaffMember, error) {
	return staffMembers.getWhere(ctx, s.t, "finding staff member by e-mail", `lower(email) = lower(?)`, email)
}

// List returns one page of staff members matching f, ordered by ID.
func (s staffRepo) List(ctx context.Context, f storage.StaffFilter, p storage.Page) (storage.List[identity.StaffMember], error) {
	var c conds
	c.eq("role", string(f.Role))
	c.eq("status", string(f.Status))
	return staffMembers.list(ctx, s.t, "listing staff members", p, c.String(), c.args,
		func(m identity.StaffMember) string { return string(m.ID) })
}

// staffPassword is a password record with the member it belongs to.
type staffPassword struct {
	id identity.StaffID
	identity.Password
}

var staffPasswords = newTable(table[staffPassword]{
	name: "staff_passwords", noun: "password of staff member",
	columns: []string{"staff_id", "hash", "failed_attempts", "locked_until", "updated_at"},
	values: func(p *staffPassword) []any {
		return []any{string(p.id), p.Hash, p.FailedAttempts, nullTS(p.LockedUntil), ts(p.UpdatedAt)}
	},
	dest: func(p *staffPassword) []any {
		return []any{&p.id, &p.Hash, &p.FailedAttempts, tcol(&p.LockedUntil), tcol(&p.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

var putStaffPasswordSQL = upsertSQL(staffPasswords, []string{"staff_id"})

// GetPassword returns the member's password record, or ErrNotFound.
func (s staffRepo) GetPassword(ctx context.Context, id identity.StaffID) (identity.Password, error) {
	p, err := staffPasswords.get(ctx, s.t, string(id))
	return p.Password, err
}

// PutPassword creates or replaces the member's password record in one
// upsert. ErrNotFound when the member does not exist.
func (s staffRepo) PutPassword(ctx context.Context, id identity.StaffID, p identity.Password) error {
	op := "putting password of staff member " + string(id)
	if err := s.t.writable(op); err != nil {
		return err
	}
	sp := staffPassword{id: id, Password: p}
	sp.UserID = ""
	_, err := s.t.exec(ctx, op, staffPasswords.fkErr, putStaffPasswordSQL, staffPasswords.values(&sp)...)
	return err
}

var staffLinks = newTable(table[identity.StaffLink]{
	name: "staff_links", noun: "staff sign-in link",
	columns: []string{"id", "staff_id", "purpose", "token_hash", "expires_at", "used_at", "created_at"},
	values: func(l *identity.StaffLink) []any {
		return []any{string(l.ID), string(l.StaffID), string(l.Purpose), l.TokenHash, ts(l.ExpiresAt), nullTS(l.UsedAt), ts(l.CreatedAt)}
	},
	dest: func(l *identity.StaffLink) []any {
		return []any{&l.ID, &l.StaffID, &l.Purpose, &l.TokenHash, tcol(&l.ExpiresAt), tcol(&l.UsedAt), tcol(&l.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// CreateLink stores l. ErrAlreadyExists when the ID or token hash is
// taken; ErrNotFound when the member does not exist.
func (s staffRepo) CreateLink(ctx context.Context, l identity.StaffLink) error {
	return staffLinks.insert(ctx, s.t, &l)
}

// ConsumeLink marks the usable link with this token hash as used at now
// and returns it, in one conditional UPDATE, as loginLinkRepo.Consume does.
func (s staffRepo) ConsumeLink(ctx context.Context, hash string, now time.Time) (identity.StaffLink, error) {
	const op = "consuming staff sign-in link"
	if err := s.t.writable(op); err != nil {
		return identity.StaffLink{}, err
	}
	l, err := staffLinks.scan(s.t.queryRow(ctx,
		`UPDATE staff_links SET used_at = ? WHERE token_hash = ? AND `+loginLinkUsable+` RETURNING `+staffLinks.cols,
		ts(now), hash, ts(now)))
	if err != nil {
		return identity.StaffLink{}, s.t.dbError(op, err, nil)
	}
	return l, nil
}

// SupersedeLinks marks every unused link of the member as used at `at`.
func (s staffRepo) SupersedeLinks(ctx context.Context, id identity.StaffID, at time.Time) error {
	const op = "superseding staff sign-in links"
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, nil,
		`UPDATE staff_links SET used_at = ? WHERE staff_id = ? AND `+loginLinkUnused, ts(at), string(id))
	return err
}

// DeleteExpiredLinks removes the links that expired before `before` and
// returns how many.
func (s staffRepo) DeleteExpiredLinks(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired staff sign-in links"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM staff_links WHERE expires_at < ?`, ts(before))
	return int(n), err
}
