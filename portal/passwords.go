package portal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

var errBadPassword = portalerr.New(portalerr.Unauthenticated, "the e-mail address or the password is wrong")

// setPasswordIfNone stores a password for a user who has none; a user with
// a password keeps it (an invitation link must not replace a credential).
func (p *Portal) setPasswordIfNone(ctx context.Context, r storage.Repos, uid customer.UserID, hash string, now time.Time) error {
	if _, err := r.Passwords().Get(ctx, uid); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("portal: loading password: %w", err)
	}
	return r.Passwords().Put(ctx, identity.Password{UserID: uid, Hash: hash, UpdatedAt: now})
}

// SetPasswordParams change the caller's password.
type SetPasswordParams struct {
	// Current is required when the account has a password already.
	Current string `json:"current_password"`
	New     string `json:"new_password" validate:"required"`
}

// SetPassword sets or changes the caller's password and ends the caller's
// other sessions. Customer users signed in other than through an access
// link may call it (an access link must not turn into a full login), and
// staff members (ActStaffSelf; their password is for
// SignInStaffWithPassword); API keys get PermissionDenied. Invalid on
// new_password for a weak new password, and on current_password for a
// missing or wrong current one.
func (p *Portal) SetPassword(ctx context.Context, params SetPasswordParams) error {
	if err := validStruct(params); err != nil {
		return err
	}
	if err := identity.CheckPassword(params.New); err != nil {
		return portalerr.Invalidf("new_password", "%s", portalerr.FieldsOf(err)[0].Message)
	}
	if who, _ := identity.FromContext(ctx); who.Kind == identity.KindStaff {
		return p.setStaffPassword(ctx, params)
	}
	var (
		uid     customer.UserID
		current identity.Password
		hasOne  bool
	)
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSelf, "", "")
		if err != nil {
			return err
		}
		if a.who.ReadOnly || a.who.Method == identity.MethodAccessLink {
			return portalerr.New(portalerr.PermissionDenied, "sign in with an invitation, an e-mail link or a password to set a password")
		}
		uid = a.membership.UserID
		current, err = r.Passwords().Get(ctx, uid)
		hasOne = err == nil
		return ignoreNotFound(err)
	})
	if err != nil {
		return err
	}
	if hasOne && !identity.VerifyPassword(params.Current, current.Hash) {
		return portalerr.Invalidf("current_password", "is not your current password")
	}
	hash := identity.HashPassword(params.New, p.argon)
	who, _ := identity.FromContext(ctx)
	return p.write(ctx, func(r storage.Repos) error {
		if err := r.Passwords().Put(ctx, identity.Password{UserID: uid, Hash: hash, UpdatedAt: p.timestamp()}); err != nil {
			return err
		}
		_, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{UserID: uid, ExceptID: who.SessionID})
		return err
	})
}

// PasswordSignInParams sign in with a password.
type PasswordSignInParams struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=256"`
	// CustomerID chooses the membership for a user in several customers;
	// empty picks the oldest active one (SwitchMembership changes it).
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

// SignInWithPassword opens a session for the user with this e-mail address
// and password. It needs no principal. Unauthenticated, with the same
// message and about the same work, whether the address is unknown, has no
// password, or the password is wrong; after Config.PasswordLockout failures
// the account is locked for a while (RateLimited with RetryAfter), and
// attempts per e-mail and per client address are rate limited.
func (p *Portal) SignInWithPassword(ctx context.Context, params PasswordSignInParams) (SignIn, error) {
	if err := validStruct(params); err != nil {
		return SignIn{}, err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return SignIn{}, err
	}
	if err := p.limit(ctx, "signin", email, params.ClientAddr); err != nil {
		return SignIn{}, err
	}
	now := p.timestamp()
	var (
		u   customer.User
		pw  identity.Password
		has bool
	)
	err = p.read(ctx, func(r storage.Repos) error {
		var err error
		if u, err = r.Users().GetByEmail(ctx, email); err != nil {
			return ignoreNotFound(err)
		}
		pw, err = r.Passwords().Get(ctx, u.ID)
		has = err == nil
		return ignoreNotFound(err)
	})
	if err != nil {
		return SignIn{}, err
	}
	var out SignIn
	err = p.checkPassword(ctx, now, email, params.Password, pw, has, userPasswords(u.ID), func(r storage.Repos) error {
		if !u.Active() {
			return errBadPassword
		}
		m, err := firstActiveMembership(ctx, r, u.ID, params.CustomerID)
		if err != nil {
			return err
		}
		out, err = p.openSession(ctx, r, m, identity.MethodPassword, nil)
		return err
	})
	return out, err
}

// passwords reads and writes one person's password record in a
// transaction: a customer user's or a staff member's.
type passwords struct {
	get func(context.Context, storage.Repos) (identity.Password, error)
	put func(context.Context, storage.Repos, identity.Password) error
}

func userPasswords(uid customer.UserID) passwords {
	return passwords{
		get: func(ctx context.Context, r storage.Repos) (identity.Password, error) {
			return r.Passwords().Get(ctx, uid)
		},
		put: func(ctx context.Context, r storage.Repos, pw identity.Password) error {
			return r.Passwords().Put(ctx, pw)
		},
	}
}

