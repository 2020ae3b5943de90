package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type jobRepo struct {
	crud[fieldwork.Job, fieldwork.JobID]
}

// Jobs returns the transaction's JobRepo.
func (t *txn) Jobs() storage.JobRepo {
	return jobRepo{crud[fieldwork.Job, fieldwork.JobID]{t, jobTable}}
}

var jobTable = newTable(table[fieldwork.Job]{
	name: "jobs", noun: "job",
	columns: []string{"id", "customer_id", "site_id", "type", "title", "description", "status", "planned_at",
		"external_ref", "version", "created_at", "updated_at"},
	values: func(j *fieldwork.Job) []any {
		return []any{string(j.ID), string(j.CustomerID), string(j.SiteID), j.Type, j.Title, j.Description, string(j.Status),
			ts(j.PlannedAt), nullString(j.ExternalRef), j.Version, ts(j.CreatedAt), ts(j.UpdatedAt)}
	},
	dest: func(j *fieldwork.Job) []any {
		return []any{&j.ID, &j.CustomerID, &j.SiteID, &j.Type, &j.Title, &j.Description, &j.Status,
			tcol(&j.PlannedAt), scol(&j.ExternalRef), &j.Version, tcol(&j.CreatedAt), tcol(&j.UpdatedAt)}
	},
	version: func(j *fieldwork.Job) *int64 { return &j.Version },
	keep: func(old fieldwork.Job, j *fieldwork.Job) {
		j.ID, j.CustomerID, j.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		j.PlannedAt, j.UpdatedAt = storedTime(j.PlannedAt), storedTime(j.UpdatedAt)
	},
	fkErr: storage.ErrNotFound,
})

// GetByRef returns customer cid's job with external reference ref.
func (r jobRepo) GetByRef(ctx context.Context, cid customer.ID, ref string) (fieldwork.Job, error) {
	return jobTable.getWhere(ctx, r.t, "getting job by reference", `customer_id = ? AND external_ref = ?`, string(cid), ref)
}

// List returns one page of a customer's jobs in the range, newest first.
func (r jobRepo) List(ctx context.Context, f storage.JobFilter, p storage.Page) (storage.List[fieldwork.Job], error) {
	return timeList(ctx, r.t, "listing jobs", jobTable, "planned_at", f.CustomerID, f.SiteIDs, "", "", f.Range, p,
		func(j fieldwork.Job) (time.Time, string) { return j.PlannedAt, string(j.ID) })
}

type visitRepo struct {
	crud[fieldwork.Visit, fieldwork.VisitID]
}

// Visits returns the transaction's VisitRepo.
func (t *txn) Visits() storage.VisitRepo {
	return visitRepo{crud[fieldwork.Visit, fieldwork.VisitID]{t, visitTable}}
}

var visitTable = newTable(table[fieldwork.Visit]{
	name: "visits", noun: "visit",
	columns: []string{"id", "job_id", "customer_id", "site_id", "technician", "started_at", "ended_at", "outcome", "report",
		"external_ref", "version", "created_at", "updated_at"},
	values: func(v *fieldwork.Visit) []any {
		return []any{string(v.ID), string(v.JobID), string(v.CustomerID), string(v.SiteID), v.Technician, ts(v.StartedAt),
			nullTS(v.EndedAt), v.Outcome, v.Report, nullString(v.ExternalRef), v.Version, ts(v.CreatedAt), ts(v.UpdatedAt)}
	},
	dest: func(v *fieldwork.Visit) []any {
		return []any{&v.ID, &v.JobID, &v.CustomerID, &v.SiteID, &v.Technician, tcol(&v.StartedAt),
			tcol(&v.EndedAt), &v.Outcome, &v.Report, scol(&v.ExternalRef), &v.Version, tcol(&v.CreatedAt), tcol(&v.UpdatedAt)}
	},
	version: func(v *fieldwork.Visit) *int64 { return &v.Version },
	keep: func(old fieldwork.Visit, v *fieldwork.Visit) {
		v.ID, v.JobID, v.CustomerID, v.SiteID, v.CreatedAt = old.ID, old.JobID, old.CustomerID, old.SiteID, old.CreatedAt
		v.StartedAt, v.EndedAt, v.UpdatedAt = storedTime(v.StartedAt), storedTime(v.EndedAt), storedTime(v.UpdatedAt)
	},
	fkErr: storage.ErrNotFound,
})

// GetByRef returns customer cid's visit with external reference ref.
func (r visitRepo) GetByRef(ctx context.Context, cid customer.ID, ref string) (fieldwork.Visit, error) {
	return visitTable.getWhere(ctx, r.t, "getting visit by reference", `customer_id = ? AND external_ref = ?`, string(cid), ref)
}

// SetJobSite gives job jid's visits elsewhere than site that site.
func (r visitRepo) SetJobSite(ctx context.Context, jid fieldwork.JobID, site customer.SiteID, at time.Time) (int64, error) {
	op := "moving the visits of job " + string(jid)
	if err := r.t.writable(op); err != nil {
		return 0, err
	}
	return r.t.exec(ctx, op, storage.ErrNotFound,
		`UPDATE visits SET site_id = ?, version = version + 1, updated_at = ? WHERE job_id = ? AND site_id <> ?`,
		string(site), ts(at), string(jid), string(site))
}

