package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/storage"
)

type accessRequestRepo struct {
	crud[accessrequest.Request, accessrequest.ID]
}

func (t *txn) AccessRequests() storage.AccessRequestRepo {
	return accessRequestRepo{crud[accessrequest.Request, accessrequest.ID]{t, accessRequests}}
}

var accessRequests = newTable(table[accessrequest.Request]{
	name: "access_requests", noun: "access request",
	columns: []string{"id", "company_name", "vat_id", "website", "name", "email", "phone", "message", "language",
		"token_hash", "confirm_by", "confirmed_at", "status",
		"decided_by", "decided_at", "decision_message", "customer_id", "new_customer", "invitation_id",
		"client_addr", "version", "created_at", "updated_at"},
	values: func(r *accessrequest.Request) []any {
		d := &r.Decision
		return []any{string(r.ID), r.CompanyName, r.VATID, r.Website, r.Name, r.Email, r.Phone, r.Message, r.Language,
			string(r.TokenHash), ts(r.ConfirmBy), nullTS(r.ConfirmedAt), string(r.Status),
			d.By, nullTS(d.At), d.Message, string(d.CustomerID), d.NewCustomer, string(d.InvitationID),
			r.ClientAddr, r.Version, ts(r.CreatedAt), ts(r.UpdatedAt)}
	},
	dest: func(r *accessrequest.Request) []any {
		d := &r.Decision
		return []any{&r.ID, &r.CompanyName, &r.VATID, &r.Website, &r.Name, &r.Email, &r.Phone, &r.Message, &r.Language,
			&r.TokenHash, tcol(&r.ConfirmBy), tcol(&r.ConfirmedAt), &r.Status,
			&d.By, tcol(&d.At), &d.Message, &d.CustomerID, &d.NewCustomer, &d.InvitationID,
			&r.ClientAddr, &r.Version, tcol(&r.CreatedAt), tcol(&r.UpdatedAt)}
	},
	version: func(r *accessrequest.Request) *int64 { return &r.Version },
	keep: func(old accessrequest.Request, r *accessrequest.Request) {
		r.ID, r.CreatedAt, r.TokenHash = old.ID, old.CreatedAt, old.TokenHash
		r.UpdatedAt = storedTime(r.UpdatedAt)
		r.ConfirmedAt = storedTime(r.ConfirmedAt)
		r.Decision.At = storedTime(r.Decision.At)
	},
})

// GetByToken returns the request whose confirmation token hashes to hash.
func (s accessRequestRepo) GetByToken(ctx context.Context, hash invite.Hash) (accessrequest.Request, error) {
	return accessRequests.getWhere(ctx, s.t, "finding access request by token", `token_hash = ?`, string(hash))
}

// statusConds adds the condition of status at now: StatusUnconfirmed and
// StatusExpired are the stored unconfirmed ones on either side of their
// ConfirmBy, as accessrequest.Request.State judges them.
func statusConds(w *conds, status accessrequest.Status, now time.Time) {
	switch status {
	case "":
	case accessrequest.StatusUnconfirmed:
		w.and(`status = ? AND confirm_by > ?`, []any{string(status), ts(now)})
	case accessrequest.StatusExpired:
		w.and(`status = ? AND confirm_by <= ?`, []any{string(accessrequest.StatusUnconfirmed), ts(now)})
	default:
		w.eq(`status`, string(status))
	}
}

// List returns one page of requests matching f, newest first.
func (s accessRequestRepo) List(ctx context.Context, f storage.AccessRequestFilter, p storage.Page) (storage.List[accessrequest.Request], error) {
	const op = "listing access requests"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[accessrequest.Request]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	var w conds
	if after != "" {
		w.and(`id < ?`, []any{after})
	}
	statusConds(&w, f.Status, f.Now)
	q := accessRequests.selectSQL
	if len(w.where) > 0 {
		q += ` WHERE ` + w.String()
	}
	q += ` ORDER BY id DESC LIMIT ?`
	return queryList(ctx, s.t, op, q, append(w.args, limit+1), limit, accessRequests.scan,
		func(r accessrequest.Request) string { return string(r.ID) })
}

