package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/storage"
)

type membershipRepo struct{ t *txn }

func (t *txn) Memberships() storage.MembershipRepo { return membershipRepo{t} }

// memberships reads a membership together with its site set, in one query:
// its select adds siteSetSQL to the columns (and dest scans one column more
// than the table has). The set's rows are written by writeSites.
var memberships = withSiteSet(newTable(table[customer.Membership]{
	name: "memberships", noun: "membership",
	columns: []string{"id", "user_id", "customer_id", "role", "status", "version", "created_at", "updated_at"},
	values: func(m *customer.Membership) []any {
		return []any{string(m.ID), string(m.UserID), string(m.CustomerID), string(m.Role), string(m.Status),
			m.Version, ts(m.CreatedAt), ts(m.UpdatedAt)}
	},
	dest: func(m *customer.Membership) []any {
		return []any{&m.ID, &m.UserID, &m.CustomerID, &m.Role, &m.Status,
			&m.Version, tcol(&m.CreatedAt), tcol(&m.UpdatedAt), siteSetCol{&m.SiteIDs}}
	},
	version: func(m *customer.Membership) *int64 { return &m.Version },
	keep: func(old customer.Membership, m *customer.Membership) {
		m.ID, m.UserID, m.CustomerID, m.CreatedAt = old.ID, old.UserID, old.CustomerID, old.CreatedAt
		m.UpdatedAt = storedTime(m.UpdatedAt)
		m.SiteIDs = customer.NormalizeSites(m.SiteIDs)
		if len(m.SiteIDs) == 0 {
			m.SiteIDs = nil
		}
	},
	fkErr: storage.ErrNotFound,
}))

// siteSetSQL is the site set of the membership m as one text column: the
// IDs joined by commas, each with % and , escaped as %25 and %2C so that no
// ID splits; NULL when the set is empty. string_agg is the aggregate both
// engines have (SQLite's JSON one is json_group_array, PostgreSQL's
// json_agg). siteSetCol sorts the set, rather than the aggregate, which
// would sort through a temporary b-tree on every read.
const siteSetSQL = `(SELECT string_agg(replace(replace(ms.site_id, '%', '%25'), ',', '%2C'), ',')
	FROM membership_sites ms WHERE ms.membership_id = m.id)`

// withSiteSet makes tb's select read the site set too.
func withSiteSet(tb *table[customer.Membership]) *table[customer.Membership] {
	tb.selectSQL = `SELECT ` + sqlcols.Qualify("m", tb.cols) + `, ` + siteSetSQL + ` FROM memberships m`
	return tb
}

// siteSetCol scans siteSetSQL into *p, sorted; NULL is nil.
type siteSetCol struct{ p *[]customer.SiteID }

var unescapeSiteID = strings.NewReplacer("%2C", ",", "%25", "%")

func (c siteSetCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*c.p = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("reading a site set from %T", src)
	}
	ids := make([]customer.SiteID, 0, strings.Count(s, ",")+1)
	for id := range strings.SplitSeq(s, ",") {
		if strings.Contains(id, "%") {
			id = unescapeSiteID.Replace(id)
		}
		ids = append(ids, customer.SiteID(id))
	}
	slices.Sort(ids)
	*c.p = ids
	return nil
}

// standingSQL reads a membership (as memberships does), its user and its
// customer in one query.
var standingSQL = `SELECT ` + sqlcols.Qualify("m", memberships.cols) + `, ` + siteSetSQL + `,
	` + sqlcols.Qualify("u", users.cols) + `, ` + sqlcols.Qualify("c", customers.cols) + `
	FROM memberships m JOIN users u ON u.id = m.user_id JOIN customers c ON c.id = m.customer_id
	WHERE m.id = ?`

