package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/storage"
)

type membershipRepo struct{ t *txn }

// Create stores m and its site set. ErrAlreadyExists when the ID is taken or
// the user is already a member of the customer; ErrNotFound when the user,
// the customer or a site does not exist.
func (s membershipRepo) Create(ctx context.Context, m customer.Membership) error {
	if err := s.t.writable("creating membership"); err != nil {
		return err
	}
	return createMembership(ctx, s.t, m)
}

// Get returns the membership with the given ID, or ErrNotFound.
func (s membershipRepo) Get(ctx context.Context, id customer.MembershipID) (customer.Membership, error) {
	return findMembershipByID(ctx, s.t, id)
}

// GetStanding returns the membership with its user and customer, read in
// one query, or ErrNotFound.
func (s membershipRepo) GetStanding(ctx context.Context, id customer.MembershipID) (storage.Standing, error) {
	return findStanding(ctx, s.t, id)
}

// Update reads the membership, lets fn change it and writes it back with the
// next version, replacing the site set. ErrNotFound (also for a new site
// that does not exist), ErrConflict.
func (s membershipRepo) Update(ctx context.Context, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	if err := s.t.writable("updating membership"); err != nil {
		return customer.Membership{}, err
	}
	return updateMembership(ctx, s.t, id, fn)
}

