package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/storage"
)

type membershipRepo struct{ r *repos }

// Create stores m and its site set. ErrAlreadyExists when the ID is taken or
// the user is already a member of the customer; ErrNotFound when the user,
// the customer or a site does not exist.
func (s membershipRepo) Create(ctx context.Context, m customer.Membership) error {
	if err := s.r.writable("creating membership"); err != nil {
		return err
	}
	return createMembership(ctx, s.r.tx, m)
}

// Get returns the membership with the given ID, or ErrNotFound.
func (s membershipRepo) Get(ctx context.Context, id customer.MembershipID) (customer.Membership, error) {
	return findMembershipByID(ctx, s.r.tx, id)
}

// GetStanding returns the membership with its user and customer, read in
// one query, or ErrNotFound.
func (s membershipRepo) GetStanding(ctx context.Context, id customer.MembershipID) (storage.Standing, error) {
	return findStanding(ctx, s.r.tx, id)
}

// Update reads the membership, lets fn change it and writes it back with the
// next version, replacing the site set. ErrNotFound (also for a new site
// that does not exist), ErrConflict.
func (s membershipRepo) Update(ctx context.Context, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	if err := s.r.writable("updating membership"); err != nil {
		return customer.Membership{}, err
	}
	return updateMembership(ctx, s.r.tx, id, fn)
}

// Delete removes the membership and its site set, or returns ErrNotFound.
func (s membershipRepo) Delete(ctx context.Context, id customer.MembershipID) error {
	if err := s.r.writable("deleting membership"); err != nil {
		return err
	}
	return deleteMembership(ctx, s.r.tx, id)
}

// List returns one page of memberships matching f, ordered by ID.
func (s membershipRepo) List(ctx context.Context, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	return findMemberships(ctx, s.r.tx, f, p)
}

// CountActiveAdmins returns how many active admin memberships the customer has.
func (s membershipRepo) CountActiveAdmins(ctx context.Context, id customer.ID) (int, error) {
	var n int
	err := s.r.tx.QueryRowContext(ctx,
		`SELECT count(*) FROM memberships WHERE customer_id = ? AND role = ? AND status = ?`,
		string(id), string(customer.RoleAdmin), string(customer.MembershipActive)).Scan(&n)
	if err != nil {
		return 0, dbError("counting admins of customer "+string(id), err, nil)
	}
	return n, nil
}

// membershipSelect reads a membership with its site set as a JSON array
// in one query; membershipRow.value sorts the set.
const membershipSelect = `SELECT m.id, m.user_id, m.customer_id, m.role, m.status, m.version, m.created_at, m.updated_at,
	(SELECT json_group_array(ms.site_id) FROM membership_sites ms WHERE ms.membership_id = m.id)
	FROM memberships m`

// membershipRow holds one membership as read by membershipSelect.
type membershipRow struct {
	m                         customer.Membership
	sites, createdAt, updated string
}

// dest returns the scan destinations in the order of membershipSelect.
func (r *membershipRow) dest() []any {
	m := &r.m
	return []any{&m.ID, &m.UserID, &m.CustomerID, &m.Role, &m.Status, &m.Version, &r.createdAt, &r.updated, &r.sites}
}

// value returns the membership scanned into r.
func (r *membershipRow) value() (customer.Membership, error) {
	m := r.m
	var err error
	if m.CreatedAt, err = parseTime(r.createdAt); err != nil {
		return customer.Membership{}, err
	}
	if m.UpdatedAt, err = parseTime(r.updated); err != nil {
		return customer.Membership{}, err
	}
	if r.sites != "[]" {
		if err := json.Unmarshal([]byte(r.sites), &m.SiteIDs); err != nil {
			return customer.Membership{}, fmt.Errorf("sqlite: reading sites of membership %s: %w", m.ID, err)
		}
		// Sorted here rather than by the aggregate, which would sort
		// through a temporary b-tree on every read.
		slices.Sort(m.SiteIDs)
	}
	return m, nil
}

func scanMembership(s scanner) (customer.Membership, error) {
	var r membershipRow
	if err := s.Scan(r.dest()...); err != nil {
		return customer.Membership{}, err
	}
	return r.value()
}

// standingColumns are a membership's (as membershipSelect reads them),
// its user's and its customer's columns, from memberships m joined by
// standingJoins.
var standingColumns = `m.id, m.user_id, m.customer_id, m.role, m.status, m.version, m.created_at, m.updated_at,
	(SELECT json_group_array(ms.site_id) FROM membership_sites ms WHERE ms.membership_id = m.id),
	` + sqlcols.Qualify("u", userColumns) + `, ` + sqlcols.Qualify("c", customerColumns)

const standingJoins = ` JOIN users u ON u.id = m.user_id JOIN customers c ON c.id = m.customer_id`

// standingRow holds a storage.Standing as read from standingColumns.
type standingRow struct {
	m membershipRow
	u userRow
	c customerRow
}

func (r *standingRow) dest() []any {
	return append(append(r.m.dest(), r.u.dest()...), r.c.dest()...)
}

