package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

func TestCustomerBranding(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()

	cr, err := owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{
		Name: "Acme GmbH",
		Branding: &client.CustomerBranding{
			DisplayName: ptr("Acme Portal"),
			LogoUrl:     ptr("https://cdn.acme.example/logo.svg"),
			AccentColor: ptr("#FF8800"),
			HostName:    ptr("Portal.Acme.Example"),
		},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, cr.StatusCode(), "body: %s", cr.Body)
	want := client.CustomerBranding{
		DisplayName: ptr("Acme Portal"),
		LogoUrl:     ptr("https://cdn.acme.example/logo.svg"),
		AccentColor: ptr("#ff8800"),
		HostName:    ptr("portal.acme.example"),
	}
	assert.Equal(t, want, cr.JSON201.Branding)
	acme := *cr.JSON201

	got, err := owner.GetCustomerWithResponse(ctx, acme.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	assert.Equal(t, want, got.JSON200.Branding)

	plain := createCustomer(t, owner, "Globex")
	assert.Equal(t, client.CustomerBranding{}, plain.Branding)
	res, body := e.do(t, http.MethodGet, "/v1/customers/"+plain.Id, e.owner, nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), `"branding":{}`, "no branding is an empty object")

	t.Run("host name taken is 409", func(t *testing.T) {
		res, err := owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{
			Name: "Initech", Branding: &client.CustomerBranding{HostName: ptr("portal.acme.example")},
		})
		require.NoError(t, err)
		p := problem(t, res.HTTPResponse, res.Body, http.StatusConflict, client.ProblemCodeAlreadyExists)
		assert.Contains(t, fields(p), "branding.host_name")

		up, err := owner.UpdateCustomerWithResponse(ctx, plain.Id, &client.UpdateCustomerParams{IfMatch: `"1"`},
			client.UpdateCustomerJSONRequestBody{Branding: &client.CustomerBranding{HostName: ptr("portal.acme.example.")}})
		require.NoError(t, err)
		p = problem(t, up.HTTPResponse, up.Body, http.StatusConflict, client.ProblemCodeAlreadyExists)
		assert.Contains(t, fields(p), "branding.host_name")
	})

	t.Run("bad fields are 400 with their names", func(t *testing.T) {
		res, err := owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{
			Name: "Initech",
			Branding: &client.CustomerBranding{
				DisplayName: ptr("Initech\nPortal"),
				LogoUrl:     ptr("http://cdn.initech.example/logo.png"),
				HostName:    ptr("https://portal.initech.example/"),
			},
		})
		require.NoError(t, err)
		p := problem(t, res.HTTPResponse, res.Body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Equal(t, []string{"branding.display_name", "branding.host_name", "branding.logo_url"}, sortedKeys(fields(p)))

		// The schema refuses what is plainly no colour, before the portal.
		res, err = owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{
			Name: "Initech", Branding: &client.CustomerBranding{AccentColor: ptr("orange")},
		})
		require.NoError(t, err)
		p = problem(t, res.HTTPResponse, res.Body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "branding.accent_color")

		r, b := e.do(t, http.MethodPost, "/v1/customers", e.owner,
			strings.NewReader(`{"name":"Initech","branding":{"colour":"#fff"}}`), nil)
		p = problem(t, r, b, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.NotEmpty(t, fields(p), "unknown branding fields are refused")

		l, err := owner.ListCustomersWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Len(t, l.JSON200.Items, 2, "nothing was written")
	})

	t.Run("update replaces the branding as a whole", func(t *testing.T) {
		up, err := owner.UpdateCustomerWithResponse(ctx, acme.Id, &client.UpdateCustomerParams{IfMatch: `"1"`},
			client.UpdateCustomerJSONRequestBody{Branding: &client.CustomerBranding{AccentColor: ptr("#123")}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, up.StatusCode(), "body: %s", up.Body)
		assert.Equal(t, client.CustomerBranding{AccentColor: ptr("#123")}, up.JSON200.Branding)

		// Leaving it out keeps it.
		up, err = owner.UpdateCustomerWithResponse(ctx, acme.Id, &client.UpdateCustomerParams{IfMatch: `"2"`},
			client.UpdateCustomerJSONRequestBody{Phone: ptr("+49 40 1")})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, up.StatusCode(), "body: %s", up.Body)
		assert.Equal(t, client.CustomerBranding{AccentColor: ptr("#123")}, up.JSON200.Branding)

		// The freed host name can be taken.
		up, err = owner.UpdateCustomerWithResponse(ctx, plain.Id, &client.UpdateCustomerParams{IfMatch: `"1"`},
			client.UpdateCustomerJSONRequestBody{Branding: &client.CustomerBranding{HostName: ptr("portal.acme.example")}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, up.StatusCode(), "body: %s", up.Body)
	})
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
