package scimapi

import (
	"net/http"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"

	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
)

// groupHandler serves /Groups: the customer's departments, read-only.
// A department is the enterprise extension's department attribute of its
// users; identity providers set it on the users, not by group membership.
type groupHandler struct{ p *portal.Portal }

var _ scim.ResourceHandler = groupHandler{}

// errGroupsReadOnly answers writes of groups.
var errGroupsReadOnly = scimerrors.ScimError{ScimType: scimerrors.ScimTypeMutability, Status: http.StatusBadRequest,
	Detail: "groups are the customer's departments, read-only: set a user's enterprise department attribute instead"}

func (h groupHandler) units(r *http.Request) ([]org.Unit, error) {
	units, err := h.p.ListOrgUnits(r.Context(), cid(r), org.KindDepartment)
	if err != nil {
		return nil, scimError(err, "")
	}
	return units, nil
}

// Get returns the department whose code is id.
func (h groupHandler) Get(r *http.Request, id string) (scim.Resource, error) {
	units, err := h.units(r)
	if err != nil {
		return scim.Resource{}, err
	}
	for _, u := range units {
		if u.Code == id {
			return groupOf(u), nil
		}
	}
	return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
}

// GetAll lists the departments, filtered.
func (h groupHandler) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	units, err := h.units(r)
	if err != nil {
		return scim.Page{}, err
	}
	var all []scim.Resource
	for _, u := range units {
		g := groupOf(u)
		if params.FilterValidator != nil {
			attrs := map[string]any{"id": g.ID, "displayName": g.Attributes["displayName"]}
			if params.FilterValidator.PassesFilter(attrs) != nil {
				continue
			}
		}
		all = append(all, g)
	}
	page := scim.Page{TotalResults: len(all), Resources: []scim.Resource{}}
	start := max(params.StartIndex, 1) - 1
	if start < len(all) && params.Count > 0 {
		page.Resources = all[start:min(len(all), start+params.Count)]
	}
	return page, nil
}

func groupOf(u org.Unit) scim.Resource {
	t := u.UpdatedAt.UTC()
	return scim.Resource{ID: u.Code, Attributes: scim.ResourceAttributes{"displayName": u.Name}, Meta: scim.Meta{LastModified: &t}}
}

// Create is refused: groups are read-only.
func (groupHandler) Create(*http.Request, scim.ResourceAttributes) (scim.Resource, error) {
	return scim.Resource{}, errGroupsReadOnly
}

// Replace is refused: groups are read-only.
func (groupHandler) Replace(*http.Request, string, scim.ResourceAttributes) (scim.Resource, error) {
	return scim.Resource{}, errGroupsReadOnly
}

// Delete is refused: groups are read-only.
func (groupHandler) Delete(*http.Request, string) error { return errGroupsReadOnly }

// Patch is refused: groups are read-only.
func (groupHandler) Patch(*http.Request, string, []scim.PatchOperation) (scim.Resource, error) {
	return scim.Resource{}, errGroupsReadOnly
}