// Create stores m and its site set. ErrAlreadyExists when the ID is taken or
// the user is already a member of the customer; ErrNotFound when the user,
// the customer or a site does not exist.
func (s membershipRepo) Create(ctx context.Context, m customer.Membership) error {
	if err := memberships.insert(ctx, s.t, &m); err != nil {
		return err
	}
	return writeSites(ctx, s.t, "creating membership "+string(m.ID), m.ID, m.SiteIDs)
}

// Get returns the membership with the given ID, or ErrNotFound.
func (s membershipRepo) Get(ctx context.Context, id customer.MembershipID) (customer.Membership, error) {
	return memberships.get(ctx, s.t, string(id))
}

// GetStanding returns the membership with its user and customer, read in
// one query, or ErrNotFound.
func (s membershipRepo) GetStanding(ctx context.Context, id customer.MembershipID) (storage.Standing, error) {
	var st storage.Standing
	dest := append(append(memberships.dest(&st.Membership), users.dest(&st.User)...), customers.dest(&st.Customer)...)
	if err := s.t.queryRow(ctx, standingSQL, string(id)).Scan(dest...); err != nil {
		return storage.Standing{}, s.t.dbError("finding membership "+string(id), err, nil)
	}
	return st, nil
}

// Update reads the membership, lets fn change it and writes it back with the
// next version, replacing the site set. ErrNotFound (also for a new site
// that does not exist), ErrConflict.
func (s membershipRepo) Update(ctx context.Context, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	op := "updating membership " + string(id)
	m, err := memberships.update(ctx, s.t, string(id), fn)
	if err != nil {
		return customer.Membership{}, err
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM membership_sites WHERE membership_id = ?`, string(id)); err != nil {
		return customer.Membership{}, err
	}
	if err := writeSites(ctx, s.t, op, id, m.SiteIDs); err != nil {
		return customer.Membership{}, err
	}
	return m, nil
}

// writeSites adds the sites to the membership's set; a site that does not
// exist fails the foreign key and is ErrNotFound.
func writeSites(ctx context.Context, t *txn, op string, id customer.MembershipID, sites []customer.SiteID) error {
	sites = customer.NormalizeSites(sites)
	if len(sites) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(sites))
	for _, s := range sites {
		args = append(args, string(id), string(s))
	}
	_, err := t.exec(ctx, op, storage.ErrNotFound,
		`INSERT INTO membership_sites (membership_id, site_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(sites)), ", "),
		args...)
	return err
}

// Delete removes the membership and, by cascade, its site set, sessions and
// access links, or returns ErrNotFound.
func (s membershipRepo) Delete(ctx context.Context, id customer.MembershipID) error {
	return memberships.delete(ctx, s.t, string(id), nil)
}

// List returns one page of memberships matching f, ordered by ID.
func (s membershipRepo) List(ctx context.Context, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	var w conds
	w.eq(`m.customer_id`, string(f.CustomerID))
	w.eq(`m.user_id`, string(f.UserID))
	if f.SiteID != "" {
		w.and(`m.id IN (SELECT membership_id FROM membership_sites WHERE site_id = ?)`, []any{string(f.SiteID)})
	}
	w.eq(`m.role`, string(f.Role))
	w.eq(`m.status`, string(f.Status))
	return memberships.list(ctx, s.t, "listing memberships", p, w.String(), w.args,
		func(m customer.Membership) string { return string(m.ID) })
}

// CountActiveAdmins returns how many active admin memberships the customer
// has. On PostgreSQL, in InTx, a concurrent transaction that changes what
// it counted makes one of the two fail to serialize, so a rule decided on
// the count holds (SQLite runs one writer at a time).
func (s membershipRepo) CountActiveAdmins(ctx context.Context, id customer.ID) (int, error) {
	var n int
	err := s.t.queryRow(ctx,
		`SELECT count(*) FROM memberships WHERE customer_id = ? AND role = ? AND status = ?`,
		string(id), string(customer.RoleAdmin), string(customer.MembershipActive)).Scan(&n)
	if err != nil {
		return 0, s.t.dbError("counting admins of customer "+string(id), err, nil)
	}
	return n, nil
}
