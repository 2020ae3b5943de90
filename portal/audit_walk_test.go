package portal_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// notAuditedYet are the changing use cases that do not write an audit
// event yet, and so are the list to shrink: TestEveryChangeIsAudited fails
// when one of them starts to write events (take it out) and when a use
// case of the authorization matrix changes something without writing one
// and is not here. Keep it in this one place; branches that add use cases
// add their audited ones nowhere and their unaudited ones here.
var notAuditedYet = map[string]bool{}

// notDeliveredToWalker are the use cases whose webhook events the walker's
// endpoint cannot receive, and why: checkPublished skips them.
var notDeliveredToWalker = map[string]string{
	"DeleteWebhookEndpoint": "it deletes the walker's endpoint, with its deliveries",
}

// TestEveryChangeIsAudited walks every use case of the authorization
// matrix (useCases, the one list of them) as a staff owner with the
// service-desk capability, on a fresh copy of its fixture each, and checks
// that each one that changes something writes an audit event in the same
// transaction, except those still in notAuditedYet; and that each audit
// event it writes writes, in that transaction, one delivery of its webhook
// event (portal's eventTypes) to the fixture's endpoint subscribed to
// every type, whose data holds no secret, except for the actions of
// portal's one list of unpublished ones.
func TestEveryChangeIsAudited(t *testing.T) {
	t.Parallel()
	names := make([]string, 0, len(useCases))
	for name := range useCases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			seenEvents, seenDeliveries := walkBaseline(t, f)
			u := useCases[name]
			if u.staff == "" && u.user == "" {
				t.Skip("only a SCIM token calls it (audited: scimapi's replays and TestSCIMWritesAreAudited)")
			}
			ctx := identity.NewContext(t.Context(), identity.ServiceDeskStaff("stf_walker", identity.StaffOwner))
			if u.staff == "" {
				// A customer's own use case: its admin, or its maintainer.
				m := f.a.admin
				if u.user == customer.RoleMaintainer {
					m = f.a.maintainer
				}
				ctx = as(t, m)
			}
			_, err := u.call(ctx, f, f.a)
			require.NoError(t, err, "the walker may call %s", name)
			events := auditActions(t, f.store)
			wrote, audited := f.wrote(t), len(events) > len(seenEvents)
			switch {
			case !wrote:
				// A read under another name: nothing to audit.
			case audited && notAuditedYet[name]:
				t.Errorf("%s writes an audit event now: take it out of notAuditedYet", name)
			case !audited && !notAuditedYet[name]:
				t.Errorf("%s changed something without an audit event", name)
			}
			if notDeliveredToWalker[name] == "" {
				checkPublished(t, name, newIn(events, seenEvents), newEvents(hookDeliveries(t, f), seenDeliveries))
			}
		})
	}
	for name := range notAuditedYet {
		if _, ok := useCases[name]; !ok {
			t.Errorf("notAuditedYet names %s, which the authorization matrix does not have", name)
		}
	}
}

// walkBaseline holds the audit events and the deliveries to the
// every-type endpoint of a fresh copy of the authorization fixture, read
// once per process: every case of the walk starts from such a copy, whose
// rows are the template's, so a case reads them only after its call.
var walkBaseline = func() func(t *testing.T, f fixture) (map[string]string, map[string]webhook.Delivery) {
	var (
		once       sync.Once
		events     map[string]string
		deliveries map[string]webhook.Delivery
	)
	return func(t *testing.T, f fixture) (map[string]string, map[string]webhook.Delivery) {
		t.Helper()
		once.Do(func() {
			require.False(t, f.wrote(t), "the baseline is read from a fresh copy")
			events, deliveries = auditActions(t, f.store), hookDeliveries(t, f)
		})
		require.True(t, events != nil && deliveries != nil, "the walk's baseline could not be read (see the first case that tried)")
		return events, deliveries
	}
}()

