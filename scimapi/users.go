package scimapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	filter "github.com/scim2/filter-parser/v2"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
)

// enterpriseURN is the enterprise extension of the User schema.
const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// userHandler serves /Users: a customer's employees.
type userHandler struct{ p *portal.Portal }

var _ scim.ResourceHandler = userHandler{}

// cid is the customer of the request: the one its SCIM token belongs to.
func cid(r *http.Request) customer.ID {
	who, _ := identity.FromContext(r.Context())
	return who.CustomerID
}

// Create adds an employee (POST /Users).
func (h userHandler) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	e, err := h.p.SCIMCreateEmployee(r.Context(), cid(r), recordOf(attrs))
	if err != nil {
		return scim.Resource{}, scimError(err, "")
	}
	return resourceOf(e), nil
}

// Get returns an employee, also one who has left (active false).
func (h userHandler) Get(r *http.Request, id string) (scim.Resource, error) {
	v, err := h.p.GetEmployee(r.Context(), cid(r), org.EmployeeID(id))
	if err != nil {
		return scim.Resource{}, scimError(err, id)
	}
	return resourceOf(v.Employee), nil
}

// GetAll lists the employees who have not left, filtered. userName,
// externalId and emails.value eq filters (what Entra ID and Okta send
// before creating a user) are answered from the database; others are
// applied to every employee.
func (h userHandler) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	q := portal.ListEmployeesParams{Limit: 100}
	var rest *scimValidator
	if params.FilterValidator != nil {
		if f, v, ok := exactFilter(params.FilterValidator.GetFilter()); ok {
			switch f {
			case "username":
				q.Username = strings.ToLower(v)
			case "externalid":
				q.ExternalID = v
			case "emails.value":
				q.Email = strings.ToLower(v)
			}
		} else {
			rest = &scimValidator{params.FilterValidator.PassesFilter}
		}
	}
	var all []scim.Resource
	for {
		l, err := h.p.ListEmployees(r.Context(), cid(r), q)
		if err != nil {
			return scim.Page{}, scimError(err, "")
		}
		for _, e := range l.Items {
			res := resourceOf(e)
			if rest != nil && rest.passes(res) != nil {
				continue
			}
			all = append(all, res)
		}
		if l.NextCursor == "" {
			break
		}
		q.Cursor = l.NextCursor
	}
	page := scim.Page{TotalResults: len(all), Resources: []scim.Resource{}}
	start := max(params.StartIndex, 1) - 1
	if start < len(all) && params.Count > 0 {
		page.Resources = all[start:min(len(all), start+params.Count)]
	}
	return page, nil
}

// scimValidator applies a filter the database does not answer.
type scimValidator struct {
	passesFilter func(map[string]any) error
}

func (v scimValidator) passes(res scim.Resource) error {
	attrs := map[string]any{"id": res.ID}
	for k, x := range res.Attributes {
		attrs[k] = x
	}
	if res.ExternalID.Present() {
		attrs["externalId"] = res.ExternalID.Value()
	}
	return v.passesFilter(attrs)
}

// exactFilter recognises `attr eq "value"` on userName, externalId and
// emails.value, returning the attribute in lower case.
func exactFilter(e filter.Expression) (attr, value string, ok bool) {
	ae, isAttr := e.(*filter.AttributeExpression)
	if !isAttr || ae.Operator != filter.EQ || ae.AttributePath.URIPrefix != nil {
		return "", "", false
	}
	s, isString := ae.CompareValue.(string)
	if !isString {
		return "", "", false
	}
	attr = strings.ToLower(ae.AttributePath.String())
	switch attr {
	case "username", "externalid", "emails.value":
		return attr, s, true
	}
	return "", "", false
}

// Replace writes every synced field of an employee (PUT /Users/{id}, as
// Okta updates).
func (h userHandler) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	e, err := h.p.SCIMReplaceEmployee(r.Context(), cid(r), org.EmployeeID(id), recordOf(attrs))
	if err != nil {
		return scim.Resource{}, scimError(err, id)
	}
	return resourceOf(e), nil
}

