package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
)

// GetLicenses implements oapi.StrictServerInterface.
func (s *Server) GetLicenses(ctx context.Context, req oapi.GetLicensesRequestObject) (oapi.GetLicensesResponseObject, error) {
	l, err := s.p.GetLicenses(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.GetLicenses200JSONResponse(licensesOut(l)), nil
}

// UpdateLicenses implements oapi.StrictServerInterface.
func (s *Server) UpdateLicenses(ctx context.Context, req oapi.UpdateLicensesRequestObject) (oapi.UpdateLicensesResponseObject, error) {
	l, err := s.p.UpdateLicenses(ctx, customer.ID(req.CustomerId), portal.UpdateLicensesParams{HRSync: customer.Grant(req.Body.HrSync)})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateLicenses200JSONResponse(licensesOut(l)), nil
}

// GetSyncSettings implements oapi.StrictServerInterface.
func (s *Server) GetSyncSettings(ctx context.Context, req oapi.GetSyncSettingsRequestObject) (oapi.GetSyncSettingsResponseObject, error) {
	set, err := s.p.GetSyncSettings(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.GetSyncSettings200JSONResponse(syncSettingsOut(set)), nil
}

// UpdateSyncSettings implements oapi.StrictServerInterface.
func (s *Server) UpdateSyncSettings(ctx context.Context, req oapi.UpdateSyncSettingsRequestObject) (oapi.UpdateSyncSettingsResponseObject, error) {
	set, err := s.p.UpdateSyncSettings(ctx, customer.ID(req.CustomerId), portal.UpdateSyncSettingsParams{
		Filter:          hrsync.Filter{Locations: req.Body.Filter.Locations, Departments: req.Body.Filter.Departments},
		InviteEmployees: req.Body.InviteEmployees,
	})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateSyncSettings200JSONResponse(syncSettingsOut(set)), nil
}

func syncSettingsOut(set hrsync.Settings) oapi.SyncSettings {
	nonNil := func(v []string) []string {
		if v == nil {
			return []string{}
		}
		return v
	}
	return oapi.SyncSettings{CustomerId: string(set.CustomerID),
		Filter:          oapi.SyncFilter{Locations: nonNil(set.Filter.Locations), Departments: nonNil(set.Filter.Departments)},
		InviteEmployees: set.InviteEmployees, UpdatedBy: optString(set.UpdatedBy), UpdatedAt: optTime(set.UpdatedAt)}
}

func licensesOut(l portal.LicensesView) oapi.Licenses {
	return oapi.Licenses{CustomerId: string(l.CustomerID), HrSync: oapi.Grant(l.HRSync), HrSyncEffective: l.Effective.HRSync,
		HrSyncDefault: l.Default.HRSync, UpdatedBy: optString(l.UpdatedBy), UpdatedAt: optTime(l.UpdatedAt)}
}

// ListEmployees implements oapi.StrictServerInterface.
func (s *Server) ListEmployees(ctx context.Context, req oapi.ListEmployeesRequestObject) (oapi.ListEmployeesResponseObject, error) {
	params := portal.ListEmployeesParams{Status: org.Status(deref(req.Params.Status)), Query: deref(req.Params.Q)}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListEmployees(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListEmployees200JSONResponse{Items: make([]oapi.OrgEmployee, len(l.Items)), NextCursor: l.NextCursor}
	for i, e := range l.Items {
		out.Items[i] = employeeOut(e)
	}
	return out, nil
}

// GetEmployee implements oapi.StrictServerInterface.
func (s *Server) GetEmployee(ctx context.Context, req oapi.GetEmployeeRequestObject) (oapi.GetEmployeeResponseObject, error) {
	v, err := s.p.GetEmployee(ctx, customer.ID(req.CustomerId), org.EmployeeID(req.EmployeeId))
	if err != nil {
		return nil, err
	}
	return oapi.GetEmployee200JSONResponse{Employee: employeeOut(v.Employee), Items: stockItemsOut(v.Items)}, nil
}

func employeeOut(e org.Employee) oapi.OrgEmployee {
	return oapi.OrgEmployee{
		Id: string(e.ID), CustomerId: string(e.CustomerID), ExternalId: e.ExternalID, EmployeeNumber: e.EmployeeNumber,
		Name: e.Name, Email: e.Email, Username: e.Username, Department: e.Department, CostCentre: e.CostCentre,
		Location: e.Location, SiteId: optString(string(e.SiteID)), ManagerExternalId: e.ManagerExternalID,
		Status: oapi.EmployeeStatus(e.Status), Source: e.Source, Version: e.Version, CreatedAt: e.CreatedAt,
		UpdatedAt: e.UpdatedAt, LeftAt: optTime(e.LeftAt),
	}
}

// ListOrgUnits implements oapi.StrictServerInterface.
func (s *Server) ListOrgUnits(ctx context.Context, req oapi.ListOrgUnitsRequestObject) (oapi.ListOrgUnitsResponseObject, error) {
	units, err := s.p.ListOrgUnits(ctx, customer.ID(req.CustomerId), org.UnitKind(deref(req.Params.Kind)))
	if err != nil {
		return nil, err
	}
	out := oapi.ListOrgUnits200JSONResponse{Items: make([]oapi.OrgUnit, len(units))}
	for i, u := range units {
		out.Items[i] = oapi.OrgUnit{Kind: oapi.OrgUnitKind(u.Kind), Code: u.Code, Name: u.Name, ParentCode: u.ParentCode, UpdatedAt: u.UpdatedAt}
	}
	return out, nil
}

// ListOffboardingTasks implements oapi.StrictServerInterface.
func (s *Server) ListOffboardingTasks(ctx context.Context, req oapi.ListOffboardingTasksRequestObject) (oapi.ListOffboardingTasksResponseObject, error) {
	tasks, err := s.p.ListOffboardingTasks(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	out := oapi.ListOffboardingTasks200JSONResponse{Items: make([]oapi.OrgEmployeeWithItems, len(tasks))}
	for i, t := range tasks {
		out.Items[i] = oapi.OrgEmployeeWithItems{Employee: employeeOut(t.Employee), Items: stockItemsOut(t.Items)}
	}
	return out, nil
}

// ListSyncRuns implements oapi.StrictServerInterface.
func (s *Server) ListSyncRuns(ctx context.Context, req oapi.ListSyncRunsRequestObject) (oapi.ListSyncRunsResponseObject, error) {
	var params portal.ListSyncRunsParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListSyncRuns(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListSyncRuns200JSONResponse{Items: make([]oapi.SyncRun, len(l.Items)), NextCursor: l.NextCursor}
	for i, r := range l.Items {
		out.Items[i] = syncRunOut(r, false)
	}
	return out, nil
}

// StartSync implements oapi.StrictServerInterface. The middleware handles
// its Idempotency-Key header (serveIdempotent).
func (s *Server) StartSync(ctx context.Context, req oapi.StartSyncRequestObject) (oapi.StartSyncResponseObject, error) {
	params := portal.StartSyncParams{CSV: deref(req.Body.Csv), XLSX: deref(req.Body.Xlsx), DryRun: deref(req.Body.DryRun), Threshold: deref(req.Body.Threshold)}
	if m := req.Body.Mapping; m != nil {
		params.Mapping = hrsync.Mapping{}
		for k, v := range *m {
			params.Mapping[hrsync.Field(k)] = v
		}
	}
	r, err := s.p.StartSync(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.StartSync201JSONResponse(syncRunOut(r, true)), nil
}

// GetSyncRun implements oapi.StrictServerInterface.
func (s *Server) GetSyncRun(ctx context.Context, req oapi.GetSyncRunRequestObject) (oapi.GetSyncRunResponseObject, error) {
	r, err := s.p.GetSyncRun(ctx, customer.ID(req.CustomerId), hrsync.RunID(req.RunId))
	if err != nil {
		return nil, err
	}
	return oapi.GetSyncRun200JSONResponse(syncRunOut(r, true)), nil
}

// ApplySync implements oapi.StrictServerInterface.
func (s *Server) ApplySync(ctx context.Context, req oapi.ApplySyncRequestObject) (oapi.ApplySyncResponseObject, error) {
	r, err := s.p.ApplySync(ctx, customer.ID(req.CustomerId), hrsync.RunID(req.RunId), portal.ApplySyncParams{Confirm: deref(req.Body.Confirm)})
	if err != nil {
		return nil, err
	}
	return oapi.ApplySync200JSONResponse(syncRunOut(r, true)), nil
}

// DiscardSync implements oapi.StrictServerInterface.
func (s *Server) DiscardSync(ctx context.Context, req oapi.DiscardSyncRequestObject) (oapi.DiscardSyncResponseObject, error) {
	r, err := s.p.DiscardSync(ctx, customer.ID(req.CustomerId), hrsync.RunID(req.RunId))
	if err != nil {
		return nil, err
	}
	return oapi.DiscardSync200JSONResponse(syncRunOut(r, true)), nil
}

func syncRunOut(r hrsync.Run, changes bool) oapi.SyncRun {
	p := r.Plan
	out := oapi.SyncRun{
		Id: string(r.ID), CustomerId: string(r.CustomerID), Source: r.Source, Status: oapi.SyncRunStatus(r.Status),
		Counts: oapi.SyncCounts{Create: p.Counts.Create, Update: p.Counts.Update, Lock: p.Counts.Lock, Remove: p.Counts.Remove,
			Unchanged: p.Counts.Unchanged, Errors: p.Counts.Errors},
		Errors:  make([]oapi.SyncRowError, len(p.Errors)),
		Current: p.Current, Threshold: p.Threshold, NeedsConfirmation: p.NeedsConfirmation,
		StartedBy: r.StartedBy, ConfirmedBy: optString(r.ConfirmedBy), StartedAt: r.StartedAt, FinishedAt: optTime(r.FinishedAt),
		DurationMs: r.Duration.Milliseconds(), Version: r.Version,
	}
	for i, e := range p.Errors {
		out.Errors[i] = oapi.SyncRowError{Line: e.Line, ExternalId: optString(e.ExternalID), Message: e.Message}
	}
	if changes {
		cs := make([]oapi.SyncChange, len(p.Changes))
		for i, c := range p.Changes {
			cs[i] = oapi.SyncChange{Action: oapi.SyncChangeAction(c.Action), EmployeeId: optString(string(c.EmployeeID)),
				ExternalId: c.ExternalID, Name: c.Name, MatchedBy: optString(c.MatchedBy)}
			if c.Line > 0 {
				cs[i].Line = ptr(c.Line)
			}
			if c.Held > 0 {
				cs[i].Held = ptr(c.Held)
			}
			if len(c.Fields) > 0 {
				fs := make([]oapi.SyncFieldChange, len(c.Fields))
				for j, f := range c.Fields {
					fs[j] = oapi.SyncFieldChange{Field: f.Field, From: f.From, To: f.To}
				}
				cs[i].Fields = &fs
			}
		}
		out.Changes = &cs
	}
	return out
}

// ListSCIMTokens implements oapi.StrictServerInterface.
func (s *Server) ListSCIMTokens(ctx context.Context, req oapi.ListSCIMTokensRequestObject) (oapi.ListSCIMTokensResponseObject, error) {
	toks, err := s.p.ListSCIMTokens(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	out := oapi.ListSCIMTokens200JSONResponse{Items: make([]oapi.SCIMToken, len(toks))}
	for i, t := range toks {
		out.Items[i] = scimTokenOut(t)
	}
	return out, nil
}

// CreateSCIMToken implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent).
func (s *Server) CreateSCIMToken(ctx context.Context, req oapi.CreateSCIMTokenRequestObject) (oapi.CreateSCIMTokenResponseObject, error) {
	t, err := s.p.CreateSCIMToken(ctx, customer.ID(req.CustomerId), portal.CreateSCIMTokenParams{Name: req.Body.Name})
	if err != nil {
		return nil, err
	}
	return oapi.CreateSCIMToken201JSONResponse{Token: scimTokenOut(t.Token), Secret: t.Secret,
		ScimBasePath: "/scim/v2/customers/" + string(t.Token.CustomerID)}, nil
}

// RevokeSCIMToken implements oapi.StrictServerInterface.
func (s *Server) RevokeSCIMToken(ctx context.Context, req oapi.RevokeSCIMTokenRequestObject) (oapi.RevokeSCIMTokenResponseObject, error) {
	t, err := s.p.RevokeSCIMToken(ctx, customer.ID(req.CustomerId), hrsync.TokenID(req.TokenId))
	if err != nil {
		return nil, err
	}
	return oapi.RevokeSCIMToken200JSONResponse(scimTokenOut(t)), nil
}

func scimTokenOut(t hrsync.Token) oapi.SCIMToken {
	return oapi.SCIMToken{Id: string(t.ID), CustomerId: string(t.CustomerID), Name: t.Name, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt, LastUsedAt: optTime(t.LastUsedAt), RevokedAt: optTime(t.RevokedAt)}
}

// SyncNow implements oapi.StrictServerInterface. The middleware handles
// its Idempotency-Key header (serveIdempotent).
func (s *Server) SyncNow(ctx context.Context, req oapi.SyncNowRequestObject) (oapi.SyncNowResponseObject, error) {
	cid := customer.ID(req.CustomerId)
	r, err := s.p.SyncFrom(ctx, cid, s.p.HRSource(cid))
	if err != nil {
		return nil, err
	}
	return oapi.SyncNow201JSONResponse(syncRunOut(r, true)), nil
}
