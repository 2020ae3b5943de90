// Package identity owns who is calling: the Principal, and the context
// helpers that carry it through a request; and the provider's people who
// sign in, StaffMember, with the rules on staff roles (CheckStaffGrant,
// CheckStaffManage, CheckKeepsOwner).
//
// A principal is a staff member (owner, admin or agent), an API key acting
// as a staff role, or a customer user acting through one membership. What a
// principal may do is decided by package portal's policy, not here.
package identity
