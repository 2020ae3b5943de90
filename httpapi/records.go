package httpapi

import (
	"context"
	"maps"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
)

// ListRecordTypes implements oapi.StrictServerInterface.
func (s *Server) ListRecordTypes(ctx context.Context, _ oapi.ListRecordTypesRequestObject) (oapi.ListRecordTypesResponseObject, error) {
	types, err := s.p.RecordTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := oapi.ListRecordTypes200JSONResponse{Items: make([]oapi.RecordType, 0, len(types))}
	for _, t := range types {
		out.Items = append(out.Items, recordTypeOut(t))
	}
	return out, nil
}

// GetRecordType implements oapi.StrictServerInterface.
func (s *Server) GetRecordType(ctx context.Context, req oapi.GetRecordTypeRequestObject) (oapi.GetRecordTypeResponseObject, error) {
	t, err := s.p.RecordType(ctx, req.TypeName, deref(req.Params.Version))
	if err != nil {
		return nil, err
	}
	return oapi.GetRecordType200JSONResponse(recordTypeOut(t)), nil
}

// DefineRecordType implements oapi.StrictServerInterface.
func (s *Server) DefineRecordType(ctx context.Context, req oapi.DefineRecordTypeRequestObject) (oapi.DefineRecordTypeResponseObject, error) {
	b := req.Body
	t := record.Type{Name: b.Name, Label: deref(b.Label), Fields: make([]record.Field, 0, len(b.Fields))}
	for _, f := range b.Fields {
		t.Fields = append(t.Fields, recordFieldIn(f))
	}
	for _, a := range deref(b.Actions) {
		t.Actions = append(t.Actions, record.Action{Name: a.Name, Label: deref(a.Label), TicketType: deref(a.TicketType), Webhook: deref(a.Webhook), Role: customer.Role(deref(a.Role))})
	}
	out, err := s.p.DefineRecordType(ctx, t)
	if err != nil {
		return nil, err
	}
	return oapi.DefineRecordType201JSONResponse(recordTypeOut(out)), nil
}

