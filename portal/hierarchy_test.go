package portal_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// hierarchy is a primary customer with two sub-customers (one with a
// sub-customer of its own), and a second primary with one: each with a
// site, and the people who look at them.
type hierarchy struct {
	primary, north, south, deep, other, sibling customer.Customer
	sites                                       map[customer.ID]customer.Site
	primaryViewer, limitedViewer, northViewer   context.Context
}

func newHierarchy(t *testing.T, e env) hierarchy {
	t.Helper()
	h := hierarchy{sites: map[customer.ID]customer.Site{}}
	sub := func(name string, parent customer.ID) customer.Customer {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: name, ParentID: parent})
		require.NoError(t, err)
		h.sites[c.ID] = e.createSite(t, c.ID, name+" site")
		return c
	}
	h.primary = sub("Primary", "")
	h.north = sub("North", h.primary.ID)
	h.south = sub("South", h.primary.ID)
	h.deep = sub("Deep", h.north.ID)
	h.other = sub("Other", "")
	h.sibling = sub("Sibling", h.other.ID)
	as := func(m portal.Member) context.Context {
		return identity.NewContext(t.Context(), identity.User(m.Membership))
	}
	h.primaryViewer = as(e.addMember(t, h.primary.ID, "vic@primary.example", customer.RoleViewer))
	h.limitedViewer = as(e.addMember(t, h.primary.ID, "lim@primary.example", customer.RoleAdmin, h.sites[h.primary.ID].ID))
	h.northViewer = as(e.addMember(t, h.north.ID, "nina@north.example", customer.RoleAdmin))
	return h
}

// A primary customer's people see their sub-customers' sites, at any depth,
// read only; never a sibling's or the parent's.
func TestSubCustomerVisibility(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHierarchy(t, e)
		for _, c := range []customer.Customer{h.primary, h.north, h.south, h.deep} {
			got, err := e.p.GetCustomer(h.primaryViewer, c.ID)
			require.NoError(t, err, c.Name)
			assert.Equal(t, c.ID, got.ID)
			l, err := e.p.ListSites(h.primaryViewer, c.ID, portal.ListSitesParams{})
			require.NoError(t, err, c.Name)
			require.Len(t, l.Items, 1, c.Name)
			assert.Equal(t, h.sites[c.ID].ID, l.Items[0].ID)
			_, err = e.p.GetSite(h.primaryViewer, c.ID, h.sites[c.ID].ID)
			assert.NoError(t, err, c.Name)
		}
		for _, c := range []customer.Customer{h.other, h.sibling} {
			_, err := e.p.GetCustomer(h.primaryViewer, c.ID)
			assertCode(t, portalerr.NotFound, err, "another primary's "+c.Name)
			_, err = e.p.ListSites(h.primaryViewer, c.ID, portal.ListSitesParams{})
			assertCode(t, portalerr.NotFound, err, c.Name)
			_, err = e.p.GetSite(h.primaryViewer, c.ID, h.sites[c.ID].ID)
			assertCode(t, portalerr.NotFound, err, c.Name)
		}
		// A sub-customer's people see neither the parent nor a sibling.
		for _, c := range []customer.Customer{h.primary, h.south} {
			_, err := e.p.ListSites(h.northViewer, c.ID, portal.ListSitesParams{})
			assertCode(t, portalerr.NotFound, err, "the sub-customer's admin on "+c.Name)
		}
		l, err := e.p.ListSites(h.northViewer, h.deep.ID, portal.ListSitesParams{})
		require.NoError(t, err, "but its own sub-customer's")
		assert.Len(t, l.Items, 1)
		// A site of a sub-customer named under the primary is no site of it.
		_, err = e.p.GetSite(h.primaryViewer, h.primary.ID, h.sites[h.north.ID].ID)
		assertCode(t, portalerr.NotFound, err)

		// Read only: even the primary's admin changes nothing below it.
		admin := identity.NewContext(t.Context(), identity.User(e.addMember(t, h.primary.ID, "ada@primary.example", customer.RoleAdmin).Membership))
		_, err = e.p.ListMembers(admin, h.north.ID, portal.ListMembersParams{})
		assertCode(t, portalerr.NotFound, err, "members are not shown below")
		_, err = e.p.Invite(admin, h.north.ID, portal.InviteParams{Email: "x@north.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.NotFound, err, "nor invited")

		// A membership limited to some of the primary's sites sees no sub-customer's site.
		l, err = e.p.ListSites(h.limitedViewer, h.north.ID, portal.ListSitesParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items)
		_, err = e.p.GetSite(h.limitedViewer, h.north.ID, h.sites[h.north.ID].ID)
		assertCode(t, portalerr.NotFound, err)

		// The children of a customer the caller may see.
		kids, err := e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{ParentID: h.primary.ID})
		require.NoError(t, err)
		assert.ElementsMatch(t, []customer.ID{h.north.ID, h.south.ID}, customerIDs(kids.Items))
		_, err = e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{ParentID: h.other.ID})
		assertCode(t, portalerr.NotFound, err)
		own, err := e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Equal(t, []customer.ID{h.primary.ID}, customerIDs(own.Items), "without a parent: its own, as before")

		// A suspended sub-customer shows nothing.
		_, err = e.p.SuspendCustomer(e.owner, h.south.ID)
		require.NoError(t, err)
		_, err = e.p.ListSites(h.primaryViewer, h.south.ID, portal.ListSitesParams{})
		assertCode(t, portalerr.NotFound, err)
		kids, err = e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{ParentID: h.primary.ID})
		require.NoError(t, err)
		assert.Equal(t, []customer.ID{h.north.ID}, customerIDs(kids.Items))
	})
}

