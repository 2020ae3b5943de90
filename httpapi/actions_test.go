package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// TestActionEnumIsThePolicy holds the Action enum of openapi.yaml, which
// GET /v1/me's permissions use, to the actions the policy has rules for:
// an action added to one and not the other fails here.
func TestActionEnumIsThePolicy(t *testing.T) {
	spec, err := oapi.GetSpec()
	require.NoError(t, err)
	schema, ok := spec.Components.Schemas["Action"]
	require.True(t, ok, "openapi.yaml has no Action schema")
	var inSpec []string
	for _, v := range schema.Value.Enum {
		inSpec = append(inSpec, v.(string))
	}
	var inPolicy []string
	for _, a := range portal.Actions() {
		inPolicy = append(inPolicy, string(a))
	}
	assert.ElementsMatch(t, inPolicy, inSpec)
}
