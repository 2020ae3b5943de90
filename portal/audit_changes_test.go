package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/portal"
)

// TestUpdatesAuditTheirChangedFields: an update's audit event names the
// actor, the customer and the object, and carries the fields it changed
// with their values before and after, nothing else; a creation names the
// object; a refused update writes no event (the same transaction).
func TestUpdatesAuditTheirChangedFields(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		k, err := e.p.CreateContact(e.owner, c.ID, portal.ContactParams{Name: "Ada", Phone: "+49 1"})
		require.NoError(t, err)
		_, err = e.p.UpdateContact(e.owner, c.ID, k.ID, portal.UpdateContactParams{Version: k.Version,
			ContactParams: portal.ContactParams{Name: "Ada Lovelace", Phone: "+49 1", Notes: "met at the fair"}})
		require.NoError(t, err)
		_, err = e.p.UpdateContact(e.owner, c.ID, k.ID, portal.UpdateContactParams{Version: k.Version,
			ContactParams: portal.ContactParams{Name: "Stale"}})
		require.Error(t, err, "a stale version")

		l, err := e.p.ListCustomerAuditEvents(e.owner, c.ID, portal.ListAuditEventsParams{Target: string(k.ID)})
		require.NoError(t, err)
		require.Len(t, l.Items, 2, "the creation and the one update that worked")
		updated, created := l.Items[0], l.Items[1] // newest first
		assert.Equal(t, "contact.created", created.Action)
		assert.Empty(t, created.Changes)
		assert.Equal(t, "contact.updated", updated.Action)
		assert.Equal(t, "staff:stf_owner", updated.Actor)
		assert.Equal(t, c.ID, updated.CustomerID)
		assert.Equal(t, []audit.Change{
			{Field: "name", Before: "Ada", After: "Ada Lovelace"},
			{Field: "notes", Before: "", After: "met at the fair"},
		}, updated.Changes)
	})
}
