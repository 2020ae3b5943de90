package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
)

// LicenseRepo stores the per-customer grants of paid capabilities.
type LicenseRepo interface {
	// Get returns the customer's licenses; customer.DefaultLicenses(cid)
	// when none were stored (whether or not the customer exists).
	Get(ctx context.Context, cid customer.ID) (customer.Licenses, error)
	// Put stores l in place of the customer's licenses. ErrNotFound when
	// the customer does not exist.
	Put(ctx context.Context, l customer.Licenses) error
}

// OrgRepo stores customers' employees and their departments and cost
// centres. Employees are never deleted: one who left keeps its row.
type OrgRepo interface {
	// CreateEmployees stores es as given. ErrAlreadyExists when an ID is
	// taken, or an external ID within its customer among employees who
	// have not left; ErrNotFound when a customer does not exist.
	CreateEmployees(ctx context.Context, es []org.Employee) error
	// Employee returns the employee with the given ID, or ErrNotFound.
	Employee(ctx context.Context, id org.EmployeeID) (org.Employee, error)
	// ChangeEmployee stores e in place of the employee e.ID if the stored
	// version is still e.Version; the version becomes e.Version+1, and
	// CustomerID and CreatedAt stay as stored. It returns the employee as
	// written. ErrConflict when the version moved on; ErrNotFound when
	// there is no such employee; ErrAlreadyExists as for CreateEmployees.
	ChangeEmployee(ctx context.Context, e org.Employee) (org.Employee, error)
	// Employees returns every employee of a customer, ordered by ID.
	Employees(ctx context.Context, cid customer.ID) ([]org.Employee, error)
	// ListEmployees returns one page of employees matching f, by ID.
	ListEmployees(ctx context.Context, f EmployeeFilter, p Page) (List[org.Employee], error)
	// Held counts, per employee of the customer, the stock items issued
	// to it; employees holding nothing are absent.
	Held(ctx context.Context, cid customer.ID) (map[org.EmployeeID]int, error)
	// PutUnits stores units (their CustomerID ignored) as the customer's,
	// replacing any of the same kind and code.
	PutUnits(ctx context.Context, cid customer.ID, units []org.Unit) error
	// Units returns the customer's units of kind (every kind when empty),
	// ordered by kind and code.
	Units(ctx context.Context, cid customer.ID, kind org.UnitKind) ([]org.Unit, error)

	// CreateRun stores r as given. ErrAlreadyExists when the ID is taken;
	// ErrNotFound when the customer does not exist.
	CreateRun(ctx context.Context, r hrsync.Run) error
	// Run returns the run with the given ID with its records, or
	// ErrNotFound.
	Run(ctx context.Context, id hrsync.RunID) (Run hrsync.Run, err error)
	// UpdateRun is the read-modify-write of a run (see CustomerRepo.Update):
	// ErrNotFound, ErrConflict as there.
	UpdateRun(ctx context.Context, id hrsync.RunID, fn func(*hrsync.Run) error) (hrsync.Run, error)
	// ListRuns returns one page of a customer's runs, newest first, without
	// their records and their plans' changes (the counts and errors stay).
	ListRuns(ctx context.Context, cid customer.ID, p Page) (List[hrsync.Run], error)

	// CreateToken stores a SCIM token as given. ErrAlreadyExists when the
	// ID or the hash is taken; ErrNotFound when the customer does not exist.
	CreateToken(ctx context.Context, t hrsync.Token) error
	// Token returns the SCIM token with the given ID, or ErrNotFound.
	Token(ctx context.Context, id hrsync.TokenID) (hrsync.Token, error)
	// TokenByHash returns the SCIM token with the given hash, or ErrNotFound.
	TokenByHash(ctx context.Context, hash string) (hrsync.Token, error)
	// UpdateToken stores t's LastUsedAt and RevokedAt. ErrNotFound when
	// there is no such token.
	UpdateToken(ctx context.Context, t hrsync.Token) error
	// Tokens returns the customer's SCIM tokens, oldest first.
	Tokens(ctx context.Context, cid customer.ID) ([]hrsync.Token, error)

	// EnsureSchedules gives every customer whose hr_sync is on and has no
	// schedule one, due at now, pulling every every.
	EnsureSchedules(ctx context.Context, now time.Time, every time.Duration) error
	// DueSchedules returns at most limit schedules due at now (NextRunAt
	// not after it) of customers whose hr_sync is on, earliest first.
	DueSchedules(ctx context.Context, now time.Time, limit int) ([]hrsync.Schedule, error)
	// ClaimSchedule moves s.CustomerID's schedule on to next if its
	// NextRunAt is still s.NextRunAt, in one conditional write, and reports
	// whether it did: of several transactions claiming one due schedule,
	// exactly one gets true. The scheduler claims a due schedule to the
	// run's lease, and the finished run from its lease to the next run.
	ClaimSchedule(ctx context.Context, s hrsync.Schedule, next time.Time) (bool, error)

	// SyncSettings returns the customer's HR sync settings: the zero
	// settings (with CustomerID) when none were stored.
	SyncSettings(ctx context.Context, cid customer.ID) (hrsync.Settings, error)
	// PutSyncSettings stores s, replacing the customer's settings.
	// ErrNotFound when the customer does not exist.
	PutSyncSettings(ctx context.Context, s hrsync.Settings) error
}

// EmployeeFilter narrows an employee list. CustomerID is required; zero
// fields do not filter.
type EmployeeFilter struct {
	CustomerID customer.ID
	Status     org.Status
	// Current keeps employees who have not left; not combined with Status.
	Current bool
	// Query keeps employees whose name, e-mail address, external ID or
	// employee number contains it, case-insensitively.
	Query string
	// ExternalID, Username and Email keep employees with exactly this
	// value (SCIM's filters); Username and Email are stored in lower case.
	ExternalID, Username, Email string
}
