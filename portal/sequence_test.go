package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/portal"
)

func TestSequence(t *testing.T) {
	var s portal.Sequence
	assert.Equal(t, "cus_000001", s.NewID("cus"))
	assert.Equal(t, "usr_000002", s.NewID("usr"), "one counter for all prefixes")
	assert.Equal(t, int64(2), s.Drawn())

	after := portal.SequenceAfter(s.Drawn())
	assert.Equal(t, "ord_000003", after.NewID("ord"), "goes on where the first stopped")
	assert.Equal(t, int64(3), after.Drawn())
}
