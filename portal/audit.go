package portal

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type requestIDKey struct{}

// WithRequestID returns a copy of ctx carrying the ID of the request it
// serves, which audit events record. httpapi and webui set it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID ctx carries (WithRequestID), or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ListAuditEventsParams filter and page the audit log; zero fields do not
// filter.
type ListAuditEventsParams struct {
	// CustomerID keeps one customer's events (ListAuditEvents only).
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
	// Actor keeps what one principal did, or did as someone else:
	// "user:usr_…", "staff:stf_…", "api_key:key_…".
	Actor string `json:"actor" validate:"max=200"`
	// Action keeps one action, such as "sso.configured".
	Action string `json:"action" validate:"max=100"`
	// Target keeps events about one object, by its ID.
	Target string `json:"target" validate:"max=100"`
	// From and To keep events recorded at or after From and before To.
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Cursor string    `json:"cursor" validate:"max=200"`
	Limit  int       `json:"limit" validate:"min=0,max=100"`
}

func (p ListAuditEventsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

func (p ListAuditEventsParams) filter(cid customer.ID) (storage.AuditFilter, error) {
	if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
		return storage.AuditFilter{}, portalerr.Invalidf("to", "must be after from")
	}
	return storage.AuditFilter{CustomerID: cid, Actor: p.Actor, Action: p.Action, ObjectID: p.Target,
		From: p.From.UTC(), To: p.To.UTC(), NewestFirst: true}, nil
}

// ListAuditEvents lists the audit log across customers, newest first,
// with keyset paging. Staff admins and owners may call it (ActAuditRead).
// Invalid for a bad filter or a cursor this list did not make.
func (p *Portal) ListAuditEvents(ctx context.Context, params ListAuditEventsParams) (List[audit.Event], error) {
	if err := validStruct(params); err != nil {
		return List[audit.Event]{}, err
	}
	f, err := params.filter(params.CustomerID)
	if err != nil {
		return List[audit.Event]{}, err
	}
	lc, page, err := p.openList(ctx, "audit_events", "", params)
	if err != nil {
		return List[audit.Event]{}, err
	}
	var out List[audit.Event]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActAuditRead, "", ""); err != nil {
			return err
		}
		l, err := r.Audit().List(ctx, f, page)
		if err != nil {
			return err
		}
		if err := nameActors(ctx, r, l.Items); err != nil {
			return err
		}
		out, err = listPage(l, nil)
		return err
	})
	return sealed(ctx, lc, out, err)
}

// nameActors fills the events' ActorName and ImpersonatorName from the
// users, staff members and API keys they name, each looked up once.
func nameActors(ctx context.Context, r storage.Repos, events []audit.Event) error {
	names := map[string]string{}
	name := func(actor string) (string, error) {
		if actor == "" {
			return "", nil
		}
		if n, ok := names[actor]; ok {
			return n, nil
		}
		kind, id, _ := strings.Cut(actor, ":")
		var n string
		var err error
		switch identity.Kind(kind) {
		case identity.KindUser:
			var u customer.User
			u, err = r.Users().Get(ctx, customer.UserID(id))
			n = u.Name
		case identity.KindStaff:
			var s identity.StaffMember
			s, err = r.Staff().Get(ctx, identity.StaffID(id))
			n = s.Name
		case identity.KindAPIKey:
			var k identity.APIKey
			k, err = r.APIKeys().Get(ctx, identity.APIKeyID(id))
			n = k.Name
		}
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", err
		}
		names[actor] = n
		return n, nil
	}
	for i := range events {
		var err error
		if events[i].ActorName, err = name(events[i].Actor); err != nil {
			return err
		}
		if events[i].ImpersonatorName, err = name(events[i].Impersonator); err != nil {
			return err
		}
	}
	return nil
}

// ListCustomerAuditEvents lists customer cid's audit log, newest first:
// what was done to its objects, by whom, as whom, with the changed fields.
// Staff and the customer's admins may call it (ActCustomerAuditRead); a
// customer user asking about another customer gets NotFound.
func (p *Portal) ListCustomerAuditEvents(ctx context.Context, cid customer.ID, params ListAuditEventsParams) (List[audit.Event], error) {
	params.CustomerID = ""
	f, err := params.filter(cid)
	if err != nil {
		return List[audit.Event]{}, err
	}
	return listIn(ctx, p, "customer_audit_events", ActCustomerAuditRead, cid, params, func(r storage.Repos, _ access, page storage.Page) (storage.List[audit.Event], error) {
		l, err := r.Audit().List(ctx, f, page)
		if err != nil {
			return l, err
		}
		return l, nameActors(ctx, r, l.Items)
	})
}