// checkPublished checks that the audit events a use case wrote (their
// actions) and the deliveries to the every-type endpoint it wrote (their
// types and bodies) match: one delivery of the event type of each action
// not in portal.Unpublished, and no body with a field named for a secret.
func checkPublished(t *testing.T, name string, actions []string, deliveries []webhook.Delivery) {
	t.Helper()
	var want, got []string
	for _, a := range actions {
		if _, quiet := portal.Unpublished[a]; quiet {
			continue
		}
		typ, ok := portal.EventTypes[a]
		if !assert.True(t, ok, "%s: audit action %s has no webhook event type", name, a) {
			continue
		}
		assert.True(t, typ.Valid(), "%s: %s is not in webhook.Types", name, typ)
		want = append(want, string(typ))
	}
	for _, d := range deliveries {
		got = append(got, string(d.Type))
		var body struct {
			Data any `json:"data"`
		}
		if assert.NoError(t, json.Unmarshal(d.Body, &body), "%s: %s", name, d.Type) {
			assert.Empty(t, secretFields("data", body.Data), "%s: %s data shows secrets", name, d.Type)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	assert.Equal(t, want, got, "%s: one webhook delivery per audit event (actions %v)", name, actions)
}

// secretWords name what a webhook's data must never show: tokens, secrets,
// passwords, hashes (of tokens, of passwords, of API keys).
var secretWords = []string{"secret", "token", "password", "hash"}

// secretFields are the paths of the fields of decoded JSON v, at any depth,
// whose names hold a secret word.
func secretFields(path string, v any) []string {
	var out []string
	switch o := v.(type) {
	case map[string]any:
		for k, x := range o {
			for _, w := range secretWords {
				if strings.Contains(strings.ToLower(k), w) {
					out = append(out, path+"."+k)
				}
			}
			out = append(out, secretFields(path+"."+k, x)...)
		}
	case []any:
		for _, x := range o {
			out = append(out, secretFields(path+"[]", x)...)
		}
	}
	return out
}

// auditActions are the audit events in s, by ID, with their actions.
func auditActions(t *testing.T, s storage.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, s.ReadTx(t.Context(), func(r storage.Repos) error {
		p := storage.Page{Limit: storage.MaxLimit}
		for {
			l, err := r.Audit().List(context.WithoutCancel(t.Context()), storage.AuditFilter{}, p)
			if err != nil {
				return err
			}
			for _, e := range l.Items {
				out[string(e.ID)] = e.Action
			}
			if l.NextCursor == "" {
				return nil
			}
			p.Cursor = l.NextCursor
		}
	}))
	return out
}

// hookDeliveries are the deliveries to f's every-type endpoint, by ID.
func hookDeliveries(t *testing.T, f fixture) map[string]webhook.Delivery {
	t.Helper()
	out := map[string]webhook.Delivery{}
	require.NoError(t, f.store.ReadTx(t.Context(), func(r storage.Repos) error {
		p := storage.Page{Limit: storage.MaxLimit}
		for {
			l, err := r.Webhooks().Deliveries(context.WithoutCancel(t.Context()), storage.DeliveryFilter{EndpointID: f.hook}, p)
			if err != nil {
				return err
			}
			for _, d := range l.Items {
				out[string(d.ID)] = d
			}
			if l.NextCursor == "" {
				return nil
			}
			p.Cursor = l.NextCursor
		}
	}))
	return out
}

// newEvents are the deliveries in now that are not in before and carry a
// new event: a replay's delivery carries an event delivered before, which
// no use case publishes again.
func newEvents(now, before map[string]webhook.Delivery) []webhook.Delivery {
	old := map[webhook.EventID]bool{}
	for _, d := range before {
		old[d.EventID] = true
	}
	var out []webhook.Delivery
	for _, d := range newIn(now, before) {
		if !old[d.EventID] {
			out = append(out, d)
		}
	}
	return out
}

// newIn are the values of now whose keys were not in before.
func newIn[V any](now map[string]V, before map[string]V) []V {
	var out []V
	for k, v := range now {
		if _, ok := before[k]; !ok {
			out = append(out, v)
		}
	}
	return out
}

// TestEveryEventTypeIsPublished checks the mapping of audit actions to
// webhook event types both ways: each action's type is one endpoints may
// subscribe to (webhook.Types), each type is published by some action, and
// no action is both published and in the list of unpublished ones.
func TestEveryEventTypeIsPublished(t *testing.T) {
	t.Parallel()
	published := map[webhook.Type]bool{}
	for action, typ := range portal.EventTypes {
		assert.True(t, typ.Valid(), "%s publishes %s, which is not in webhook.Types", action, typ)
		published[typ] = true
		_, quiet := portal.Unpublished[action]
		assert.False(t, quiet, "%s is published and unpublished", action)
	}
	for _, typ := range webhook.Types {
		assert.True(t, published[typ], "no audit action publishes %s", typ)
	}
	for action, why := range portal.Unpublished {
		assert.NotEmpty(t, why, "%s: say why it publishes nothing", action)
	}
}

// TestEveryRecordedActionIsMapped reads package portal's source for the
// audit actions its use cases record, including those the walker cannot
// reach (sign-ins, SCIM, HR pulls, logouts): the action argument of every
// call of record, recordChanges and recordDiff (and of the helpers that
// pass theirs on, changeAccessLink and changeStaff), the values of the
// …Actions maps, and the literals assigned to an "action" variable. Each
// must publish a webhook event or be in portal.Unpublished; an action
// built as "prefix." + status must name a prefix some mapped action has.
func TestEveryRecordedActionIsMapped(t *testing.T) {
	t.Parallel()
	known := func(action string) bool {
		_, ok := portal.EventTypes[action]
		_, quiet := portal.Unpublished[action]
		return ok || quiet
	}
	actionArg := map[string]int{"record": 3, "recordChanges": 3, "recordDiff": 3, "changeAccessLink": 5, "changeStaff": 1}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fs := token.NewFileSet()
	found := 0
	check := func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return
			}
			a, err := strconv.Unquote(x.Value)
			require.NoError(t, err)
			found++
			assert.True(t, known(a), "%s: audit action %q publishes no webhook event and is not in unpublished", fs.Position(x.Pos()), a)
		case *ast.BinaryExpr:
			if lit, ok := x.X.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				prefix, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				found++
				some := false
				for a := range portal.EventTypes {
					some = some || strings.HasPrefix(a, prefix)
				}
				assert.True(t, some, "%s: no mapped audit action starts with %q", fs.Position(x.Pos()), prefix)
			}
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fs, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if i, ok := actionArg[sel.Sel.Name]; ok && i < len(n.Args) {
						check(n.Args[i])
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if strings.HasSuffix(name.Name, "Actions") && i < len(n.Values) {
						if cl, ok := n.Values[i].(*ast.CompositeLit); ok {
							for _, el := range cl.Elts {
								if kv, ok := el.(*ast.KeyValueExpr); ok {
									check(kv.Value)
								}
							}
						}
					}
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(n.Rhs) {
						check(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	assert.Greater(t, found, 100, "the scan finds the actions")
}
