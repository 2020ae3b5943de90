package httpapi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/webhook"
)

// TestActionEnumIsThePolicy holds the Action enum of openapi.yaml, which
// GET /v1/me's permissions use, to the actions the policy has rules for:
// an action added to one and not the other fails here.
func TestActionEnumIsThePolicy(t *testing.T) {
	t.Parallel()
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

// TestWebhookEventTypeEnumIsTheList holds the WebhookEventType enum of
// openapi.yaml to webhook.Types, the list endpoints subscribe to and are
// checked against, and checks that each type has its body documented:
// named by exactly one Webhook…Event schema, which the endpoint's callback
// offers.
func TestWebhookEventTypeEnumIsTheList(t *testing.T) {
	t.Parallel()
	spec, err := oapi.GetSpec()
	require.NoError(t, err)
	schema, ok := spec.Components.Schemas["WebhookEventType"]
	require.True(t, ok, "openapi.yaml has no WebhookEventType schema")
	var inSpec, inList []string
	for _, v := range schema.Value.Enum {
		inSpec = append(inSpec, v.(string))
	}
	for _, ty := range webhook.Types {
		inList = append(inList, string(ty))
	}
	assert.ElementsMatch(t, inList, inSpec)

	op := spec.Paths.Find("/v1/webhooks/endpoints").Post
	cb := (*op.Callbacks["event"].Value.Value("{$request.body#/url}")).Post
	bodies := cb.RequestBody.Value.Content.Get("application/json").Schema.Value.OneOf
	documented := map[string]string{}
	for _, b := range bodies {
		name := strings.TrimPrefix(b.Ref, "#/components/schemas/")
		require.Contains(t, b.Value.Required, "data", "%s has data", name)
		for _, v := range b.Value.Properties["type"].Value.Enum {
			ty := v.(string)
			assert.Empty(t, documented[ty], "%s is documented by %s and %s", ty, documented[ty], name)
			documented[ty] = name
		}
	}
	for _, ty := range inList {
		assert.NotEmpty(t, documented[ty], "no Webhook…Event schema of the callback documents %s", ty)
	}
	assert.Len(t, documented, len(inList), "the callback documents only known types")
}
