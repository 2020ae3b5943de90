package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// The provider's system pushes a job twice with one external reference:
// 201, then 200 for the same job; the customer's viewer reads it by date
// range once the live view is on, and gets 404 while it is off.
func TestPushJobTwiceOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	site := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Plant"}))(t).JSON201
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	body := client.JobRequest{SiteId: site.Id, Type: "repair", Title: "Boiler", PlannedAt: at, ExternalRef: ptr("FS-1")}
	first := must(owner.PushJobWithResponse(ctx, cid, nil, body))(t)
	require.Equal(t, http.StatusCreated, first.StatusCode())
	body.Title = "Boiler room"
	second := must(owner.PushJobWithResponse(ctx, cid, nil, body))(t)
	require.Equal(t, http.StatusOK, second.StatusCode(), "body: %s", second.Body)
	assert.Equal(t, first.JSON201.Id, second.JSON200.Id)
	assert.Equal(t, "Boiler room", second.JSON200.Title)
	visit := must(owner.PushVisitWithResponse(ctx, cid, first.JSON201.Id, nil, client.VisitRequest{Technician: "Tess", StartedAt: at.Add(time.Hour), ExternalRef: ptr("V-1")}))(t)
	require.Equal(t, http.StatusCreated, visit.StatusCode())
	again := must(owner.PushVisitWithResponse(ctx, cid, first.JSON201.Id, nil, client.VisitRequest{Technician: "Tess", StartedAt: at.Add(time.Hour), ExternalRef: ptr("V-1"), Outcome: ptr("completed")}))(t)
	require.Equal(t, http.StatusOK, again.StatusCode())

	all := must(owner.ListJobsWithResponse(ctx, cid, nil))(t).JSON200
	assert.Len(t, all.Items, 1, "pushed twice, there once")

	viewer := e.client(t, ada.Token)
	r, err := viewer.ListJobsWithResponse(ctx, cid, nil)
	fails(r, err)(t, http.StatusNotFound, client.ProblemCodeNotFound)
	cur := must(owner.GetCustomerWithResponse(ctx, cid))(t)
	must(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: cur.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{Jobs: ptr(true), Visits: ptr(true)}))(t)
	from, to := at.Add(-time.Hour), at.Add(time.Hour)
	inRange := must(viewer.ListJobsWithResponse(ctx, cid, &client.ListJobsParams{From: &from, To: &to}))(t).JSON200
	require.Len(t, inRange.Items, 1)
	outside := must(viewer.ListJobsWithResponse(ctx, cid, &client.ListJobsParams{From: &to}))(t).JSON200
	assert.Empty(t, outside.Items, "planned before from")
	visits := must(viewer.ListVisitsWithResponse(ctx, cid, &client.ListVisitsParams{JobId: &first.JSON201.Id}))(t).JSON200
	require.Len(t, visits.Items, 1)
	assert.Equal(t, "completed", visits.Items[0].Outcome)
	r2, err := viewer.ListJobsWithResponse(ctx, cid, &client.ListJobsParams{From: &to, To: &from})
	fails(r2, err)(t, http.StatusBadRequest, client.ProblemCodeInvalid)
}

// A job pushed again with another site takes its visit along: the new
// site's visit list has it, the old one's does not.
func TestPushJobToAnotherSiteOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, _ := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	plant := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Plant"}))(t).JSON201
	depot := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Depot"}))(t).JSON201
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	body := client.JobRequest{SiteId: plant.Id, Type: "repair", Title: "Boiler", PlannedAt: at, ExternalRef: ptr("FS-1")}
	job := must(owner.PushJobWithResponse(ctx, cid, nil, body))(t).JSON201
	require.NotNil(t, job)
	must(owner.PushVisitWithResponse(ctx, cid, job.Id, nil, client.VisitRequest{Technician: "Tess", StartedAt: at}))(t)
	body.SiteId = depot.Id
	moved := must(owner.PushJobWithResponse(ctx, cid, nil, body))(t)
	require.Equal(t, http.StatusOK, moved.StatusCode(), "body: %s", moved.Body)
	assert.Equal(t, depot.Id, moved.JSON200.SiteId)
	atDepot := must(owner.ListVisitsWithResponse(ctx, cid, &client.ListVisitsParams{SiteId: &depot.Id}))(t).JSON200
	if assert.Len(t, atDepot.Items, 1, "the visit goes with its job") {
		assert.Equal(t, depot.Id, atDepot.Items[0].SiteId)
	}
	atPlant := must(owner.ListVisitsWithResponse(ctx, cid, &client.ListVisitsParams{SiteId: &plant.Id}))(t).JSON200
	assert.Empty(t, atPlant.Items)
}
