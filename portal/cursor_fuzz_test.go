package portal_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

// FuzzCursor hands any text to lists as their cursor. Only the cursors a
// list made may open, and only on that list with its filters: anything else
// is Invalid naming the cursor, never another error and never a panic. The
// portal has a fixed key and sequential IDs, so the genuine cursors, which
// seed the corpus, are the same on every run.
func FuzzCursor(f *testing.F) {
	clock := &portaltest.Clock{}
	p := portaltest.New(f, clock, func(c *portal.Config) {
		c.CursorKey = bytes.Repeat([]byte("fuzz"), portal.MinCursorKeyLen/4)
	})
	owner := portaltest.Owner(f.Context())
	var cids []customer.ID
	for _, name := range []string{"Acme", "Globex", "Initech"} {
		c, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: name})
		if err != nil {
			f.Fatal(err)
		}
		cids = append(cids, c.ID)
		for _, site := range []string{"North", "South"} {
			if _, err := p.CreateSite(owner, c.ID, portal.SiteParams{Name: site}); err != nil {
				f.Fatal(err)
			}
		}
	}
	for _, sku := range []string{"LAP-1", "LAP-2", "LAP-3"} {
		if _, err := p.CreateProduct(owner, portal.CreateProductParams{SKU: sku, Name: "Laptop", Price: eur(100)}); err != nil {
			f.Fatal(err)
		}
	}
	// The lists the fuzzer picks from, by the first input; q is the search
	// of the lists that have one.
	lists := []func(cursor, q string) (string, error){
		func(cursor, q string) (string, error) {
			l, err := p.ListCustomers(owner, portal.ListCustomersParams{Cursor: cursor, Search: q, Limit: 1})
			return l.NextCursor, err
		},
		func(cursor, _ string) (string, error) {
			l, err := p.ListSites(owner, cids[0], portal.ListSitesParams{Cursor: cursor, Limit: 1})
			return l.NextCursor, err
		},
		func(cursor, _ string) (string, error) {
			l, err := p.ListSites(owner, cids[1], portal.ListSitesParams{Cursor: cursor, Limit: 1})
			return l.NextCursor, err
		},
		func(cursor, q string) (string, error) {
			l, err := p.ListProducts(owner, portal.ListProductsParams{Cursor: cursor, Search: q, Limit: 1})
			return l.NextCursor, err
		},
	}
	// genuine[i] are the cursors list i made, without a search.
	genuine := make([]map[string]bool, len(lists))
	for i, list := range lists {
		genuine[i] = map[string]bool{}
		for next := ""; ; {
			var err error
			if next, err = list(next, ""); err != nil {
				f.Fatal(err)
			}
			if next == "" {
				break
			}
			genuine[i][next] = true
			for j := range lists {
				f.Add(uint8(j), next, "")
			}
			f.Add(uint8(i), next, "acme")
			f.Add(uint8(i), next+"=", "")
			f.Add(uint8(i), strings.ToUpper(next), "")
		}
	}
	for _, c := range []string{"", "!!", ".", "..", "Y3VzXzAwMDAwMQ", "Y3VzXzAwMDAwMQ.", ".AAAA", "Y3VzXzAwMDAwMQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add(uint8(0), c, "")
	}

	f.Fuzz(func(t *testing.T, which uint8, cursor, q string) {
		i := int(which) % len(lists)
		_, err := lists[i](cursor, q)
		searches := i == 0 || i == 3
		opens := cursor == "" || (genuine[i][cursor] && (!searches || strings.TrimSpace(q) == ""))
		switch {
		case err == nil && !opens:
			t.Fatalf("list %d opened a cursor it did not make, or with another search: %q (q=%q)", i, cursor, q)
		case err != nil && portalerr.CodeOf(err) != portalerr.Invalid:
			t.Fatalf("list %d, cursor %q (q=%q): %v", i, cursor, q, err)
		case err != nil && opens && (!searches || q == ""):
			// Nothing else of these calls is invalid: the list refused its own cursor.
			t.Fatalf("list %d refused its own cursor %q: %v", i, cursor, err)
		}
	})
}