// Delete lets an employee leave (DELETE /Users/{id}).
func (h userHandler) Delete(r *http.Request, id string) error {
	if err := h.p.SCIMDeleteEmployee(r.Context(), cid(r), org.EmployeeID(id)); err != nil {
		return scimError(err, id)
	}
	return nil
}

// Patch applies operations to the employee as read and writes the result
// (PATCH /Users/{id}, as Entra ID updates and both deactivate).
func (h userHandler) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	v, err := h.p.GetEmployee(r.Context(), cid(r), org.EmployeeID(id))
	if err != nil {
		return scim.Resource{}, scimError(err, id)
	}
	rec := recordOfEmployee(v.Employee)
	given, family, _ := strings.Cut(rec.Name, " ")
	named := false
	for _, op := range ops {
		if op.Path == nil {
			values, ok := op.Value.(map[string]any)
			if !ok {
				return scim.Resource{}, scimerrors.ScimErrorInvalidValue
			}
			for k, x := range values {
				if err := setAttr(&rec, &given, &family, &named, strings.ToLower(k), x); err != nil {
					return scim.Resource{}, err
				}
			}
			continue
		}
		key := strings.ToLower(op.Path.AttributePath.String())
		if op.Path.SubAttribute != nil {
			key += "." + strings.ToLower(*op.Path.SubAttribute) // emails[type eq "work"].value
		}
		val := op.Value
		if op.Op == scim.PatchOperationRemove {
			val = ""
		}
		if err := setAttr(&rec, &given, &family, &named, key, val); err != nil {
			return scim.Resource{}, err
		}
	}
	if named {
		rec.Name = strings.TrimSpace(given + " " + family)
	}
	e, err := h.p.SCIMReplaceEmployee(r.Context(), cid(r), org.EmployeeID(id), rec)
	if err != nil {
		return scim.Resource{}, scimError(err, id)
	}
	return resourceOf(e), nil
}

// setAttr sets one attribute of a PATCH, named in lower case as a path
// names it ("name.givenname", "emails.value", the enterprise extension's
// with its URN).
func setAttr(rec *hrsync.Record, given, family *string, named *bool, key string, v any) error {
	str := func() string {
		switch x := v.(type) {
		case string:
			return x
		case map[string]any: // manager: {"value": "…"}
			s, _ := x["value"].(string)
			return s
		case []any: // emails: [{"value": "…"}]
			if len(x) > 0 {
				if m, ok := x[0].(map[string]any); ok {
					s, _ := m["value"].(string)
					return s
				}
			}
		}
		return ""
	}
	ent := strings.ToLower(enterpriseURN) + ":"
	switch key {
	case "active":
		b, ok := v.(bool)
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		rec.Inactive = !b
	case "username":
		rec.Username = str()
	case "externalid":
		rec.ExternalID = str()
	case "displayname", "name.formatted":
		rec.Name, *named = str(), false
	case "name.givenname":
		*given, *named = str(), true
	case "name.familyname":
		*family, *named = str(), true
	case "name":
		if m, ok := v.(map[string]any); ok {
			if s, ok := m["formatted"].(string); ok {
				rec.Name = s
			}
			if s, ok := m["givenName"].(string); ok {
				*given, *named = s, true
			}
			if s, ok := m["familyName"].(string); ok {
				*family, *named = s, true
			}
		}
	case "emails", "emails.value":
		rec.Email = str()
	case ent + "employeenumber":
		rec.EmployeeNumber = str()
	case ent + "department":
		rec.Department = str()
	case ent + "costcenter":
		rec.CostCentre = str()
	case ent + "manager", ent + "manager.value":
		rec.ManagerExternalID = str()
	case strings.TrimSuffix(ent, ":"):
		m, _ := v.(map[string]any)
		for k, x := range m {
			if err := setAttr(rec, given, family, named, ent+strings.ToLower(k), x); err != nil {
				return err
			}
		}
	default:
		// Attributes the org model does not keep (title, locale, phone
		// numbers, …) are accepted and not stored, as RFC 7644 allows a
		// service provider to.
	}
	return nil
}

