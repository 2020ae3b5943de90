package sqlcols

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQualify(t *testing.T) {
	assert.Equal(t, "u.id, u.email, u.created_at", Qualify("u", "id, email,\n\tcreated_at"))
	assert.Equal(t, "c.id", Qualify("c", "id"))
}