// List returns one page of a customer's visits in the range, newest first.
func (r visitRepo) List(ctx context.Context, f storage.VisitFilter, p storage.Page) (storage.List[fieldwork.Visit], error) {
	return timeList(ctx, r.t, "listing visits", visitTable, "started_at", f.CustomerID, f.SiteIDs, "job_id", string(f.JobID), f.Range, p,
		func(v fieldwork.Visit) (time.Time, string) { return v.StartedAt, string(v.ID) })
}

// timeList returns one page of tb's rows of customer cid whose column at
// lies in rng, newest first by (at, id), after the page's cursor ("<time>
// <id>" of the last row seen). The (customer_id, at, id) index serves the
// range and the order, so a page costs the same however many rows lie
// outside the range. An extra equality (col = val) narrows it when val is
// set.
func timeList[T any](ctx context.Context, t *txn, op string, tb *table[T], at string, cid customer.ID, siteIDs []customer.SiteID,
	col, val string, rng fieldwork.Range, p storage.Page, key func(T) (time.Time, string)) (storage.List[T], error) {
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[T]{}, fmt.Errorf("%s: %s: %w", t.d.Name, op, err)
	}
	if siteIDs != nil && len(siteIDs) == 0 {
		return storage.List[T]{}, nil
	}
	where, args := []string{`customer_id = ?`}, []any{string(cid)}
	if val != "" {
		where, args = append(where, col+` = ?`), append(args, val)
	}
	if len(siteIDs) > 0 {
		where, args = append(where, `site_id IN (`+placeholders(len(siteIDs))+`)`), append(args, anyOf(siteIDs)...)
	}
	if !rng.From.IsZero() {
		where, args = append(where, at+` >= ?`), append(args, ts(rng.From))
	}
	if !rng.To.IsZero() {
		where, args = append(where, at+` < ?`), append(args, ts(rng.To))
	}
	if after != "" {
		atStr, id, ok := strings.Cut(after, " ")
		if _, perr := time.Parse(timeLayout, atStr); !ok || perr != nil {
			return storage.List[T]{}, fmt.Errorf("%s: %s: %w", t.d.Name, op, portalerr.Invalidf("cursor", "is not a cursor returned by this list"))
		}
		where, args = append(where, `(`+at+` < ? OR (`+at+` = ? AND id < ?))`), append(args, atStr, atStr, id)
	}
	q := tb.selectSQL + ` WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY ` + at + ` DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	return queryList(ctx, t, op, q, args, limit, tb.scan, func(v T) string {
		tm, id := key(v)
		return ts(tm) + " " + id
	})
}

type pictureRepo struct {
	t *txn
}

// Pictures returns the transaction's PictureRepo.
func (t *txn) Pictures() storage.PictureRepo { return pictureRepo{t} }

var pictureTable = newTable(table[fieldwork.Picture]{
	name: "pictures", noun: "picture",
	columns: []string{"id", "job_id", "customer_id", "site_id", "name", "content_type", "size", "width", "height",
		"file_key", "thumb_key", "taken_at", "created_at"},
	values: func(p *fieldwork.Picture) []any {
		return []any{string(p.ID), string(p.JobID), string(p.CustomerID), string(p.SiteID), p.Name, p.ContentType, p.Size,
			p.Width, p.Height, p.FileKey, p.ThumbKey, ts(p.TakenAt), ts(p.CreatedAt)}
	},
	dest: func(p *fieldwork.Picture) []any {
		return []any{&p.ID, &p.JobID, &p.CustomerID, &p.SiteID, &p.Name, &p.ContentType, &p.Size,
			&p.Width, &p.Height, &p.FileKey, &p.ThumbKey, tcol(&p.TakenAt), tcol(&p.CreatedAt)}
	},
	keep:  func(old fieldwork.Picture, p *fieldwork.Picture) { *p = old },
	fkErr: storage.ErrNotFound,
})

// Create stores p.
func (r pictureRepo) Create(ctx context.Context, p fieldwork.Picture) error {
	return pictureTable.insert(ctx, r.t, &p)
}

// Get returns the picture with the given ID.
func (r pictureRepo) Get(ctx context.Context, id fieldwork.PictureID) (fieldwork.Picture, error) {
	return pictureTable.get(ctx, r.t, string(id))
}

// SetJobSite gives job jid's pictures elsewhere than site that site.
func (r pictureRepo) SetJobSite(ctx context.Context, jid fieldwork.JobID, site customer.SiteID) (int64, error) {
	op := "moving the pictures of job " + string(jid)
	if err := r.t.writable(op); err != nil {
		return 0, err
	}
	return r.t.exec(ctx, op, storage.ErrNotFound,
		`UPDATE pictures SET site_id = ? WHERE job_id = ? AND site_id <> ?`, string(site), string(jid), string(site))
}

// List returns one page of a customer's pictures in the range, newest first.
func (r pictureRepo) List(ctx context.Context, f storage.PictureFilter, p storage.Page) (storage.List[fieldwork.Picture], error) {
	return timeList(ctx, r.t, "listing pictures", pictureTable, "taken_at", f.CustomerID, f.SiteIDs, "job_id", string(f.JobID), f.Range, p,
		func(p fieldwork.Picture) (time.Time, string) { return p.TakenAt, string(p.ID) })
}
