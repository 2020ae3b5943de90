package identity

import (
	"time"

	"github.com/portalkit/portalkit/customer"
)

// SessionID identifies a session ("ses_" + UUIDv7).
type SessionID string

// Method is how a session was opened.
type Method string

// Sign-in methods.
const (
	MethodInvitation Method = "invitation"
	MethodLoginLink  Method = "login_link"
	MethodAccessLink Method = "access_link"
	MethodPassword   Method = "password"
)

// Session is a signed-in customer user acting through one membership, or
// a signed-in staff member (StaffID set; the customer fields empty). Its
// bearer token is shown once; only the token's hash is stored.
type Session struct {
	ID        SessionID
	TokenHash string
	// StaffID is the staff member of a staff session; empty for a
	// customer user's.
	StaffID      StaffID
	UserID       customer.UserID
	MembershipID customer.MembershipID
	CustomerID   customer.ID
	Method       Method
	// AccessLinkID is the access link that opened the session, if any:
	// refreshing or disabling the link ends the session too.
	AccessLinkID string
	// ReadOnly caps the session at viewer rights.
	ReadOnly bool
	// LastSeenAt moves with use; the session ends IdleTimeout after it.
	LastSeenAt time.Time
	// ExpiresAt is the absolute end, whatever the use.
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Expired reports whether the session has ended at now, given the idle timeout.
func (s Session) Expired(now time.Time, idle time.Duration) bool {
	return !now.Before(s.ExpiresAt) || (idle > 0 && !now.Before(s.LastSeenAt.Add(idle)))
}

// Staff reports whether s is a staff member's session.
func (s Session) Staff() bool { return s.StaffID != "" }

// Principal returns the principal the session acts as. For a staff
// session it has no StaffRole: the role is read from the staff member
// (StaffMember.Principal), so a changed role takes effect at once.
func (s Session) Principal() Principal {
	if s.Staff() {
		return Principal{Kind: KindStaff, ID: string(s.StaffID), SessionID: s.ID, Method: s.Method}
	}
	return Principal{
		Kind:         KindUser,
		ID:           string(s.UserID),
		MembershipID: s.MembershipID,
		CustomerID:   s.CustomerID,
		ReadOnly:     s.ReadOnly,
		SessionID:    s.ID,
		Method:       s.Method,
	}
}