// ListRecords implements oapi.StrictServerInterface.
func (s *Server) ListRecords(ctx context.Context, req oapi.ListRecordsRequestObject) (oapi.ListRecordsResponseObject, error) {
	q := req.Params
	params := portal.ListRecordsParams{Type: deref(q.Type), Field: deref(q.Field), Value: deref(q.Value), Q: deref(q.Q)}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	l, err := s.p.ListRecords(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ListRecords200JSONResponse(recordListOut(l.Items, l.NextCursor)), nil
}

// ListAllRecords implements oapi.StrictServerInterface.
func (s *Server) ListAllRecords(ctx context.Context, req oapi.ListAllRecordsRequestObject) (oapi.ListAllRecordsResponseObject, error) {
	q := req.Params
	params := portal.AllRecordsParams{CustomerID: customer.ID(deref(q.CustomerId)), Unassigned: deref(q.Unassigned),
		ListRecordsParams: portal.ListRecordsParams{Type: deref(q.Type), Field: deref(q.Field), Value: deref(q.Value), Q: deref(q.Q)}}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	l, err := s.p.AllRecords(ctx, params)
	if err != nil {
		return nil, err
	}
	return oapi.ListAllRecords200JSONResponse(recordListOut(l.Items, l.NextCursor)), nil
}

// CreateRecord implements oapi.StrictServerInterface.
func (s *Server) CreateRecord(ctx context.Context, req oapi.CreateRecordRequestObject) (oapi.CreateRecordResponseObject, error) {
	b := req.Body
	r, err := s.p.CreateRecord(ctx, customer.ID(req.CustomerId), portal.RecordParams{
		Type: b.Type, ExternalRef: deref(b.ExternalRef), SiteID: customer.SiteID(deref(b.SiteId)), Values: maps.Clone(b.Values),
	})
	if err != nil {
		return nil, err
	}
	return oapi.CreateRecord201JSONResponse{Body: recordOut(r), Headers: oapi.CreateRecord201ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// GetRecord implements oapi.StrictServerInterface.
func (s *Server) GetRecord(ctx context.Context, req oapi.GetRecordRequestObject) (oapi.GetRecordResponseObject, error) {
	r, err := s.p.GetRecord(ctx, customer.ID(req.CustomerId), record.ID(req.RecordId))
	if err != nil {
		return nil, err
	}
	return oapi.GetRecord200JSONResponse{Body: recordOut(r), Headers: oapi.GetRecord200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// UpdateRecord implements oapi.StrictServerInterface. An edit that needs
// approval answers 202 with the change request.
func (s *Server) UpdateRecord(ctx context.Context, req oapi.UpdateRecordRequestObject) (oapi.UpdateRecordResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	params := portal.UpdateRecordParams{Version: want}
	if v := req.Body.Values; v != nil {
		params.Values = maps.Clone(map[string]string(*v))
	}
	if site := req.Body.SiteId; site != nil {
		params.SiteID = ptr(customer.SiteID(*site))
	}
	e, err := s.p.UpdateRecord(ctx, customer.ID(req.CustomerId), record.ID(req.RecordId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	if e.Request != nil {
		return oapi.UpdateRecord202JSONResponse(recordChangeOut(*e.Request)), nil
	}
	return oapi.UpdateRecord200JSONResponse{Body: recordOut(e.Record), Headers: oapi.UpdateRecord200ResponseHeaders{ETag: etag(e.Record.Version)}}, nil
}

// ClaimRecord implements oapi.StrictServerInterface.
func (s *Server) ClaimRecord(ctx context.Context, req oapi.ClaimRecordRequestObject) (oapi.ClaimRecordResponseObject, error) {
	r, err := s.p.ClaimRecord(ctx, customer.ID(req.CustomerId), portal.ClaimRecordParams{
		Type: req.Body.Type, Identifiers: maps.Clone(req.Body.Identifiers),
	})
	if err != nil {
		return nil, err
	}
	return oapi.ClaimRecord200JSONResponse{Body: recordOut(r), Headers: oapi.ClaimRecord200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// UpsertRecords implements oapi.StrictServerInterface.
func (s *Server) UpsertRecords(ctx context.Context, req oapi.UpsertRecordsRequestObject) (oapi.UpsertRecordsResponseObject, error) {
	items := make([]portal.UpsertRecordParams, 0, len(req.Body.Records))
	for _, r := range req.Body.Records {
		items = append(items, portal.UpsertRecordParams{
			CustomerID: customer.ID(deref(r.CustomerId)), Type: r.Type, ExternalRef: r.ExternalRef,
			SiteID: customer.SiteID(deref(r.SiteId)), Values: maps.Clone(r.Values),
		})
	}
	res, err := s.p.UpsertRecords(ctx, items)
	if err != nil {
		return nil, err
	}
	var out oapi.UpsertRecords200JSONResponse
	out.Results = make([]struct {
		Outcome  oapi.UpsertRecordsResultResultsOutcome `json:"outcome"`
		RecordId oapi.RecordId                          `json:"record_id"`
	}, len(res))
	for i, r := range res {
		out.Results[i].Outcome, out.Results[i].RecordId = oapi.UpsertRecordsResultResultsOutcome(r.Outcome), string(r.RecordID)
	}
	return out, nil
}

// ListRecordChanges implements oapi.StrictServerInterface.
func (s *Server) ListRecordChanges(ctx context.Context, req oapi.ListRecordChangesRequestObject) (oapi.ListRecordChangesResponseObject, error) {
	q := req.Params
	params := portal.ListRecordChangesParams{Status: record.ChangeStatus(deref(q.Status)),
		CustomerID: customer.ID(deref(q.CustomerId)), RecordID: record.ID(deref(q.RecordId))}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	l, err := s.p.RecordChanges(ctx, params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListRecordChanges200JSONResponse{Items: make([]oapi.RecordChangeRequest, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, c := range l.Items {
		out.Items = append(out.Items, recordChangeOut(c))
	}
	return out, nil
}

// ApproveRecordChange implements oapi.StrictServerInterface.
func (s *Server) ApproveRecordChange(ctx context.Context, req oapi.ApproveRecordChangeRequestObject) (oapi.ApproveRecordChangeResponseObject, error) {
	c, err := s.p.DecideRecordChange(ctx, record.ChangeID(req.ChangeId), portal.DecideRecordChangeParams{Approve: true, Note: deref(req.Body.Note)})
	if err != nil {
		return nil, err
	}
	return oapi.ApproveRecordChange200JSONResponse(recordChangeOut(c)), nil
}

// RejectRecordChange implements oapi.StrictServerInterface.
func (s *Server) RejectRecordChange(ctx context.Context, req oapi.RejectRecordChangeRequestObject) (oapi.RejectRecordChangeResponseObject, error) {
	c, err := s.p.DecideRecordChange(ctx, record.ChangeID(req.ChangeId), portal.DecideRecordChangeParams{Note: deref(req.Body.Note)})
	if err != nil {
		return nil, err
	}
	return oapi.RejectRecordChange200JSONResponse(recordChangeOut(c)), nil
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func optTrue(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

func recordFieldIn(f oapi.RecordField) record.Field {
	out := record.Field{
		Name: f.Name, Label: deref(f.Label), Kind: record.FieldKind(f.Kind), Required: deref(f.Required),
		Options: deref(f.Options), Currency: deref(f.Currency), Identifier: deref(f.Identifier), Customer: deref(f.Customer),
	}
	if e := f.Edit; e != nil {
		out.Edit = record.EditRule{
			Role: customer.Role(deref(e.Role)), MaxChanges: deref(e.MaxChanges), PeriodDays: deref(e.PeriodDays),
			MaxChangePercent: deref(e.MaxChangePercent), FreezeDays: deref(e.FreezeDays), FreezeField: deref(e.FreezeField),
			Approval: deref(e.Approval),
		}
	}
	return out
}

func recordTypeOut(t record.Type) oapi.RecordType {
	out := oapi.RecordType{Name: t.Name, Label: t.Label, Version: t.Version, Builtin: t.Builtin,
		Fields: make([]oapi.RecordField, 0, len(t.Fields)), Actions: make([]oapi.RecordAction, 0, len(t.Actions))}
	for _, f := range t.Fields {
		of := oapi.RecordField{Name: f.Name, Label: optString(f.Label), Kind: oapi.RecordFieldKind(f.Kind), Required: optTrue(f.Required),
			Currency: optString(f.Currency), Identifier: optTrue(f.Identifier), Customer: optTrue(f.Customer)}
		if len(f.Options) > 0 {
			of.Options = ptr(f.Options)
		}
		if e := f.Edit; e != (record.EditRule{}) {
			of.Edit = &oapi.RecordEditRule{MaxChanges: optInt(e.MaxChanges), PeriodDays: optInt(e.PeriodDays),
				FreezeDays: optInt(e.FreezeDays), FreezeField: optString(e.FreezeField), Approval: optTrue(e.Approval)}
			if e.Role != "" {
				of.Edit.Role = ptr(oapi.Role(e.Role))
			}
			if e.MaxChangePercent > 0 {
				of.Edit.MaxChangePercent = ptr(e.MaxChangePercent)
			}
		}
		out.Fields = append(out.Fields, of)
	}
	for _, a := range t.Actions {
		oa := oapi.RecordAction{Name: a.Name, Label: optString(a.Label), TicketType: optString(a.TicketType)}
		if a.Webhook {
			oa.Webhook = ptr(true)
		}
		if a.Role != "" {
			oa.Role = ptr(oapi.Role(a.Role))
		}
		out.Actions = append(out.Actions, oa)
	}
	return out
}

func values(m map[string]string) oapi.RecordValues {
	if m == nil {
		return oapi.RecordValues{}
	}
	return oapi.RecordValues(maps.Clone(m))
}

func recordListOut(rs []record.Record, next string) oapi.RecordList {
	out := oapi.RecordList{Items: make([]oapi.Record, 0, len(rs)), NextCursor: next}
	for _, r := range rs {
		out.Items = append(out.Items, recordOut(r))
	}
	return out
}

func recordOut(r record.Record) oapi.Record {
	out := oapi.Record{
		Id: string(r.ID), CustomerId: optString(string(r.CustomerID)), SiteId: optString(string(r.SiteID)),
		Type: r.Type, TypeVersion: r.TypeVersion, ExternalRef: optString(r.ExternalRef), Values: values(r.Values),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.History != nil {
		h := make([]oapi.RecordEvent, 0, len(r.History))
		for _, ev := range r.History {
			h = append(h, oapi.RecordEvent{Kind: oapi.RecordEventKind(ev.Kind), At: ev.At, By: ev.By, ByCustomer: ev.ByCustomer,
				Before: values(ev.Before), After: values(ev.After), Note: ev.Note})
		}
		out.History = &h
	}
	return out
}

func recordChangeOut(c record.ChangeRequest) oapi.RecordChangeRequest {
	return oapi.RecordChangeRequest{
		Id: string(c.ID), RecordId: string(c.RecordID), CustomerId: string(c.CustomerID),
		Changes: values(c.Changes), Before: values(c.Before), After: values(c.After), BaseVersion: c.BaseVersion,
		Status: oapi.RecordChangeStatus(c.Status), RequestedBy: c.RequestedBy, DecidedBy: optString(c.DecidedBy),
		DecidedAt: optTime(c.DecidedAt), Note: optString(c.Note), CreatedAt: c.CreatedAt,
	}
}

// RunRecordAction implements oapi.StrictServerInterface.
func (s *Server) RunRecordAction(ctx context.Context, req oapi.RunRecordActionRequestObject) (oapi.RunRecordActionResponseObject, error) {
	params := portal.RecordActionParams{Description: deref(req.Body.Description)}
	if f := req.Body.Fields; f != nil {
		params.Fields = maps.Clone(map[string]string(*f))
	}
	t, err := s.p.RunRecordAction(ctx, customer.ID(req.CustomerId), record.ID(req.RecordId), req.ActionName, params)
	if err != nil {
		return nil, err
	}
	if t.ID == "" { // a webhook action: its event is published
		return oapi.RunRecordAction202Response{}, nil
	}
	return oapi.RunRecordAction201JSONResponse{Body: ticketOut(t), Headers: oapi.RunRecordAction201ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// ListRecordChangesOf implements oapi.StrictServerInterface.
func (s *Server) ListRecordChangesOf(ctx context.Context, req oapi.ListRecordChangesOfRequestObject) (oapi.ListRecordChangesOfResponseObject, error) {
	l, err := s.p.RecordChangesOf(ctx, customer.ID(req.CustomerId), record.ID(req.RecordId))
	if err != nil {
		return nil, err
	}
	out := oapi.ListRecordChangesOf200JSONResponse{Items: make([]oapi.RecordChangeRequest, 0, len(l))}
	for _, c := range l {
		out.Items = append(out.Items, recordChangeOut(c))
	}
	return out, nil
}