// recordOf reads the attributes a client sent for a user.
func recordOf(a scim.ResourceAttributes) hrsync.Record {
	var rec hrsync.Record
	get := func(m map[string]any, k string) string {
		for key, v := range m {
			if strings.EqualFold(key, k) {
				s, _ := v.(string)
				return s
			}
		}
		return ""
	}
	rec.Username = get(a, "userName")
	rec.ExternalID = get(a, "externalId")
	rec.Name = get(a, "displayName")
	if n, ok := a["name"].(map[string]any); ok {
		if f := get(n, "formatted"); f != "" {
			rec.Name = f
		} else if g, f := get(n, "givenName"), get(n, "familyName"); rec.Name == "" && g+f != "" {
			rec.Name = strings.TrimSpace(g + " " + f)
		}
	}
	if emails, ok := a["emails"].([]any); ok {
		for i, e := range emails {
			m, _ := e.(map[string]any)
			if primary, _ := m["primary"].(bool); primary || i == 0 || rec.Email == "" {
				rec.Email = get(m, "value")
				if primary {
					break
				}
			}
		}
	}
	if addrs, ok := a["addresses"].([]any); ok && len(addrs) > 0 {
		m, _ := addrs[0].(map[string]any)
		rec.Location = get(m, "locality")
	}
	if active, ok := a["active"].(bool); ok {
		rec.Inactive = !active
	}
	if ext, ok := a[enterpriseURN].(map[string]any); ok {
		rec.EmployeeNumber = get(ext, "employeeNumber")
		rec.Department = get(ext, "department")
		rec.CostCentre = get(ext, "costCenter")
		if m, ok := ext["manager"].(map[string]any); ok {
			rec.ManagerExternalID = get(m, "value")
		}
	}
	return rec
}

// recordOfEmployee is the record an employee was written from.
func recordOfEmployee(e org.Employee) hrsync.Record {
	return hrsync.Record{
		ExternalID: e.ExternalID, EmployeeNumber: e.EmployeeNumber, Name: e.Name, Email: e.Email, Username: e.Username,
		Department: e.Department, CostCentre: e.CostCentre, Location: e.Location, ManagerExternalID: e.ManagerExternalID,
		Inactive: e.Status != org.StatusActive,
	}
}

// resourceOf is an employee as a SCIM user.
func resourceOf(e org.Employee) scim.Resource {
	attrs := scim.ResourceAttributes{
		"userName":    e.Username,
		"displayName": e.Name,
		"name":        map[string]any{"formatted": e.Name},
		"active":      e.Status == org.StatusActive,
	}
	if e.Username == "" {
		attrs["userName"] = e.ExternalID
	}
	if e.Email != "" {
		attrs["emails"] = []any{map[string]any{"value": e.Email, "type": "work", "primary": true}}
	}
	if e.Location != "" {
		attrs["addresses"] = []any{map[string]any{"locality": e.Location, "type": "work"}}
	}
	ext := map[string]any{}
	for k, v := range map[string]string{"employeeNumber": e.EmployeeNumber, "department": e.Department, "costCenter": e.CostCentre} {
		if v != "" {
			ext[k] = v
		}
	}
	if e.ManagerExternalID != "" {
		ext["manager"] = map[string]any{"value": e.ManagerExternalID}
	}
	if len(ext) > 0 {
		attrs[enterpriseURN] = ext
	}
	created, updated := e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return scim.Resource{
		ID: string(e.ID), ExternalID: optional.NewString(e.ExternalID), Attributes: attrs,
		Meta: scim.Meta{Created: ptrTime(created), LastModified: ptrTime(updated), Version: fmt.Sprintf(`W/"%d"`, e.Version)},
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