// TestSubCustomerActionsOnlyRead keeps the policy's SubCustomers rule to
// reading, as Rule.SubCustomers promises: every action that lets a
// primary customer's people reach below their customer is a reading one
// (named x.read, as the policy names them), and the use cases ask for
// it only inside a read transaction (Portal.read, readShared, listIn),
// never inside a write one.
func TestSubCustomerActionsOnlyRead(t *testing.T) {
	below := map[portal.Action]bool{}
	for _, act := range portal.Actions() {
		rule, ok := portal.RuleFor(act)
		require.True(t, ok, act)
		if !rule.SubCustomers {
			continue
		}
		below[act] = true
		assert.True(t, strings.HasSuffix(string(act), ".read"), "%s reaches sub-customers but is no reading action", act)
	}
	require.Contains(t, below, portal.ActSiteRead, "the rule has its actions")

	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	parsed := map[string]*ast.File{}
	names := map[string]bool{} // the constants of the actions in below
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		parsed[name] = f
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if v, err := strconv.Unquote(lit.Value); err == nil && below[portal.Action(v)] {
								names[id.Name] = true
							}
						}
					}
				}
			}
		}
	}
	require.Len(t, names, len(below), "each action below has its constant")
	uses := 0
	for name, f := range parsed {
		if name == "policy.go" {
			continue // the actions' declarations and rules
		}
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			id, ok := n.(*ast.Ident)
			if !ok || !names[id.Name] {
				return true
			}
			uses++
			kind := ""
			for i := len(stack) - 1; i >= 0 && kind == ""; i-- {
				kind = txKind(stack[i])
			}
			assert.Equal(t, "read", kind, "%s at %s: an action that reaches sub-customers asked for outside a read transaction", id.Name, fset.Position(id.Pos()))
			return true
		})
	}
	assert.NotZero(t, uses, "the use cases ask for them")
}

// txKind says which transaction a call opens: "read" for Portal.read,
// readShared and listIn, "write" for Portal.write, "" for any other node.
func txKind(n ast.Node) string {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return ""
	}
	fun := call.Fun
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	}
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		switch f.Sel.Name {
		case "read", "readShared":
			return "read"
		case "write":
			return "write"
		}
	case *ast.Ident:
		if f.Name == "listIn" {
			return "read"
		}
	}
	return ""
}
