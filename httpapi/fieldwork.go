package httpapi

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListJobs implements oapi.StrictServerInterface.
func (s *Server) ListJobs(ctx context.Context, req oapi.ListJobsRequestObject) (oapi.ListJobsResponseObject, error) {
	params := portal.ListJobsParams{From: derefTime(req.Params.From), To: derefTime(req.Params.To), SiteID: customer.SiteID(deref(req.Params.SiteId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListJobs(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListJobs200JSONResponse{Items: make([]oapi.Job, len(l.Items)), NextCursor: l.NextCursor}
	for i, j := range l.Items {
		out.Items[i] = jobOut(j)
	}
	return out, nil
}

// PushJob implements oapi.StrictServerInterface: 201 for a new job, 200
// for the one its external reference named.
func (s *Server) PushJob(ctx context.Context, req oapi.PushJobRequestObject) (oapi.PushJobResponseObject, error) {
	b := req.Body
	j, created, err := s.p.PutJob(ctx, customer.ID(req.CustomerId), portal.JobParams{
		SiteID: customer.SiteID(b.SiteId), Type: b.Type, Title: b.Title, Description: deref(b.Description),
		Status: fieldwork.Status(deref(b.Status)), PlannedAt: b.PlannedAt, ExternalRef: deref(b.ExternalRef),
	})
	if err != nil {
		return nil, err
	}
	if created {
		return oapi.PushJob201JSONResponse{Body: jobOut(j), Headers: oapi.PushJob201ResponseHeaders{ETag: etag(j.Version)}}, nil
	}
	return oapi.PushJob200JSONResponse{Body: jobOut(j), Headers: oapi.PushJob200ResponseHeaders{ETag: etag(j.Version)}}, nil
}

// GetJob implements oapi.StrictServerInterface.
func (s *Server) GetJob(ctx context.Context, req oapi.GetJobRequestObject) (oapi.GetJobResponseObject, error) {
	j, err := s.p.GetJob(ctx, customer.ID(req.CustomerId), fieldwork.JobID(req.JobId))
	if err != nil {
		return nil, err
	}
	return oapi.GetJob200JSONResponse{Body: jobOut(j), Headers: oapi.GetJob200ResponseHeaders{ETag: etag(j.Version)}}, nil
}

// UpdateJob implements oapi.StrictServerInterface. If-Match reaches the use
// case as the expected version.
func (s *Server) UpdateJob(ctx context.Context, req oapi.UpdateJobRequestObject) (oapi.UpdateJobResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	b := req.Body
	params := portal.UpdateJobParams{Version: want, Type: b.Type, Title: b.Title, Description: b.Description, PlannedAt: b.PlannedAt}
	if b.Status != nil {
		st := fieldwork.Status(*b.Status)
		params.Status = &st
	}
	j, err := s.p.UpdateJob(ctx, customer.ID(req.CustomerId), fieldwork.JobID(req.JobId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateJob200JSONResponse{Body: jobOut(j), Headers: oapi.UpdateJob200ResponseHeaders{ETag: etag(j.Version)}}, nil
}

// PushVisit implements oapi.StrictServerInterface: 201 for a new visit,
// 200 for the one its external reference named.
func (s *Server) PushVisit(ctx context.Context, req oapi.PushVisitRequestObject) (oapi.PushVisitResponseObject, error) {
	b := req.Body
	v, created, err := s.p.PutVisit(ctx, customer.ID(req.CustomerId), fieldwork.JobID(req.JobId), portal.VisitParams{
		Technician: b.Technician, StartedAt: b.StartedAt, EndedAt: derefTime(b.EndedAt), Outcome: deref(b.Outcome),
		Report: deref(b.Report), ExternalRef: deref(b.ExternalRef),
	})
	if err != nil {
		return nil, err
	}
	if created {
		return oapi.PushVisit201JSONResponse(visitOut(v)), nil
	}
	return oapi.PushVisit200JSONResponse(visitOut(v)), nil
}

// ListVisits implements oapi.StrictServerInterface.
func (s *Server) ListVisits(ctx context.Context, req oapi.ListVisitsRequestObject) (oapi.ListVisitsResponseObject, error) {
	params := portal.ListVisitsParams{From: derefTime(req.Params.From), To: derefTime(req.Params.To),
		SiteID: customer.SiteID(deref(req.Params.SiteId)), JobID: fieldwork.JobID(deref(req.Params.JobId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListVisits(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListVisits200JSONResponse{Items: make([]oapi.Visit, len(l.Items)), NextCursor: l.NextCursor}
	for i, v := range l.Items {
		out.Items[i] = visitOut(v)
	}
	return out, nil
}

// GetVisit implements oapi.StrictServerInterface.
func (s *Server) GetVisit(ctx context.Context, req oapi.GetVisitRequestObject) (oapi.GetVisitResponseObject, error) {
	v, err := s.p.GetVisit(ctx, customer.ID(req.CustomerId), fieldwork.VisitID(req.VisitId))
	if err != nil {
		return nil, err
	}
	return oapi.GetVisit200JSONResponse(visitOut(v)), nil
}

func jobOut(j fieldwork.Job) oapi.Job {
	return oapi.Job{
		Id: string(j.ID), CustomerId: string(j.CustomerID), SiteId: string(j.SiteID), Type: j.Type, Title: j.Title,
		Description: j.Description, Status: oapi.JobStatus(j.Status), PlannedAt: j.PlannedAt, ExternalRef: j.ExternalRef,
		Version: j.Version, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
	}
}

func visitOut(v fieldwork.Visit) oapi.Visit {
	out := oapi.Visit{
		Id: string(v.ID), JobId: string(v.JobID), CustomerId: string(v.CustomerID), SiteId: string(v.SiteID),
		Technician: v.Technician, StartedAt: v.StartedAt, Outcome: v.Outcome, Report: v.Report, ExternalRef: v.ExternalRef,
		Version: v.Version, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
	if !v.EndedAt.IsZero() {
		end := v.EndedAt
		out.EndedAt = &end
	}
	return out
}

// derefTime is *t, or the zero time for nil.
func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
