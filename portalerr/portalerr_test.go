package portalerr_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/portalerr"
)

func TestSentinelsMatchByCode(t *testing.T) {
	err := fmt.Errorf("sqlite: get customer: %w", portalerr.New(portalerr.NotFound, "customer %s not found", "cus_1"))
	assert.ErrorIs(t, err, portalerr.ErrNotFound)
	assert.NotErrorIs(t, err, portalerr.ErrConflict)
	assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err))
	assert.Equal(t, "customer cus_1 not found", portalerr.MessageOf(err))
}

func TestCodeOf(t *testing.T) {
	assert.Equal(t, portalerr.Code(""), portalerr.CodeOf(nil))
	assert.Equal(t, portalerr.Internal, portalerr.CodeOf(errors.New("boom")))
	assert.Equal(t, portalerr.Internal, portalerr.CodeOf(context.Canceled))
	assert.Equal(t, portalerr.Conflict, portalerr.CodeOf(fmt.Errorf("x: %w", portalerr.ErrConflict)))
}

func TestMessageOfHidesInternals(t *testing.T) {
	assert.Equal(t, "internal error", portalerr.MessageOf(errors.New("dial tcp 10.0.0.1: refused")))
	assert.Equal(t, "internal error", portalerr.MessageOf(&portalerr.Error{Code: portalerr.Internal, Message: "secret detail"}))
	assert.Equal(t, "not found", portalerr.MessageOf(portalerr.ErrNotFound), "a bare sentinel reads as its code")
}

func TestInvalidFields(t *testing.T) {
	assert.NoError(t, portalerr.InvalidFields())
	err := portalerr.InvalidFields(
		portalerr.FieldViolation{Field: "name", Message: "is required"},
		portalerr.FieldViolation{Field: "address.country", Message: "must be an ISO 3166-1 alpha-2 country code"},
	)
	assert.ErrorIs(t, err, portalerr.ErrInvalid)
	assert.Len(t, portalerr.FieldsOf(err), 2)
	assert.Equal(t, "name: is required; address.country: must be an ISO 3166-1 alpha-2 country code", err.Error())
}

func TestErrorKeepsCauseForLogsOnly(t *testing.T) {
	cause := errors.New("UNIQUE constraint failed")
	err := &portalerr.Error{Code: portalerr.AlreadyExists, Message: "external reference is taken", Err: cause}
	assert.ErrorIs(t, err, cause)
	assert.Contains(t, err.Error(), "UNIQUE constraint failed", "Error() is for logs")
	assert.Equal(t, "external reference is taken", portalerr.MessageOf(err), "MessageOf is for callers")
}
