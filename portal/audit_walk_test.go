package portal_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

// notAuditedYet are the changing use cases that do not write an audit
// event yet, and so are the list to shrink: TestEveryChangeIsAudited fails
// when one of them starts to write events (take it out) and when a use
// case of the authorization matrix changes something without writing one
// and is not here. Keep it in this one place; branches that add use cases
// add their audited ones nowhere and their unaudited ones here.
var notAuditedYet = map[string]bool{}

// TestEveryChangeIsAudited walks every use case of the authorization
// matrix (useCases, the one list of them) as a staff owner with the
// service-desk capability, on a fresh copy of its fixture each, and checks
// that each one that changes something writes an audit event in the same
// transaction, except those still in notAuditedYet.
func TestEveryChangeIsAudited(t *testing.T) {
	t.Parallel()
	names := make([]string, 0, len(useCases))
	for name := range useCases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			before := countEvents(t, f.store)
			u := useCases[name]
			if u.staff == "" && u.user == "" {
				t.Skip("only a SCIM token calls it (audited: scimapi's replays)")
			}
			ctx := identity.NewContext(t.Context(), identity.ServiceDeskStaff("stf_walker", identity.StaffOwner))
			if u.staff == "" {
				// A customer's own use case: its admin, or its maintainer.
				m := f.a.admin
				if u.user == customer.RoleMaintainer {
					m = f.a.maintainer
				}
				ctx = as(t, m)
			}
			_, err := u.call(ctx, f, f.a)
			require.NoError(t, err, "the walker may call %s", name)
			wrote, audited := f.wrote(t), countEvents(t, f.store) > before
			switch {
			case !wrote:
				// A read under another name: nothing to audit.
			case audited && notAuditedYet[name]:
				t.Errorf("%s writes an audit event now: take it out of notAuditedYet", name)
			case !audited && !notAuditedYet[name]:
				t.Errorf("%s changed something without an audit event", name)
			}
		})
	}
	for name := range notAuditedYet {
		if _, ok := useCases[name]; !ok {
			t.Errorf("notAuditedYet names %s, which the authorization matrix does not have", name)
		}
	}
}

// countEvents counts every audit event in the store.
func countEvents(t *testing.T, s storage.Store) int {
	t.Helper()
	n := 0
	require.NoError(t, s.ReadTx(t.Context(), func(r storage.Repos) error {
		p := storage.Page{Limit: storage.MaxLimit}
		for {
			l, err := r.Audit().List(context.WithoutCancel(t.Context()), storage.AuditFilter{}, p)
			if err != nil {
				return err
			}
			n += len(l.Items)
			if l.NextCursor == "" {
				return nil
			}
			p.Cursor = l.NextCursor
		}
	}))
	return n
}
