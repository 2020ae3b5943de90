package portal_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// benchCSV is an HR export of n employees, with departments, cost
// centres, locations and managers; with changed, every tenth is renamed.
func benchCSV(n int, changed bool) string {
	var b strings.Builder
	b.Grow(n * 110)
	b.WriteString("external_id,employee_number,name,email,username,department,cost_centre,location,manager_external_id\n")
	for i := range n {
		name := fmt.Sprintf("Person %d", i)
		if changed && i%10 == 0 {
			name += " (renamed)"
		}
		fmt.Fprintf(&b, "X%06d,N%06d,%s,p%d@bench.example,p%d,D%d,CC%d,Site %d,X%06d\n", i, i, name, i, i, i%40, i%25, i%5, i/10*10)
	}
	return b.String()
}

// BenchmarkSync measures a CSV import planned and applied in one call
// (StartSync without a dry run) on SQLite (a temporary file, as
// portaltest.Store opens): 1,000 and 10,000 new employees into an empty
// customer, and a run over 10,000 stored employees of which a tenth
// changed. "place one order" is the baseline of the same run: one write
// use case. The goal (issue #17): 10,000 in under 10 s.
//
//	go test ./portal -run '^$' -bench BenchmarkSync -benchtime 3x
func BenchmarkSync(b *testing.B) {
	p := portaltest.New(b, &portaltest.Clock{})
	owner := portaltest.Owner(b.Context())
	newCustomer := func(b *testing.B) customer.Customer {
		b.Helper()
		on := true
		c, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: "Bench", Features: customer.FeaturesPatch{OrderAuthorization: &on}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.UpdateLicenses(owner, c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted}); err != nil {
			b.Fatal(err)
		}
		c, err = p.UpdateFeatures(owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &on}})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	run := func(b *testing.B, c customer.Customer, csv string, want hrsync.Counts) {
		b.Helper()
		r, err := p.StartSync(owner, c.ID, portal.StartSyncParams{CSV: csv})
		if err != nil {
			b.Fatal(err)
		}
		if r.Status != hrsync.RunApplied || r.Plan.Counts != want {
			b.Fatalf("run %s: %+v, want applied with %+v", r.Status, r.Plan.Counts, want)
		}
	}
	for _, n := range []int{1_000, 10_000} {
		csv := benchCSV(n, false)
		b.Run(fmt.Sprintf("import %d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				c := newCustomer(b)
				b.StartTimer()
				run(b, c, csv, hrsync.Counts{Create: n})
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/employee")
		})
	}
	b.Run("resync 10000, a tenth changed", func(b *testing.B) {
		first, second := benchCSV(10_000, false), benchCSV(10_000, true)
		for b.Loop() {
			b.StopTimer()
			c := newCustomer(b)
			run(b, c, first, hrsync.Counts{Create: 10_000})
			b.StartTimer()
			run(b, c, second, hrsync.Counts{Update: 1_000, Unchanged: 9_000})
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*10_000), "µs/employee")
	})
	b.Run("place one order", func(b *testing.B) {
		c := newCustomer(b)
		prod, err := p.CreateProduct(owner, portal.CreateProductParams{SKU: "B-1", Name: "Bench", Price: orders.Money{Amount: 100, Currency: "EUR"}})
		if err != nil {
			b.Fatal(err)
		}
		m, err := p.AddMember(owner, c.ID, portal.AddMemberParams{Email: "m@bench.example", Name: "M", Role: customer.RoleMaintainer})
		if err != nil {
			b.Fatal(err)
		}
		ctx := identity.NewContext(b.Context(), identity.User(m.Membership))
		for b.Loop() {
			if _, err := p.PlaceOrder(ctx, c.ID, portal.PlaceOrderParams{Lines: []portal.OrderLineParams{{ProductID: prod.ID, Quantity: 1}},
				Recipient: &orders.Employee{Name: "Bob"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
