package fieldwork_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portalerr"
)

func TestStatusMoves(t *testing.T) {
	ok := [][2]fieldwork.Status{
		{"planned", "scheduled"}, {"planned", "in_progress"}, {"scheduled", "in_progress"}, {"in_progress", "done"},
		{"planned", "cancelled"}, {"in_progress", "cancelled"}, {"done", "done"}, {"scheduled", "scheduled"},
	}
	for _, m := range ok {
		assert.NoError(t, m[0].CheckMove(m[1]), "%s → %s", m[0], m[1])
	}
	refused := [][2]fieldwork.Status{
		{"scheduled", "planned"}, {"in_progress", "scheduled"}, {"done", "cancelled"}, {"cancelled", "planned"}, {"done", "in_progress"},
	}
	for _, m := range refused {
		assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(m[0].CheckMove(m[1])), "%s → %s", m[0], m[1])
	}
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(fieldwork.StatusPlanned.CheckMove("finished")))
}

func TestVisitTimesAndRanges(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	assert.NoError(t, fieldwork.Visit{StartedAt: t0}.CheckTimes(), "an open visit")
	assert.NoError(t, fieldwork.Visit{StartedAt: t0, EndedAt: t0.Add(time.Hour)}.CheckTimes())
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(fieldwork.Visit{StartedAt: t0, EndedAt: t0.Add(-time.Second)}.CheckTimes()))
	assert.NoError(t, fieldwork.Range{}.Check(), "open on both sides")
	assert.NoError(t, fieldwork.Range{From: t0}.Check())
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(fieldwork.Range{From: t0, To: t0}.Check()))
}
