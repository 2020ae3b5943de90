package scimapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// Prefix is where NewHandler serves: each customer's SCIM base URL is
// Prefix + its ID, such as /scim/v2/customers/cus_…/Users.
const Prefix = "/scim/v2/customers/"

// maxBody bounds a request's body.
const maxBody = 1 << 20

// NewHandler returns the SCIM server of every customer over p. Mount it at
// Prefix (or at "/", as it matches the whole path). Each request needs a
// bearer SCIM token of the customer in its path; any other is 401, and a
// token of customer A on customer B's path is 401 as well.
func NewHandler(p *portal.Portal) http.Handler {
	users := scim.ResourceType{
		ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
		Description: optional.NewString("The customer's employees"),
		Schema:      schema.CoreUserSchema(),
		SchemaExtensions: []scim.SchemaExtension{
			{Schema: schema.ExtensionEnterpriseUser()},
		},
		Handler: userHandler{p: p},
	}
	srv, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			DocumentationURI: optional.NewString("https://github.com/portalkit/portalkit"),
			AuthenticationSchemes: []scim.AuthenticationScheme{{
				Type: scim.AuthenticationTypeOauthBearerToken, Name: "SCIM token",
				Description: "A bearer token the customer's admin makes in the portal", Primary: true,
			}},
			MaxResults:       100,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: []scim.ResourceType{users, {
			ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
			Description: optional.NewString("The customer's departments, read-only"),
			Schema:      schema.CoreGroupSchema(),
			Handler:     groupHandler{p: p},
		}},
	})
	if err != nil {
		panic("scimapi: " + err.Error()) // the arguments above are fixed
	}
	mux := http.NewServeMux()
	mux.HandleFunc(Prefix+"{customerId}/", func(w http.ResponseWriter, r *http.Request) {
		cid := customer.ID(r.PathValue("customerId"))
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, http.StatusUnauthorized, "a bearer SCIM token is required")
			return
		}
		who, err := p.AuthenticateSCIM(r.Context(), cid, strings.TrimSpace(token))
		if err != nil {
			writeError(w, statusOf(err), messageOf(err))
			return
		}
		if r.ContentLength > maxBody {
			writeError(w, http.StatusRequestEntityTooLarge, "the request body is larger than 1 MiB")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if r.Method == http.MethodPatch {
			if err := normalizePatch(r); err != nil {
				writeError(w, http.StatusBadRequest, "the body is not a SCIM PATCH request")
				return
			}
		}
		r = r.WithContext(identity.NewContext(r.Context(), who))
		http.StripPrefix(strings.TrimSuffix(Prefix+string(cid), "/"), srv).ServeHTTP(w, r)
	})
	return mux
}

// normalizePatch makes the PATCH body of r one the SCIM library takes:
// Microsoft Entra ID sends booleans as strings ("active": "False"), which
// RFC 7643 does not allow; they become JSON booleans here.
func normalizePatch(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		r.Body = io.NopCloser(bytes.NewReader(body)) // the library answers invalidSyntax
		return nil
	}
	ops, _ := req["Operations"].([]any)
	for _, o := range ops {
		op, ok := o.(map[string]any)
		if !ok {
			continue
		}
		if path, _ := op["path"].(string); strings.EqualFold(path, "active") {
			op["value"] = boolish(op["value"])
		}
		if v, ok := op["value"].(map[string]any); ok {
			for k, x := range v {
				if strings.EqualFold(k, "active") {
					v[k] = boolish(x)
				}
			}
		}
	}
	out, err := json.Marshal(req)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(out))
	r.ContentLength = int64(len(out))
	return nil
}

// boolish turns "true" and "false", in any case, into booleans.
func boolish(v any) any {
	if s, ok := v.(string); ok {
		switch strings.ToLower(s) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return v
}

// writeError answers a SCIM error (RFC 7644, 3.12).
func writeError(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  strconv.Itoa(status),
		"detail":  detail,
	})
}

func statusOf(err error) int {
	return portalerr.HTTPStatus(portalerr.CodeOf(err))
}

// messageOf is what a client is told of err: internal errors say no more.
func messageOf(err error) string {
	var pe *portalerr.Error
	if portalerr.CodeOf(err) == portalerr.Internal || !errors.As(err, &pe) || pe.Message == "" {
		return "internal error"
	}
	return pe.Message
}

// scimError turns a use case's error into the SCIM library's.
func scimError(err error, id string) error {
	switch portalerr.CodeOf(err) {
	case portalerr.NotFound:
		return scimerrors.ScimErrorResourceNotFound(id)
	case portalerr.AlreadyExists:
		return scimerrors.ScimErrorUniqueness
	case portalerr.Invalid:
		return scimerrors.ScimErrorBadRequest(messageOf(err))
	case portalerr.Internal:
		return scimerrors.ScimErrorInternal
	}
	return scimerrors.ScimError{Status: statusOf(err), Detail: messageOf(err)}
}
