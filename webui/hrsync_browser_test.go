package webui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
)

// staffCSV is a file of n employees as an HR export in a German
// spreadsheet writes it.
func staffCSV(n int) string {
	var b strings.Builder
	b.WriteString("Personalnummer;Name;E-Mail;Abteilung\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "P%d;Person %d;p%d@initech.example;IT\n", i, i, i)
	}
	return b.String()
}

// pasteCSV puts text into the import form's text field and maps the
// German columns.
func pasteCSV(v *visitor, text string) {
	v.t.Helper()
	eval[bool](v, fmt.Sprintf(`(() => { document.querySelector("textarea[name=csv]").value = %q; return true })()`, text))
	v.typeInto(`input[name=map_external_id]`, "Personalnummer")
	v.typeInto(`input[name=map_email]`, "E-Mail")
	v.typeInto(`input[name=map_department]`, "Abteilung")
}

// TestHRSyncStory: a staff owner licenses a customer for HR sync and its
// first import goes through a dry run; the customer's admin then syncs a
// file in which two of ten people are missing, which stops at the
// deletion threshold until she confirms; one of the leavers still holds a
// laptop, so he is locked with an offboarding task, and once the laptop
// is back in the warehouse he is gone.
func TestHRSyncStory(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	on := true
	initech, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Initech", Features: customer.FeaturesPatch{SupplierWarehouse: &on}})
	require.NoError(t, err)
	_, err = s.p.AddMember(s.staff, initech.ID, portal.AddMemberParams{Email: "ida@initech.example", Name: "Ida Admin", Role: customer.RoleAdmin})
	require.NoError(t, err)
	laptop, err := s.p.CreateProduct(s.staff, portal.CreateProductParams{SKU: "LAP-9", Name: "Laptop 9", Price: orders.Money{Amount: 99_900, Currency: "EUR"}})
	require.NoError(t, err)
	boot, err := s.p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga Owner"})
	require.NoError(t, err)
	staffTab, adminTab := s.newVisitor(t, "olga (staff owner)"), s.newVisitor(t, "ida (Initech's admin)")
	base := "/console/customers/" + string(initech.ID)
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("the owner grants the licence and turns HR sync on", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
		staff.click(`main form button`)
		staff.requireStatus(200)
		staff.open(base + "/features")
		staff.tick(`input[type=checkbox][name=hr_sync]`)
		staff.click(`form[action$="/features"] button`)
		assert.Equal(t, int64(403), *staff.lastStatus, "no licence yet")
		assert.Contains(t, staff.text(`main`), "needs the provider")

		staff.open(base)
		staff.click(`main nav a[href="` + base + `/licenses"]`)
		staff.choose(`select[name=hr_sync]`, "granted")
		staff.click(`form[action$="/licenses"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main .card`), "licensed")
		staff.click(`main nav a[href="` + base + `/features"]`)
		staff.tick(`input[type=checkbox][name=hr_sync]`)
		staff.click(`form[action$="/features"] button`)
		staff.requireStatus(200)
		f, err := s.p.GetFeatures(s.staff, initech.ID)
		require.NoError(t, err)
		assert.True(t, f.HRSync)
	})

	step("staff import the first file as a dry run, then apply it", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open(base)
		staff.click(`main nav a[href="` + base + `/hr-sync"]`)
		staff.requireStatus(200)
		pasteCSV(staff, staffCSV(10)+"P99;;nobody@initech.example;IT\n")
		assert.True(t, eval[bool](staff, `document.querySelector("input[name=dry_run]").checked`), "a dry run by default")
		staff.click(`form[action$="/hr-sync/runs"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main .card`), "Planned (dry run)")
		assert.Contains(t, staff.text(`main`), "name is required", "the bad row, with its line")
		assert.Contains(t, staff.text(`main`), "Person 7")
		emps, err := s.p.ListEmployees(s.staff, initech.ID, portal.ListEmployeesParams{})
		require.NoError(t, err)
		assert.Empty(t, emps.Items, "a dry run changes nothing")
		staff.click(`form[action$="/apply"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main .card`), "Applied")
		emps, err = s.p.ListEmployees(s.staff, initech.ID, portal.ListEmployeesParams{})
		require.NoError(t, err)
		assert.Len(t, emps.Items, 10)
	})

	leaver, err := s.p.ListEmployees(s.staff, initech.ID, portal.ListEmployeesParams{Query: "p10@"})
	require.NoError(t, err)
	require.Len(t, leaver.Items, 1)
	items, err := s.p.StockIn(s.staff, initech.ID, portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: laptop.ID, SerialNumber: "SN-P10"}}})
	require.NoError(t, err)

	step("the admin issues a laptop to Person 10, picked by ID", func(t *testing.T) {
		admin := adminTab.in(t)
		signInByLink(t, admin, "ida@initech.example")
		admin.open("/stock/items/" + string(items[0].ID))
		admin.requireStatus(200)
		assert.False(t, admin.has(`input[name=holder_name]`), "no free text with HR sync")
		admin.typeInto(`form[role=search] input[name=employee_q]`, "p10@")
		admin.click(`form[role=search] button`)
		admin.requireStatus(200)
		admin.choose(`select[name=employee_id]`, string(leaver.Items[0].ID))
		admin.click(`form[action$="/issue"] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`.notice`), "The item is issued.")
		assert.Contains(t, admin.text(`dl`), "Person 10")
		it, err := s.p.GetStockItem(s.staff, initech.ID, items[0].ID)
		require.NoError(t, err)
		assert.Equal(t, leaver.Items[0].ID, it.HolderID)
	})

	step("two of ten leaving stops the admin's run until she confirms", func(t *testing.T) {
		admin := adminTab.in(t)
		admin.click(`.top nav a[href="/employees"]`)
		admin.requireStatus(200)
		pasteCSV(admin, staffCSV(8))
		admin.check(`input[name=dry_run]`) // off: apply at once
		admin.click(`form[action="/employees/runs"] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main .card`), "Waiting for confirmation")
		assert.Contains(t, admin.text(`main [role=alert]`), "2 of 10 employees would leave")
		emps, err := s.p.ListEmployees(s.staff, initech.ID, portal.ListEmployeesParams{})
		require.NoError(t, err)
		assert.Len(t, emps.Items, 10, "nothing applied yet")
		admin.tick(`input[name=confirm]`)
		admin.click(`form[action$="/apply"] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main .card`), "Applied")
		runs, err := s.p.ListSyncRuns(s.staff, initech.ID, portal.ListSyncRunsParams{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunApplied, runs.Items[0].Status)
		assert.Contains(t, runs.Items[0].ConfirmedBy, "user:")
	})

	step("the leaver's laptop is returned and he is gone", func(t *testing.T) {
		admin := adminTab.in(t)
		admin.open("/employees")
		tasks := admin.text(`section[aria-labelledby=offboarding]`)
		assert.Contains(t, tasks, "Person 10")
		assert.Contains(t, tasks, "Laptop 9")
		assert.NotContains(t, tasks, "Person 9", "Person 9 held nothing: removed at once")
		admin.click(`form[action$="/return"] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main`), "No open offboarding tasks.")
		e, err := s.p.GetEmployee(s.staff, initech.ID, leaver.Items[0].ID)
		require.NoError(t, err)
		assert.Equal(t, org.StatusLeft, e.Status)
		it, err := s.p.GetStockItem(s.staff, initech.ID, items[0].ID)
		require.NoError(t, err)
		assert.Equal(t, "in_stock", string(it.Status))
		admin.open("/employees?status=left")
		assert.Contains(t, admin.text(`section[aria-labelledby=people]`), "Person 10")
	})

	step("the admin makes a SCIM token for the identity provider", func(t *testing.T) {
		admin := adminTab.in(t)
		admin.open("/employees")
		assert.Contains(t, admin.text(`section[aria-labelledby=scim]`), "/scim/v2/customers/"+string(initech.ID))
		admin.typeInto(`form[action="/employees/scim-tokens"] input[name=name]`, "Entra ID")
		admin.click(`form[action="/employees/scim-tokens"] button`)
		assert.Equal(t, int64(201), *admin.lastStatus)
		secret := admin.text(`code.secret`)
		assert.True(t, strings.HasPrefix(secret, "pst_"), secret)
		who, err := s.p.AuthenticateSCIM(context.Background(), initech.ID, secret)
		require.NoError(t, err, "the token shown works")
		assert.Equal(t, initech.ID, who.CustomerID)
		admin.click(`form[action$="/revoke"] button`)
		admin.requireStatus(200)
		_, err = s.p.AuthenticateSCIM(context.Background(), initech.ID, secret)
		assert.Error(t, err, "a revoked token")
	})

	step("staff see the runs in the console", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open(base + "/hr-sync")
		runs := staff.text(`section[aria-labelledby=runs]`)
		assert.Contains(t, runs, "Applied")
		assert.Contains(t, staff.text(`section[aria-labelledby=offboarding]`), "No open offboarding tasks.")
	})
}