// Delete removes the membership and, by cascade, its site set, sessions and
// access links, or returns ErrNotFound.
func (s membershipRepo) Delete(ctx context.Context, id customer.MembershipID) error {
	op := "deleting membership " + string(id)
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := execCount(ctx, s.t, op, `DELETE FROM memberships WHERE id = $1`, nil, string(id))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// List returns one page of memberships matching f, ordered by ID.
func (s membershipRepo) List(ctx context.Context, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	return findMemberships(ctx, s.t, f, p)
}

// CountActiveAdmins returns how many active admin memberships the customer
// has. In InTx, a concurrent transaction that changes what it counted
// makes one of the two fail to serialize, so a rule decided on the count
// holds.
func (s membershipRepo) CountActiveAdmins(ctx context.Context, id customer.ID) (int, error) {
	var n int
	err := s.t.tx.QueryRow(ctx,
		`SELECT count(*) FROM memberships WHERE customer_id = $1 AND role = $2 AND status = $3`,
		string(id), string(customer.RoleAdmin), string(customer.MembershipActive)).Scan(&n)
	if err != nil {
		return 0, s.t.fail("counting admins of customer "+string(id), err, nil)
	}
	return n, nil
}

// membershipSelect reads a membership with its site set, sorted, in one
// query.
const membershipSelect = `SELECT m.id, m.user_id, m.customer_id, m.role, m.status, m.version, m.created_at, m.updated_at,
	ARRAY(SELECT ms.site_id FROM membership_sites ms WHERE ms.membership_id = m.id ORDER BY ms.site_id)
	FROM memberships m`

// membershipRow holds one membership as read by membershipSelect.
type membershipRow struct {
	m     customer.Membership
	sites []string
}

// dest returns the scan destinations in the order of membershipSelect.
func (r *membershipRow) dest() []any {
	m := &r.m
	return []any{&m.ID, &m.UserID, &m.CustomerID, &m.Role, &m.Status, &m.Version, &m.CreatedAt, &m.UpdatedAt, &r.sites}
}

// value returns the membership scanned into r.
func (r *membershipRow) value() customer.Membership {
	m := r.m
	m.SiteIDs = typed[customer.SiteID](r.sites)
	return m
}

func scanMembership(s scanner) (customer.Membership, error) {
	var r membershipRow
	if err := s.Scan(r.dest()...); err != nil {
		return customer.Membership{}, err
	}
	return r.value(), nil
}

// standingColumns are a membership's (as membershipSelect reads them),
// its user's and its customer's columns, from memberships m joined by
// standingJoins.
var standingColumns = `m.id, m.user_id, m.customer_id, m.role, m.status, m.version, m.created_at, m.updated_at,
	ARRAY(SELECT ms.site_id FROM membership_sites ms WHERE ms.membership_id = m.id ORDER BY ms.site_id),
	` + sqlcols.Qualify("u", userColumns) + `, ` + sqlcols.Qualify("c", customerColumns)

const standingJoins = ` JOIN users u ON u.id = m.user_id JOIN customers c ON c.id = m.customer_id`

// standingRow holds a storage.Standing as read from standingColumns.
type standingRow struct {
	m membershipRow
	u customer.User
	c customerRow
}

func (r *standingRow) dest() []any {
	return append(append(r.m.dest(), userDest(&r.u)...), r.c.dest()...)
}

func (r *standingRow) value() storage.Standing {
	return storage.Standing{Membership: r.m.value(), User: r.u, Customer: r.c.value()}
}

func findStanding(ctx context.Context, t *txn, id customer.MembershipID) (storage.Standing, error) {
	var r standingRow
	err := t.tx.QueryRow(ctx, `SELECT `+standingColumns+` FROM memberships m`+standingJoins+` WHERE m.id = $1`, string(id)).Scan(r.dest()...)
	if err != nil {
		return storage.Standing{}, t.fail("finding membership "+string(id), err, nil)
	}
	return r.value(), nil
}

func createMembership(ctx context.Context, t *txn, m customer.Membership) error {
	op := "creating membership " + string(m.ID)
	_, err := t.tx.Exec(ctx,
		`INSERT INTO memberships (id, user_id, customer_id, role, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(m.ID), string(m.UserID), string(m.CustomerID), string(m.Role), string(m.Status),
		m.Version, m.CreatedAt, m.UpdatedAt)
	if err != nil {
		return t.fail(op, err, storage.ErrNotFound)
	}
	return insertMembershipSites(ctx, t, op, m.ID, m.SiteIDs)
}

// insertMembershipSites adds the sites to the membership's set; a site that
// does not exist fails the foreign key and is ErrNotFound.
func insertMembershipSites(ctx context.Context, t *txn, op string, id customer.MembershipID, sites []customer.SiteID) error {
	sites = customer.NormalizeSites(sites)
	if len(sites) == 0 {
		return nil
	}
	_, err := t.tx.Exec(ctx,
		`INSERT INTO membership_sites (membership_id, site_id) SELECT $1, unnest($2::text[])`,
		string(id), texts(sites))
	return t.fail(op, err, storage.ErrNotFound)
}

func findMembershipByID(ctx context.Context, t *txn, id customer.MembershipID) (customer.Membership, error) {
	m, err := scanMembership(t.tx.QueryRow(ctx, membershipSelect+` WHERE m.id = $1`, string(id)))
	if err != nil {
		return customer.Membership{}, t.fail("finding membership "+string(id), err, nil)
	}
	return m, nil
}

func updateMembership(ctx context.Context, t *txn, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	op := "updating membership " + string(id)
	old, err := findMembershipByID(ctx, t, id)
	if err != nil {
		return customer.Membership{}, err
	}
	m := old
	m.SiteIDs = append([]customer.SiteID(nil), old.SiteIDs...) // fn must not change old through the slice
	if err := fn(&m); err != nil {
		return customer.Membership{}, err
	}
	m.ID, m.UserID, m.CustomerID, m.CreatedAt = old.ID, old.UserID, old.CustomerID, old.CreatedAt
	m.Version = old.Version + 1
	m.UpdatedAt = storedTime(m.UpdatedAt)
	m.SiteIDs = customer.NormalizeSites(m.SiteIDs)
	if len(m.SiteIDs) == 0 {
		m.SiteIDs = nil
	}
	n, err := execCount(ctx, t, op,
		`UPDATE memberships SET role = $1, status = $2, version = $3, updated_at = $4 WHERE id = $5 AND version = $6`, nil,
		string(m.Role), string(m.Status), m.Version, m.UpdatedAt, string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return customer.Membership{}, err
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM membership_sites WHERE membership_id = $1`, string(id)); err != nil {
		return customer.Membership{}, t.fail(op, err, nil)
	}
	if err := insertMembershipSites(ctx, t, op, id, m.SiteIDs); err != nil {
		return customer.Membership{}, err
	}
	return m, nil
}

func findMemberships(ctx context.Context, t *txn, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	const op = "listing memberships"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[customer.Membership]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(membershipSelect + ` WHERE m.id > ` + a.add(after))
	if f.CustomerID != "" {
		q.WriteString(` AND m.customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.UserID != "" {
		q.WriteString(` AND m.user_id = ` + a.add(string(f.UserID)))
	}
	if f.SiteID != "" {
		q.WriteString(` AND m.id IN (SELECT membership_id FROM membership_sites WHERE site_id = ` + a.add(string(f.SiteID)) + `)`)
	}
	if f.Role != "" {
		q.WriteString(` AND m.role = ` + a.add(string(f.Role)))
	}
	if f.Status != "" {
		q.WriteString(` AND m.status = ` + a.add(string(f.Status)))
	}
	q.WriteString(` ORDER BY m.id LIMIT ` + a.add(limit+1))
	return queryList(ctx, t, op, q.String(), a, limit, scanMembership,
		func(m customer.Membership) string { return string(m.ID) })
}
