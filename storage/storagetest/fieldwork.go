package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/storage"
)

var fieldworkTests = []test{
	{"JobCreateGet", testJobCreateGet},
	{"JobExternalRefUnique", testJobExternalRefUnique},
	{"JobMissingSite", testJobMissingSite},
	{"JobUpdate", testJobUpdate},
	{"JobListRange", testJobListRange},
	{"VisitCreateGetUpdate", testVisitCreateGetUpdate},
	{"VisitListRangeAndPages", testVisitListRangeAndPages},
	{"VisitListScopes", testVisitListScopes},
	{"Pictures", testPictures},
	{"SetJobSite", testSetJobSite},
}

func newJob(cid customer.ID, sid customer.SiteID, title string, at time.Time) fieldwork.Job {
	return fieldwork.Job{
		ID: fieldwork.JobID(newID("job_")), CustomerID: cid, SiteID: sid, Type: "repair", Title: title,
		Description: "Fix it", Status: fieldwork.StatusPlanned, PlannedAt: at, Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func newVisit(j fieldwork.Job, at time.Time) fieldwork.Visit {
	return fieldwork.Visit{
		ID: fieldwork.VisitID(newID("vis_")), JobID: j.ID, CustomerID: j.CustomerID, SiteID: j.SiteID, Technician: "Tess",
		StartedAt: at, Outcome: "completed", Report: "Done", Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createJob(t *testing.T, s storage.Store, j fieldwork.Job) fieldwork.Job {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Jobs().Create(ctx, j) }))
	return j
}

func createVisit(t *testing.T, s storage.Store, v fieldwork.Visit) fieldwork.Visit {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Visits().Create(ctx, v) }))
	return v
}

func jobIDs(t *testing.T, s storage.Store, f storage.JobFilter) []fieldwork.JobID {
	t.Helper()
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Job], error) {
		return r.Jobs().List(ctx, f, storage.Page{Limit: 100})
	})
	require.NoError(t, err)
	var out []fieldwork.JobID
	for _, j := range l.Items {
		out = append(out, j.ID)
	}
	return out
}

func testJobCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	j := newJob(c.ID, site.ID, "Boiler", base)
	j.ExternalRef = "FS-1"
	createJob(t, s, j)
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Job, error) { return r.Jobs().Get(ctx, j.ID) })
	require.NoError(t, err)
	assert.Equal(t, j, got)
	byRef, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Job, error) {
		return r.Jobs().GetByRef(ctx, c.ID, "FS-1")
	})
	require.NoError(t, err)
	assert.Equal(t, j, byRef)
	other := createCustomer(t, s, newCustomer("Globex"))
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Job, error) {
		return r.Jobs().GetByRef(ctx, other.ID, "FS-1")
	})
	assertNotFound(t, err, "a reference is the customer's own")
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Job, error) {
		return r.Jobs().Get(ctx, fieldwork.JobID(newID("job_")))
	})
	assertNotFound(t, err)
}

func testJobExternalRefUnique(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	sa := createSite(t, s, newSite(a.ID, "Berlin"))
	sb := createSite(t, s, newSite(b.ID, "Berlin"))
	j := newJob(a.ID, sa.ID, "One", base)
	j.ExternalRef = "FS-1"
	createJob(t, s, j)
	dup := newJob(a.ID, sa.ID, "Two", base)
	dup.ExternalRef = "FS-1"
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Jobs().Create(ctx, dup) }))
	elsewhere := newJob(b.ID, sb.ID, "Theirs", base)
	elsewhere.ExternalRef = "FS-1"
	createJob(t, s, elsewhere) // another customer's reference space
	// Jobs without a reference never clash.
	createJob(t, s, newJob(a.ID, sa.ID, "No ref 1", base))
	createJob(t, s, newJob(a.ID, sa.ID, "No ref 2", base))
}

func testJobMissingSite(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	j := newJob(c.ID, newSiteID(), "Nowhere", base)
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Jobs().Create(ctx, j) }))
}

func testJobUpdate(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	j := createJob(t, s, newJob(c.ID, site.ID, "Boiler", base))
	var got fieldwork.Job
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		got, err = r.Jobs().Update(ctx, j.ID, func(j *fieldwork.Job) error {
			j.Status, j.Title = fieldwork.StatusScheduled, "Boiler room"
			return nil
		})
		return err
	}))
	assert.Equal(t, j.Version+1, got.Version)
	again, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Job, error) { return r.Jobs().Get(ctx, j.ID) })
	require.NoError(t, err)
	assert.Equal(t, got, again)
	assert.Equal(t, fieldwork.StatusScheduled, again.Status)
}