// Count returns the number of requests per status at now.
func (s accessRequestRepo) Count(ctx context.Context, now time.Time) (map[accessrequest.Status]int, error) {
	out := map[accessrequest.Status]int{}
	var st accessrequest.Status
	var n int
	err := eachRow(ctx, s.t, "counting access requests",
		`SELECT CASE WHEN status = ? AND confirm_by <= ? THEN ? ELSE status END AS st, count(*) FROM access_requests GROUP BY st`,
		[]any{string(accessrequest.StatusUnconfirmed), ts(now), string(accessrequest.StatusExpired)},
		[]any{&st, &n}, func() { out[st] = n })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteExpired deletes the requests left unconfirmed past their ConfirmBy.
func (s accessRequestRepo) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	const op = "deleting expired access requests"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM access_requests WHERE status = ? AND confirm_by <= ?`,
		string(accessrequest.StatusUnconfirmed), ts(now))
	return int(n), err
}

// Candidates returns the customers q points at, with their users' e-mail
// domains that are q.Domain.
func (s accessRequestRepo) Candidates(ctx context.Context, q storage.CandidateQuery, limit int) ([]accessrequest.Candidate, error) {
	const op = "finding customers like an access request"
	like := s.t.d.ILike
	var or conds
	domain := strings.ToLower(q.Domain)
	if domain != "" {
		pat := domainPattern(domain)
		or.and(`contact_email `+like+` ? ESCAPE '\'`, []any{pat})
		or.and(`id IN (SELECT m.customer_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email `+like+` ? ESCAPE '\')`, []any{pat})
	}
	if q.VATID != "" {
		or.and(`upper(replace(replace(replace(vat_id, ' ', ''), '.', ''), '-', '')) = ?`, []any{strings.ToUpper(q.VATID)})
	}
	// A customer matched by domain or VAT ID outranks any matched by name
	// alone, so those come first when more match than the limit takes.
	strong := conds{where: slices.Clone(or.where), args: slices.Clone(or.args)}
	for _, w := range q.Words {
		pat := likePattern(w)
		or.and(`(name `+like+` ? ESCAPE '\' OR legal_name `+like+` ? ESCAPE '\')`, []any{pat, pat})
	}
	if len(or.where) == 0 || limit <= 0 {
		return nil, nil
	}
	order := `id`
	if len(strong.where) > 0 && len(strong.where) < len(or.where) {
		order = `CASE WHEN ` + strings.Join(strong.where, " OR ") + ` THEN 0 ELSE 1 END, id`
	} else {
		strong.args = nil
	}
	sql := customers.selectSQL + ` WHERE status <> ? AND (` + strings.Join(or.where, " OR ") + `) ORDER BY ` + order + ` LIMIT ?`
	args := append(append(append([]any{string(customer.StatusArchived)}, or.args...), strong.args...), limit)
	var out []accessrequest.Candidate
	rows, err := s.t.query(ctx, sql, args...)
	if err != nil {
		return nil, s.t.dbError(op, err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := customers.scan(rows)
		if err != nil {
			return nil, s.t.dbError(op, err, nil)
		}
		out = append(out, accessrequest.Candidate{Customer: c})
	}
	if err := rows.Err(); err != nil {
		return nil, s.t.dbError(op, err, nil)
	}
	rows.Close()
	if domain == "" || len(out) == 0 {
		return out, nil
	}
	// Which of them have a user at the domain.
	ids := make([]any, 0, len(out)+1)
	ids = append(ids, domainPattern(domain))
	for _, c := range out {
		ids = append(ids, string(c.Customer.ID))
	}
	var cid customer.ID
	var with []customer.ID
	err = eachRow(ctx, s.t, op,
		`SELECT DISTINCT m.customer_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email `+like+` ? ESCAPE '\' AND m.customer_id IN (`+placeholders(len(ids)-1)+`)`,
		ids, []any{&cid}, func() { with = append(with, cid) })
	if err != nil {
		return nil, err
	}
	for i := range out {
		if slices.Contains(with, out[i].Customer.ID) {
			out[i].MemberDomains = []string{domain}
		}
	}
	return out, nil
}

// domainPattern returns a LIKE pattern (for ESCAPE '\') of the e-mail
// addresses at domain.
func domainPattern(domain string) string {
	return "%@" + strings.TrimSuffix(strings.TrimPrefix(likePattern(domain), "%"), "%")
}
