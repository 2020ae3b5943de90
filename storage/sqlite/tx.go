package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/portalkit/portalkit/storage"
)

// InTx runs fn in a write transaction on the one write connection. The
// transaction begins IMMEDIATE, so it holds the write lock from the start
// and never fails halfway with SQLITE_BUSY; concurrent callers wait their
// turn in the pool (or until ctx is done). It commits when fn returns nil,
// and rolls back when fn returns an error, which is returned unchanged, or
// panics, which is re-raised.
func (s *Store) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	return run(ctx, s.write, nil, fn)
}

// ReadTx runs fn in a read transaction on the read pool. In WAL mode it sees
// one snapshot and neither waits for nor blocks the writer. Writes through
// its repos fail with storage.ErrReadOnly.
func (s *Store) ReadTx(ctx context.Context, fn func(storage.Repos) error) error {
	return run(ctx, s.read, &sql.TxOptions{ReadOnly: true}, fn)
}

func run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(storage.Repos) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlite: beginning transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&repos{tx: tx, readOnly: opts != nil && opts.ReadOnly}); err != nil {
		// fn's error is the one callers branch on; a failed rollback
		// leaves a broken connection, which database/sql discards.
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		if ctx.Err() != nil {
			// database/sql rolled back when ctx ended; say why, not ErrTxDone.
			return fmt.Errorf("sqlite: committing: %w", context.Cause(ctx))
		}
		return fmt.Errorf("sqlite: committing: %w", err)
	}
	return nil
}

// repos are the repositories of one transaction.
type repos struct {
	tx       *sql.Tx
	readOnly bool
}

func (r *repos) Customers() storage.CustomerRepo         { return customerRepo{r} }
func (r *repos) Users() storage.UserRepo                 { return userRepo{r} }
func (r *repos) Memberships() storage.MembershipRepo     { return membershipRepo{r} }
func (r *repos) Sites() storage.SiteRepo                 { return siteRepo{r} }
func (r *repos) Invitations() storage.InvitationRepo     { return invitationRepo{r} }
func (r *repos) LoginLinks() storage.LoginLinkRepo       { return loginLinkRepo{r} }
func (r *repos) AccessLinks() storage.AccessLinkRepo     { return accessLinkRepo{r} }
func (r *repos) Sessions() storage.SessionRepo           { return sessionRepo{r} }
func (r *repos) APIKeys() storage.APIKeyRepo             { return apiKeyRepo{r} }
func (r *repos) Passwords() storage.PasswordRepo         { return passwordRepo{r} }
func (r *repos) Audit() storage.AuditRepo                { return auditRepo{r} }
func (r *repos) Idempotency() storage.IdempotencyRepo    { return idempotencyRepo{r} }
func (r *repos) Outbox() storage.OutboxRepo              { return outboxRepo{r} }
func (r *repos) MailTemplates() storage.MailTemplateRepo { return mailTemplateRepo{r} }
func (r *repos) Products() storage.ProductRepo           { return productRepo{r} }
func (r *repos) Offers() storage.OfferRepo               { return offerRepo{r} }
func (r *repos) Orders() storage.OrderRepo               { return orderRepo{r} }
func (r *repos) Stock() storage.StockRepo                { return stockRepo{r} }

// writable refuses a write in a ReadTx before SQLite sees it.
func (r *repos) writable(op string) error {
	if r.readOnly {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrReadOnly)
	}
	return nil
}