func testJobListRange(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	munich := createSite(t, s, newSite(c.ID, "Munich"))
	theirs := createSite(t, s, newSite(other.ID, "Paris"))
	day := func(d int) time.Time { return base.Add(time.Duration(d) * 24 * time.Hour) }
	j1 := createJob(t, s, newJob(c.ID, berlin.ID, "1", day(1)))
	j2 := createJob(t, s, newJob(c.ID, munich.ID, "2", day(2)))
	j3 := createJob(t, s, newJob(c.ID, berlin.ID, "3", day(3)))
	createJob(t, s, newJob(other.ID, theirs.ID, "x", day(2)))

	assert.Equal(t, []fieldwork.JobID{j3.ID, j2.ID, j1.ID}, jobIDs(t, s, storage.JobFilter{CustomerID: c.ID}), "newest first")
	assert.Equal(t, []fieldwork.JobID{j2.ID, j1.ID}, jobIDs(t, s, storage.JobFilter{CustomerID: c.ID, Range: fieldwork.Range{From: day(1), To: day(3)}}),
		"from inclusive, to exclusive")
	assert.Equal(t, []fieldwork.JobID{j3.ID, j1.ID}, jobIDs(t, s, storage.JobFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{berlin.ID}}))
	assert.Empty(t, jobIDs(t, s, storage.JobFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{}}), "an empty site set matches nothing")
}

func testVisitCreateGetUpdate(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	j := createJob(t, s, newJob(c.ID, site.ID, "Boiler", base))
	v := newVisit(j, base.Add(time.Hour))
	v.ExternalRef = "V-1"
	createVisit(t, s, v)
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Visit, error) { return r.Visits().Get(ctx, v.ID) })
	require.NoError(t, err)
	assert.Equal(t, v, got, "an open visit: EndedAt stays zero")
	byRef, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Visit, error) {
		return r.Visits().GetByRef(ctx, c.ID, "V-1")
	})
	require.NoError(t, err)
	assert.Equal(t, v.ID, byRef.ID)
	dup := newVisit(j, base)
	dup.ExternalRef = "V-1"
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Visits().Create(ctx, dup) }))

	end := base.Add(3 * time.Hour)
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Visits().Update(ctx, v.ID, func(v *fieldwork.Visit) error { v.EndedAt, v.Report = end, "All fine"; return nil })
		return err
	}))
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Visit, error) { return r.Visits().Get(ctx, v.ID) })
	require.NoError(t, err)
	assertUTC(t, end, got.EndedAt, "EndedAt")
	assert.Equal(t, "All fine", got.Report)
	assert.Equal(t, v.Version+1, got.Version)
}

func testVisitListRangeAndPages(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	j := createJob(t, s, newJob(c.ID, site.ID, "Boiler", base))
	var want []fieldwork.VisitID
	for i := range 7 {
		// Two visits share each start time but the last: the cursor must
		// tell them apart by ID.
		v := createVisit(t, s, newVisit(j, base.Add(time.Duration(i/2)*time.Hour)))
		want = append([]fieldwork.VisitID{v.ID}, want...)
	}
	var got []fieldwork.VisitID
	p := storage.Page{Limit: 3}
	for {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Visit], error) {
			return r.Visits().List(ctx, storage.VisitFilter{CustomerID: c.ID}, p)
		})
		require.NoError(t, err)
		for _, v := range l.Items {
			got = append(got, v.ID)
		}
		if l.NextCursor == "" {
			break
		}
		p.Cursor = l.NextCursor
	}
	assert.Equal(t, want, got, "pages walk the visits newest first, each once")

	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Visit], error) {
		return r.Visits().List(ctx, storage.VisitFilter{CustomerID: c.ID, Range: fieldwork.Range{From: base.Add(time.Hour), To: base.Add(2 * time.Hour)}}, storage.Page{})
	})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2, "the two visits of the second hour")
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Visit], error) {
		return r.Visits().List(ctx, storage.VisitFilter{CustomerID: c.ID}, storage.Page{Cursor: storage.Cursor("garbage")})
	})
	assert.Error(t, err, "a cursor this list did not hand out")
}

func testVisitListScopes(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	munich := createSite(t, s, newSite(c.ID, "Munich"))
	paris := createSite(t, s, newSite(other.ID, "Paris"))
	jb := createJob(t, s, newJob(c.ID, berlin.ID, "B", base))
	jm := createJob(t, s, newJob(c.ID, munich.ID, "M", base))
	jp := createJob(t, s, newJob(other.ID, paris.ID, "P", base))
	vb := createVisit(t, s, newVisit(jb, base))
	vm := createVisit(t, s, newVisit(jm, base.Add(time.Minute)))
	createVisit(t, s, newVisit(jp, base))
	ids := func(f storage.VisitFilter) []fieldwork.VisitID {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Visit], error) {
			return r.Visits().List(ctx, f, storage.Page{})
		})
		require.NoError(t, err)
		var out []fieldwork.VisitID
		for _, v := range l.Items {
			out = append(out, v.ID)
		}
		return out
	}
	assert.Equal(t, []fieldwork.VisitID{vm.ID, vb.ID}, ids(storage.VisitFilter{CustomerID: c.ID}))
	assert.Equal(t, []fieldwork.VisitID{vb.ID}, ids(storage.VisitFilter{CustomerID: c.ID, JobID: jb.ID}))
	assert.Equal(t, []fieldwork.VisitID{vm.ID}, ids(storage.VisitFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{munich.ID, paris.ID}}))
	assert.Empty(t, ids(storage.VisitFilter{CustomerID: c.ID, JobID: jp.ID}), "another customer's job")
}