func (r *standingRow) value() (storage.Standing, error) {
	var (
		st  storage.Standing
		err error
	)
	if st.Membership, err = r.m.value(); err != nil {
		return storage.Standing{}, err
	}
	if st.User, err = r.u.value(); err != nil {
		return storage.Standing{}, err
	}
	if st.Customer, err = r.c.value(); err != nil {
		return storage.Standing{}, err
	}
	return st, nil
}

func findStanding(ctx context.Context, tx *sql.Tx, id customer.MembershipID) (storage.Standing, error) {
	var r standingRow
	err := tx.QueryRowContext(ctx, `SELECT `+standingColumns+` FROM memberships m`+standingJoins+` WHERE m.id = ?`, string(id)).Scan(r.dest()...)
	if err != nil {
		return storage.Standing{}, dbError("finding membership "+string(id), err, nil)
	}
	return r.value()
}

func createMembership(ctx context.Context, tx *sql.Tx, m customer.Membership) error {
	op := "creating membership " + string(m.ID)
	_, err := tx.ExecContext(ctx,
		`INSERT INTO memberships (id, user_id, customer_id, role, status, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(m.ID), string(m.UserID), string(m.CustomerID), string(m.Role), string(m.Status),
		m.Version, formatTime(m.CreatedAt), formatTime(m.UpdatedAt))
	if err != nil {
		return dbError(op, err, storage.ErrNotFound)
	}
	return insertMembershipSites(ctx, tx, op, m.ID, m.SiteIDs)
}

// insertMembershipSites adds the sites to the membership's set; a site that
// does not exist fails the foreign key and is ErrNotFound.
func insertMembershipSites(ctx context.Context, tx *sql.Tx, op string, id customer.MembershipID, sites []customer.SiteID) error {
	sites = customer.NormalizeSites(sites)
	if len(sites) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(sites))
	for _, s := range sites {
		args = append(args, string(id), string(s))
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO membership_sites (membership_id, site_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(sites)), ", "),
		args...)
	return dbError(op, err, storage.ErrNotFound)
}

func findMembershipByID(ctx context.Context, tx *sql.Tx, id customer.MembershipID) (customer.Membership, error) {
	m, err := scanMembership(tx.QueryRowContext(ctx, membershipSelect+` WHERE m.id = ?`, string(id)))
	if err != nil {
		return customer.Membership{}, dbError("finding membership "+string(id), err, nil)
	}
	return m, nil
}

func updateMembership(ctx context.Context, tx *sql.Tx, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	op := "updating membership " + string(id)
	old, err := findMembershipByID(ctx, tx, id)
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
	res, err := tx.ExecContext(ctx,
		`UPDATE memberships SET role = ?, status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		string(m.Role), string(m.Status), m.Version, formatTime(m.UpdatedAt), string(id), old.Version)
	if err := checkUpdated(op, res, err, nil); err != nil {
		return customer.Membership{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM membership_sites WHERE membership_id = ?`, string(id)); err != nil {
		return customer.Membership{}, dbError(op, err, nil)
	}
	if err := insertMembershipSites(ctx, tx, op, id, m.SiteIDs); err != nil {
		return customer.Membership{}, err
	}
	return m, nil
}

func deleteMembership(ctx context.Context, tx *sql.Tx, id customer.MembershipID) error {
	op := "deleting membership " + string(id)
	res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE id = ?`, string(id))
	if err != nil {
		return dbError(op, err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbError(op, err, nil)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

func findMemberships(ctx context.Context, tx *sql.Tx, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[customer.Membership]{}, fmt.Errorf("sqlite: listing memberships: %w", err)
	}
	var q strings.Builder
	q.WriteString(membershipSelect + ` WHERE m.id > ?`)
	args := []any{after}
	if f.CustomerID != "" {
		q.WriteString(` AND m.customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.UserID != "" {
		q.WriteString(` AND m.user_id = ?`)
		args = append(args, string(f.UserID))
	}
	if f.SiteID != "" {
		q.WriteString(` AND m.id IN (SELECT membership_id FROM membership_sites WHERE site_id = ?)`)
		args = append(args, string(f.SiteID))
	}
	if f.Role != "" {
		q.WriteString(` AND m.role = ?`)
		args = append(args, string(f.Role))
	}
	if f.Status != "" {
		q.WriteString(` AND m.status = ?`)
		args = append(args, string(f.Status))
	}
	q.WriteString(` ORDER BY m.id LIMIT ?`)
	args = append(args, limit+1)

	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return storage.List[customer.Membership]{}, dbError("listing memberships", err, nil)
	}
	defer rows.Close()
	var items []customer.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return storage.List[customer.Membership]{}, dbError("listing memberships", err, nil)
		}
		items = append(items, m)
	}
	if err := rows.Err(); err != nil {
		return storage.List[customer.Membership]{}, dbError("listing memberships", err, nil)
	}
	items, next := storage.Trim(items, limit, func(m customer.Membership) string { return string(m.ID) })
	return storage.List[customer.Membership]{Items: items, NextCursor: next}, nil
}