func staffPasswords(id identity.StaffID) passwords {
	return passwords{
		get: func(ctx context.Context, r storage.Repos) (identity.Password, error) {
			return r.Staff().GetPassword(ctx, id)
		},
		put: func(ctx context.Context, r storage.Repos, pw identity.Password) error {
			return r.Staff().PutPassword(ctx, id, pw)
		},
	}
}

// checkPassword is the part of a password sign-in that customer users and
// staff share, once the person's record pw was read (has false when there
// is none, the address unknown included). It does the same work and keeps
// the same lockout whether or not there is a password (phantom is the key
// of the lockout kept for those without), refuses a locked one, counts a
// wrong one, and for the right one runs open in the transaction that
// reads the record again (it may have changed since it was verified, and a
// stale copy must never be written back) and resets its failure count.
func (p *Portal) checkPassword(ctx context.Context, now time.Time, phantom, password string, pw identity.Password, has bool,
	book passwords, open func(storage.Repos) error) error {
	if !has {
		// No password to check: do the same work and keep the same lockout
		// state as for a real one, so nothing tells the two apart.
		identity.VerifyPassword(password, p.dummyHash)
		return p.phantom.fail(phantom, now, p.lockout)
	}
	if pw.Locked(now) {
		identity.VerifyPassword(password, p.dummyHash)
		return errLocked(pw, now)
	}
	if !identity.VerifyPassword(password, pw.Hash) {
		return p.passwordFailed(ctx, book, now)
	}
	return p.write(ctx, func(r storage.Repos) error {
		cur, err := book.get(ctx, r)
		if err != nil {
			return notFoundAs(err, errBadPassword)
		}
		if cur.Hash != pw.Hash || cur.Locked(now) {
			return errBadPassword
		}
		if cur.FailedAttempts > 0 {
			cur.FailedAttempts = 0
			if err := book.put(ctx, r, cur); err != nil {
				return fmt.Errorf("portal: resetting failed attempts: %w", err)
			}
		}
		return open(r)
	})
}

func errLocked(pw identity.Password, now time.Time) error {
	return &portalerr.Error{Code: portalerr.RateLimited, Message: "too many failed sign-ins; try again later", RetryAfter: pw.LockedUntil.Sub(now)}
}

// passwordFailed counts a failed sign-in, locking the account after too
// many, in a transaction of its own (the failure must stick) and returns
// the error for the caller.
func (p *Portal) passwordFailed(ctx context.Context, book passwords, now time.Time) error {
	err := p.write(ctx, func(r storage.Repos) error {
		pw, err := book.get(ctx, r)
		if err != nil {
			return err
		}
		pw.Fail(now, p.lockout.N, p.lockout.Window)
		return book.put(ctx, r, pw)
	})
	if err != nil {
		return fmt.Errorf("portal: counting a failed sign-in: %w", err)
	}
	return errBadPassword
}

// phantomLocks keeps the lockout state of e-mail addresses that have no
// password (unknown ones included), in the process, so that they lock
// exactly like real accounts do. With several replicas each keeps its own.
type phantomLocks struct {
	mu    sync.Mutex
	locks map[string]identity.Password
}

// fail counts a failed sign-in for email and returns the error to give:
// the lockout error while locked, else the wrong-password error.
func (l *phantomLocks) fail(email string, now time.Time, lockout Limit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locks == nil || len(l.locks) > 10_000 {
		l.locks = make(map[string]identity.Password) // bounded: forgetting only makes a phantom lock end early
	}
	pw := l.locks[email]
	if pw.Locked(now) {
		return errLocked(pw, now)
	}
	if now.Sub(pw.UpdatedAt) > lockout.Window {
		pw = identity.Password{}
	}
	pw.Fail(now, lockout.N, lockout.Window)
	l.locks[email] = pw
	return errBadPassword
}

// limit counts an attempt at kind ("signin", "loginlink") against the
// per-e-mail and per-client limits. Each kind counts on its own, so failed
// password attempts by someone else cannot block a user's login links.
func (p *Portal) limit(ctx context.Context, kind, email, clientAddr string) error {
	now := p.timestamp()
	if err := p.allow(ctx, kind+":email:"+email, p.limits.PerEmail, now); err != nil {
		return err
	}
	if c := clientKey(clientAddr); c != "" {
		return p.allow(ctx, kind+":"+c, p.limits.PerClient, now)
	}
	return nil
}

// allow asks the RateLimiter about one attempt: RateLimited past the
// limit; when the limiter fails, its error, which refuses the attempt too
// (see RateLimiter).
func (p *Portal) allow(ctx context.Context, key string, limit Limit, now time.Time) error {
	ok, wait, err := p.limiter.Allow(ctx, key, limit, now)
	switch {
	case err != nil:
		return fmt.Errorf("portal: counting an attempt for the rate limits: %w", err)
	case !ok:
		return &portalerr.Error{Code: portalerr.RateLimited, Message: "too many attempts; try again later", RetryAfter: wait}
	}
	return nil
}
