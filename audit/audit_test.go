package audit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/audit"
)

func TestDiff(t *testing.T) {
	got := audit.Diff([]string{"name", "role", "city"},
		map[string]string{"name": "Ada", "role": "viewer"},
		map[string]string{"name": "Ada", "role": "admin", "city": "Berlin"})
	assert.Equal(t, []audit.Change{{Field: "role", Before: "viewer", After: "admin"}, {Field: "city", Before: "", After: "Berlin"}}, got)
	assert.Empty(t, audit.Diff([]string{"name"}, map[string]string{"name": "x"}, map[string]string{"name": "x"}))
}
