package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/storage"
)

type licenseRepo struct{ t *txn }

func (t *txn) Licenses() storage.LicenseRepo { return licenseRepo{t} }

var licenseTable = newTable(table[customer.Licenses]{
	name: "customer_licenses", noun: "licenses",
	columns: []string{"customer_id", "hr_sync", "updated_by", "updated_at"},
	values: func(l *customer.Licenses) []any {
		return []any{string(l.CustomerID), string(l.HRSync), l.UpdatedBy, ts(l.UpdatedAt)}
	},
	dest: func(l *customer.Licenses) []any {
		return []any{&l.CustomerID, &l.HRSync, &l.UpdatedBy, tcol(&l.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

var licenseUpsert = upsertSQL(licenseTable, []string{"customer_id"})

// Get returns the customer's licenses, or the defaults.
func (s licenseRepo) Get(ctx context.Context, cid customer.ID) (customer.Licenses, error) {
	l, err := licenseTable.get(ctx, s.t, string(cid))
	if errors.Is(err, storage.ErrNotFound) {
		return customer.DefaultLicenses(cid), nil
	}
	return l, err
}

// Put stores l, replacing what was stored.
func (s licenseRepo) Put(ctx context.Context, l customer.Licenses) error {
	op := "storing licenses of customer " + string(l.CustomerID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, storage.ErrNotFound, licenseUpsert, licenseTable.values(&l)...)
	return err
}

type orgRepo struct{ t *txn }

func (t *txn) Org() storage.OrgRepo { return orgRepo{t} }

var employeeTable = newTable(table[org.Employee]{
	name: "org_employees", noun: "employee",
	columns: []string{"id", "customer_id", "external_id", "employee_number", "name", "email", "username",
		"department", "cost_centre", "location", "site_id", "manager_external_id", "status", "source",
		"version", "created_at", "updated_at", "left_at"},
	values: func(e *org.Employee) []any {
		return []any{string(e.ID), string(e.CustomerID), e.ExternalID, e.EmployeeNumber, e.Name, e.Email, e.Username,
			e.Department, e.CostCentre, e.Location, nullString(e.SiteID), e.ManagerExternalID, string(e.Status), e.Source,
			e.Version, ts(e.CreatedAt), ts(e.UpdatedAt), nullTS(e.LeftAt)}
	},
	dest: func(e *org.Employee) []any {
		return []any{&e.ID, &e.CustomerID, &e.ExternalID, &e.EmployeeNumber, &e.Name, &e.Email, &e.Username,
			&e.Department, &e.CostCentre, &e.Location, scol(&e.SiteID), &e.ManagerExternalID, &e.Status, &e.Source,
			&e.Version, tcol(&e.CreatedAt), tcol(&e.UpdatedAt), tcol(&e.LeftAt)}
	},
	fkErr: storage.ErrNotFound,
})

// CreateEmployees stores es, many rows per statement.
func (s orgRepo) CreateEmployees(ctx context.Context, es []org.Employee) error {
	if len(es) == 0 {
		return nil
	}
	op := fmt.Sprintf("creating %d employees", len(es))
	if err := s.t.writable(op); err != nil {
		return err
	}
	width := len(employeeTable.columns)
	args := make([]any, 0, len(es)*width)
	for i := range es {
		args = append(args, employeeTable.values(&es[i])...)
	}
	return insertRows(ctx, s.t, op, `INSERT INTO org_employees (`+employeeTable.cols+`) VALUES `, width, args)
}

// Employee returns the employee with the given ID, or ErrNotFound.
func (s orgRepo) Employee(ctx context.Context, id org.EmployeeID) (org.Employee, error) {
	return employeeTable.get(ctx, s.t, string(id))
}

var changeEmployeeSQL = `UPDATE org_employees SET external_id = ?, employee_number = ?, name = ?, email = ?, username = ?,
	department = ?, cost_centre = ?, location = ?, site_id = ?, manager_external_id = ?, status = ?, source = ?,
	version = version + 1, updated_at = ?, left_at = ? WHERE id = ? AND version = ? RETURNING ` + employeeTable.cols

// ChangeEmployee writes e if the stored version is still e.Version.
func (s orgRepo) ChangeEmployee(ctx context.Context, e org.Employee) (org.Employee, error) {
	op := "changing employee " + string(e.ID)
	if err := s.t.writable(op); err != nil {
		return org.Employee{}, err
	}
	return updateIf(ctx, s.t, employeeTable, op, string(e.ID), fmt.Sprintf("not at version %d", e.Version), changeEmployeeSQL,
		e.ExternalID, e.EmployeeNumber, e.Name, e.Email, e.Username, e.Department, e.CostCentre, e.Location,
		nullString(e.SiteID), e.ManagerExternalID, string(e.Status), e.Source, ts(e.UpdatedAt), nullTS(e.LeftAt),
		string(e.ID), e.Version)
}

// Employees returns every employee of the customer.
func (s orgRepo) Employees(ctx context.Context, cid customer.ID) ([]org.Employee, error) {
	return queryAll(ctx, s.t, "reading employees of customer "+string(cid),
		employeeTable.selectSQL+` WHERE customer_id = ? ORDER BY id`, []any{string(cid)}, 64, employeeTable.scan)
}

// ListEmployees returns one page of the customer's employees matching f.
func (s orgRepo) ListEmployees(ctx context.Context, f storage.EmployeeFilter, p storage.Page) (storage.List[org.Employee], error) {
	const op = "listing employees"
	if f.CustomerID == "" {
		return storage.List[org.Employee]{}, fmt.Errorf("%s: %s: a customer is required: %w", s.t.d.Name, op, storage.ErrNotFound)
	}
	var w conds
	w.eq(`customer_id`, string(f.CustomerID))
	switch {
	case f.Status != "":
		w.eq(`status`, string(f.Status))
	case f.Current:
		w.and(`status <> 'left'`, nil)
	}
	w.eq(`external_id`, f.ExternalID)
	w.eq(`username`, f.Username)
	w.eq(`email`, f.Email)
	if f.Query != "" {
		like, pat := s.t.d.ILike, likePattern(f.Query)
		w.and(`(name `+like+` ? ESCAPE '\' OR email `+like+` ? ESCAPE '\' OR external_id `+like+` ? ESCAPE '\' OR employee_number `+like+` ? ESCAPE '\')`,
			[]any{pat, pat, pat, pat})
	}
	return employeeTable.list(ctx, s.t, op, p, w.String(), w.args, func(e org.Employee) string { return string(e.ID) })
}

// Held counts the items issued to each employee of the customer.
func (s orgRepo) Held(ctx context.Context, cid customer.ID) (map[org.EmployeeID]int, error) {
	out := map[org.EmployeeID]int{}
	var id org.EmployeeID
	var n int
	err := eachRow(ctx, s.t, "counting items held by employees of customer "+string(cid),
		`SELECT holder_employee_id, count(*) FROM stock_items
		WHERE customer_id = ? AND status = 'issued' AND holder_employee_id IS NOT NULL GROUP BY holder_employee_id`,
		[]any{string(cid)}, []any{&id, &n}, func() { out[id] = n })
	if err != nil {
		return nil, err
	}
	return out, nil
}

var unitTable = newTable(table[org.Unit]{
	name: "org_units", noun: "unit",
	columns: []string{"customer_id", "kind", "code", "name", "parent_code", "updated_at"},
	values: func(u *org.Unit) []any {
		return []any{string(u.CustomerID), string(u.Kind), u.Code, u.Name, u.ParentCode, ts(u.UpdatedAt)}
	},
	dest: func(u *org.Unit) []any {
		return []any{&u.CustomerID, &u.Kind, &u.Code, &u.Name, &u.ParentCode, tcol(&u.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

var unitUpsert = upsertSQL(unitTable, []string{"customer_id", "kind", "code"})

// PutUnits upserts the customer's units.
func (s orgRepo) PutUnits(ctx context.Context, cid customer.ID, units []org.Unit) error {
	op := "storing units of customer " + string(cid)
	if err := s.t.writable(op); err != nil {
		return err
	}
	for _, u := range units {
		u.CustomerID = cid
		if _, err := s.t.exec(ctx, op, storage.ErrNotFound, unitUpsert, unitTable.values(&u)...); err != nil {
			return err
		}
	}
	return nil
}

// Units returns the customer's units of kind.
func (s orgRepo) Units(ctx context.Context, cid customer.ID, kind org.UnitKind) ([]org.Unit, error) {
	var w conds
	w.eq(`customer_id`, string(cid))
	w.eq(`kind`, string(kind))
	return queryAll(ctx, s.t, "reading units of customer "+string(cid),
		unitTable.selectSQL+` WHERE `+w.String()+` ORDER BY kind, code`, w.args, 16, unitTable.scan)
}

var runTable = newTable(table[hrsync.Run]{
	name: "hr_sync_runs", noun: "sync run",
	columns: []string{"id", "customer_id", "source", "status", "plan", "records", "started_by", "confirmed_by",
		"started_at", "finished_at", "duration_ms", "version"},
	values: func(r *hrsync.Run) []any {
		recs := r.Records
		if recs == nil {
			recs = []hrsync.Record{}
		}
		return []any{string(r.ID), string(r.CustomerID), r.Source, string(r.Status), jsonValue{r.Plan}, jsonValue{recs},
			r.StartedBy, r.ConfirmedBy, ts(r.StartedAt), nullTS(r.FinishedAt), r.Duration.Milliseconds(), r.Version}
	},
	dest: func(r *hrsync.Run) []any {
		return []any{&r.ID, &r.CustomerID, &r.Source, &r.Status, jcol(&r.Plan), jcol(&r.Records),
			&r.StartedBy, &r.ConfirmedBy, tcol(&r.StartedAt), tcol(&r.FinishedAt), durationMS{&r.Duration}, &r.Version}
	},
	version: func(r *hrsync.Run) *int64 { return &r.Version },
	keep: func(old hrsync.Run, r *hrsync.Run) {
		r.ID, r.CustomerID, r.StartedAt = old.ID, old.CustomerID, old.StartedAt
	},
	fkErr: storage.ErrNotFound,
})

// durationMS scans milliseconds into a time.Duration.
type durationMS struct{ p *time.Duration }

func (d durationMS) Scan(src any) error {
	n, ok := src.(int64)
	if !ok {
		return fmt.Errorf("reading a duration from %T", src)
	}
	*d.p = time.Duration(n) * time.Millisecond
	return nil
}

// CreateRun stores r.
func (s orgRepo) CreateRun(ctx context.Context, r hrsync.Run) error {
	return runTable.insert(ctx, s.t, &r)
}

// Run returns the run with the given ID, or ErrNotFound.
func (s orgRepo) Run(ctx context.Context, id hrsync.RunID) (hrsync.Run, error) {
	return runTable.get(ctx, s.t, string(id))
}

// UpdateRun is runTable.update.
func (s orgRepo) UpdateRun(ctx context.Context, id hrsync.RunID, fn func(*hrsync.Run) error) (hrsync.Run, error) {
	return runTable.update(ctx, s.t, string(id), fn)
}

// ListRuns returns one page of the customer's runs, newest first.
func (s orgRepo) ListRuns(ctx context.Context, cid customer.ID, p storage.Page) (storage.List[hrsync.Run], error) {
	const op = "listing sync runs"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[hrsync.Run]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	q := runTable.selectSQL + ` WHERE customer_id = ?`
	args := []any{string(cid)}
	if after != "" {
		q += ` AND id < ?`
		args = append(args, after)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	l, err := queryList(ctx, s.t, op, q, append(args, limit+1), limit, runTable.scan, func(r hrsync.Run) string { return string(r.ID) })
	for i := range l.Items {
		l.Items[i].Records, l.Items[i].Plan.Changes = nil, nil
	}
	return l, err
}

var tokenTable = newTable(table[hrsync.Token]{
	name: "scim_tokens", noun: "SCIM token",
	columns: []string{"id", "customer_id", "name", "token_hash", "created_by", "created_at", "last_used_at", "revoked_at"},
	values: func(t *hrsync.Token) []any {
		return []any{string(t.ID), string(t.CustomerID), t.Name, t.TokenHash, t.CreatedBy, ts(t.CreatedAt), nullTS(t.LastUsedAt), nullTS(t.RevokedAt)}
	},
	dest: func(t *hrsync.Token) []any {
		return []any{&t.ID, &t.CustomerID, &t.Name, &t.TokenHash, &t.CreatedBy, tcol(&t.CreatedAt), tcol(&t.LastUsedAt), tcol(&t.RevokedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// CreateToken stores t.
func (s orgRepo) CreateToken(ctx context.Context, t hrsync.Token) error {
	return tokenTable.insert(ctx, s.t, &t)
}

// Token returns the SCIM token with the given ID, or ErrNotFound.
func (s orgRepo) Token(ctx context.Context, id hrsync.TokenID) (hrsync.Token, error) {
	return tokenTable.get(ctx, s.t, string(id))
}

// TokenByHash returns the SCIM token with the given hash, or ErrNotFound.
func (s orgRepo) TokenByHash(ctx context.Context, hash string) (hrsync.Token, error) {
	return tokenTable.getWhere(ctx, s.t, "finding a SCIM token by hash", `token_hash = ?`, hash)
}

// UpdateToken stores t's use and revocation.
func (s orgRepo) UpdateToken(ctx context.Context, t hrsync.Token) error {
	op := "updating SCIM token " + string(t.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := s.t.exec(ctx, op, nil, `UPDATE scim_tokens SET last_used_at = ?, revoked_at = ? WHERE id = ?`,
		nullTS(t.LastUsedAt), nullTS(t.RevokedAt), string(t.ID))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %s: %w", s.t.d.Name, op, storage.ErrNotFound)
	}
	return nil
}

// Tokens returns the customer's SCIM tokens, oldest first.
func (s orgRepo) Tokens(ctx context.Context, cid customer.ID) ([]hrsync.Token, error) {
	return queryAll(ctx, s.t, "listing SCIM tokens of customer "+string(cid),
		tokenTable.selectSQL+` WHERE customer_id = ? ORDER BY id`, []any{string(cid)}, 4, tokenTable.scan)
}

// EnsureSchedules gives customers with hr_sync on and no schedule one.
func (s orgRepo) EnsureSchedules(ctx context.Context, now time.Time, every time.Duration) error {
	const op = "adding HR sync schedules"
	if err := s.t.writable(op); err != nil {
		return err
	}
	var ids []string
	var id string
	err := eachRow(ctx, s.t, op, `SELECT id FROM customers c WHERE c.feature_hr_sync AND c.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM hr_sync_schedules h WHERE h.customer_id = c.id) ORDER BY id`,
		nil, []any{&id}, func() { ids = append(ids, id) })
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.t.exec(ctx, op, storage.ErrNotFound, `INSERT INTO hr_sync_schedules (customer_id, every_seconds, next_run_at)
			VALUES (?, ?, ?) ON CONFLICT (customer_id) DO NOTHING`, id, int64(every/time.Second), ts(now)); err != nil {
			return err
		}
	}
	return nil
}

// DueSchedules returns the schedules due at now, earliest first.
func (s orgRepo) DueSchedules(ctx context.Context, now time.Time, limit int) ([]hrsync.Schedule, error) {
	var out []hrsync.Schedule
	var sc hrsync.Schedule
	var secs int64
	err := eachRow(ctx, s.t, "listing due HR sync schedules",
		`SELECT h.customer_id, h.every_seconds, h.next_run_at FROM hr_sync_schedules h JOIN customers c ON c.id = h.customer_id
		WHERE h.next_run_at <= ? AND c.feature_hr_sync AND c.status = 'active' ORDER BY h.next_run_at, h.customer_id LIMIT ?`,
		[]any{ts(now), limit}, []any{&sc.CustomerID, &secs, tcol(&sc.NextRunAt)},
		func() {
			sc.Every = time.Duration(secs) * time.Second
			out = append(out, sc)
		})
	return out, err
}

// ClaimSchedule moves a due schedule on if nobody did first.
func (s orgRepo) ClaimSchedule(ctx context.Context, sc hrsync.Schedule, next time.Time) (bool, error) {
	op := "claiming the HR sync of customer " + string(sc.CustomerID)
	if err := s.t.writable(op); err != nil {
		return false, err
	}
	n, err := s.t.exec(ctx, op, nil, `UPDATE hr_sync_schedules SET next_run_at = ? WHERE customer_id = ? AND next_run_at = ?`,
		ts(next), string(sc.CustomerID), ts(sc.NextRunAt))
	return n == 1, err
}

var syncSettingsTable = newTable(table[hrsync.Settings]{
	name: "hr_sync_settings", noun: "HR sync settings",
	columns: []string{"customer_id", "filter", "invite_employees", "updated_by", "updated_at"},
	values: func(s *hrsync.Settings) []any {
		return []any{string(s.CustomerID), jsonValue{s.Filter}, s.InviteEmployees, s.UpdatedBy, ts(s.UpdatedAt)}
	},
	dest: func(s *hrsync.Settings) []any {
		return []any{&s.CustomerID, jcol(&s.Filter), &s.InviteEmployees, &s.UpdatedBy, tcol(&s.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// SyncSettings returns the customer's HR sync settings; the zero settings
// (with CustomerID) when none were stored.
func (s orgRepo) SyncSettings(ctx context.Context, cid customer.ID) (hrsync.Settings, error) {
	out, err := syncSettingsTable.getWhere(ctx, s.t, "reading the HR sync settings of customer "+string(cid), `customer_id = ?`, string(cid))
	if errors.Is(err, storage.ErrNotFound) {
		return hrsync.Settings{CustomerID: cid}, nil
	}
	return out, err
}

// PutSyncSettings stores st, replacing the customer's settings.
func (s orgRepo) PutSyncSettings(ctx context.Context, st hrsync.Settings) error {
	op := "storing the HR sync settings of customer " + string(st.CustomerID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, storage.ErrNotFound, `INSERT INTO hr_sync_settings (customer_id, filter, invite_employees, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET filter = excluded.filter,
		invite_employees = excluded.invite_employees, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		syncSettingsTable.values(&st)...)
	return err
}