func testPictures(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	j := createJob(t, s, newJob(c.ID, site.ID, "Boiler", base))
	mk := func(at time.Time) fieldwork.Picture {
		p := fieldwork.Picture{ID: fieldwork.PictureID(newID("pic_")), CustomerID: c.ID, SiteID: site.ID, JobID: j.ID, Name: "boiler.jpg",
			ContentType: "image/jpeg", Size: 1234, Width: 640, Height: 480, FileKey: "k/" + newID(""), ThumbKey: "t/" + newID(""),
			TakenAt: at, CreatedAt: at}
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Pictures().Create(ctx, p) }))
		return p
	}
	p1 := mk(base)
	p2 := mk(base.Add(time.Hour))
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Picture, error) {
		return r.Pictures().Get(ctx, p1.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, p1, got)
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Picture], error) {
		return r.Pictures().List(ctx, storage.PictureFilter{CustomerID: c.ID, JobID: j.ID}, storage.Page{})
	})
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	assert.Equal(t, p2.ID, l.Items[0].ID, "newest first")
	l, err = get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Picture], error) {
		return r.Pictures().List(ctx, storage.PictureFilter{CustomerID: c.ID, Range: fieldwork.Range{To: base.Add(time.Minute)}}, storage.Page{})
	})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, p1.ID, l.Items[0].ID)
	bad := p1
	bad.ID, bad.JobID = fieldwork.PictureID(newID("pic_")), fieldwork.JobID(newID("job_"))
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Pictures().Create(ctx, bad) }))
}

// A job's visits and pictures follow it to another site: only that job's,
// and only those not there yet.
func testSetJobSite(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	munich := createSite(t, s, newSite(c.ID, "Munich"))
	j := createJob(t, s, newJob(c.ID, berlin.ID, "Boiler", base))
	stay := createJob(t, s, newJob(c.ID, berlin.ID, "Pump", base))
	v1 := createVisit(t, s, newVisit(j, base))
	v2 := createVisit(t, s, newVisit(j, base.Add(time.Hour)))
	vs := createVisit(t, s, newVisit(stay, base))
	pic := func(j fieldwork.Job) fieldwork.Picture {
		p := fieldwork.Picture{ID: fieldwork.PictureID(newID("pic_")), CustomerID: c.ID, SiteID: j.SiteID, JobID: j.ID, Name: "boiler.jpg",
			ContentType: "image/jpeg", Size: 1234, Width: 640, Height: 480, FileKey: "k/" + newID(""), ThumbKey: "t/" + newID(""),
			TakenAt: base, CreatedAt: base}
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Pictures().Create(ctx, p) }))
		return p
	}
	p1, ps := pic(j), pic(stay)
	at := base.Add(24 * time.Hour)
	var visits, pictures int64
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		if visits, err = r.Visits().SetJobSite(ctx, j.ID, munich.ID, at); err != nil {
			return err
		}
		pictures, err = r.Pictures().SetJobSite(ctx, j.ID, munich.ID)
		return err
	}))
	assert.Equal(t, int64(2), visits)
	assert.Equal(t, int64(1), pictures)
	visit := func(id fieldwork.VisitID) fieldwork.Visit {
		v, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Visit, error) { return r.Visits().Get(ctx, id) })
		require.NoError(t, err)
		return v
	}
	picture := func(id fieldwork.PictureID) fieldwork.Picture {
		p, err := get(t, s, func(ctx context.Context, r storage.Repos) (fieldwork.Picture, error) {
			return r.Pictures().Get(ctx, id)
		})
		require.NoError(t, err)
		return p
	}
	for _, v := range []fieldwork.Visit{v1, v2} {
		got := visit(v.ID)
		assert.Equal(t, munich.ID, got.SiteID)
		assert.Equal(t, v.Version+1, got.Version)
		assertUTC(t, at, got.UpdatedAt, "UpdatedAt")
	}
	assert.Equal(t, munich.ID, picture(p1.ID).SiteID)
	assert.Equal(t, vs, visit(vs.ID), "another job's visit stays")
	assert.Equal(t, ps, picture(ps.ID), "another job's picture stays")
	munichVisits, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[fieldwork.Visit], error) {
		return r.Visits().List(ctx, storage.VisitFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{munich.ID}}, storage.Page{})
	})
	require.NoError(t, err)
	assert.Len(t, munichVisits.Items, 2, "the site's lists find them")

	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		if visits, err = r.Visits().SetJobSite(ctx, j.ID, munich.ID, at.Add(time.Hour)); err != nil {
			return err
		}
		pictures, err = r.Pictures().SetJobSite(ctx, j.ID, munich.ID)
		return err
	}))
	assert.Zero(t, visits, "already there: nothing changes")
	assert.Zero(t, pictures)
	assert.Equal(t, v1.Version+1, visit(v1.ID).Version)
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Visits().SetJobSite(ctx, j.ID, newSiteID(), at)
		return err
	}), "a site that does not exist")
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Pictures().SetJobSite(ctx, j.ID, newSiteID())
		return err
	}))
}
