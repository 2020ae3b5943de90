package portal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// PrefixAccessRequest is the prefix of access request IDs.
const PrefixAccessRequest = "acr"

// tokenPrefixAccessRequest is the prefix of access requests' confirmation
// tokens.
const tokenPrefixAccessRequest = "par_"

// MaxMatches is how many matching customers GetAccessRequest returns.
const MaxMatches = 10

func errAccessRequestNotFound(id accessrequest.ID) error {
	return portalerr.New(portalerr.NotFound, "access request %s not found", id)
}

// RequestAccessParams are what the public request form asks. Text is
// trimmed before it is checked.
type RequestAccessParams struct {
	CompanyName string `json:"company_name" validate:"required,max=200,singleline"`
	VATID       string `json:"vat_id" validate:"max=32,singleline"`
	// Website is an http(s) address; "https://" is added when no scheme is given.
	Website string `json:"website" validate:"max=200,singleline"`
	Name    string `json:"name" validate:"required,max=200,singleline"`
	Email   string `json:"email" validate:"required,max=254"`
	Phone   string `json:"phone" validate:"max=40,singleline"`
	Message string `json:"message" validate:"max=2000"`
	// Language is the requester's language for the mail about the
	// request: "en" or "de"; empty for Config.DefaultLocale.
	Language string `json:"language" validate:"omitempty,oneof=en de"`
	// Trap is the form's honeypot: a field people do not see and leave
	// empty. A request that fills it is answered as any other and dropped.
	Trap string `json:"-"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

func (a *RequestAccessParams) normalize() {
	for _, s := range []*string{&a.CompanyName, &a.VATID, &a.Website, &a.Name, &a.Email, &a.Phone, &a.Message, &a.Language, &a.Trap} {
		*s = strings.TrimSpace(*s)
	}
}

// RequestAccess records a request for access and mails its requester a
// link to confirm the address; the provider sees the request only once it
// is confirmed, and an unconfirmed one expires after
// accessrequest.ConfirmTTL. It needs no principal.
//
// Nobody can learn from it whether an address has an account: it never
// looks one up, so it does the same work for every address (one request
// row, one confirmation mail through the outbox) and answers the same,
// nil. Invalid for bad input; RateLimited, with RetryAfter, past the
// per-e-mail or per-client limits (Config.RateLimits, counted apart from
// sign-ins). A request that fills Trap is answered nil and not kept.
func (p *Portal) RequestAccess(ctx context.Context, params RequestAccessParams) error {
	params.normalize()
	email, emailErr := customer.NormalizeEmail(params.Email)
	website, webErr := accessrequest.CheckWebsite(params.Website)
	if err := mergeInvalid(validStruct(params), emailErr, webErr); err != nil {
		return err
	}
	if params.Trap != "" {
		return nil
	}
	if err := p.limit(ctx, "accessrequest", email, params.ClientAddr); err != nil {
		return err
	}
	lang := params.Language
	if lang == "" {
		lang = p.mail.templates.Locale("")
	}
	now := p.timestamp()
	token, hash := invite.NewToken(tokenPrefixAccessRequest)
	req := accessrequest.Request{
		ID:          accessrequest.ID(p.ids.NewID(PrefixAccessRequest)),
		CompanyName: params.CompanyName, VATID: params.VATID, Website: website,
		Name: params.Name, Email: email, Phone: params.Phone, Message: params.Message, Language: lang,
		TokenHash: hash, ConfirmBy: now.Add(accessrequest.ConfirmTTL), Status: accessrequest.StatusUnconfirmed,
		ClientAddr: hostOf(params.ClientAddr), Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	return p.write(ctx, func(r storage.Repos) error {
		if err := r.AccessRequests().Create(ctx, req); err != nil {
			return fmt.Errorf("portal: storing access request: %w", err)
		}
		return p.enqueue(ctx, r, Notification{
			Kind: NotifyAccessRequestConfirm, To: email, Locale: lang, Token: token, ExpiresAt: req.ConfirmBy,
			CustomerName: req.CompanyName,
		})
	})
}

// ConfirmAccessRequest confirms the requester's address with the token of
// the link RequestAccess mailed: the request reaches the provider. A link
// opened again confirms nothing new and answers nil. It needs no
// principal. NotFound for an unknown or expired link.
func (p *Portal) ConfirmAccessRequest(ctx context.Context, token string) error {
	if !invite.HasPrefix(token, tokenPrefixAccessRequest) {
		return accessrequest.ErrBadLink
	}
	return p.write(ctx, func(r storage.Repos) error {
		req, err := r.AccessRequests().GetByToken(ctx, invite.HashToken(token))
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return accessrequest.ErrBadLink
		case err != nil:
			return fmt.Errorf("portal: finding access request: %w", err)
		}
		now := p.timestamp()
		if req.State(now) != accessrequest.StatusUnconfirmed {
			return req.Confirm(now) // nil when confirmed already; the link error when expired
		}
		_, err = r.AccessRequests().Update(ctx, req.ID, func(q *accessrequest.Request) error { return q.Confirm(now) })
		return err
	})
}

// ListAccessRequestsParams filter and page the inbox of access requests.
type ListAccessRequestsParams struct {
	// Status keeps requests in this status; empty keeps all.
	Status accessrequest.Status `json:"status" validate:"omitempty,oneof=unconfirmed pending connected rejected expired"`
	Cursor string               `json:"cursor" validate:"max=200"`
	Limit  int                  `json:"limit" validate:"min=0,max=100"`
}

func (p ListAccessRequestsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListAccessRequests returns one page of access requests, newest first.
// Staff may call it.
func (p *Portal) ListAccessRequests(ctx context.Context, params ListAccessRequestsParams) (List[accessrequest.Request], error) {
	if err := validStruct(params); err != nil {
		return List[accessrequest.Request]{}, err
	}
	lc, page, err := p.openList(ctx, "access_requests", "", params)
	if err != nil {
		return List[accessrequest.Request]{}, err
	}
	var out List[accessrequest.Request]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActAccessRequestRead, "", ""); err != nil {
			return err
		}
		out, err = listPage(r.AccessRequests().List(ctx, storage.AccessRequestFilter{Status: params.Status, Now: p.timestamp()}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// CountAccessRequests returns how many access requests are in each status
// (statuses without requests are absent): the console's pending count.
// Staff may call it.
func (p *Portal) CountAccessRequests(ctx context.Context) (map[accessrequest.Status]int, error) {
	var out map[accessrequest.Status]int
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActAccessRequestRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = r.AccessRequests().Count(ctx, p.timestamp())
		return err
	})
	return out, err
}

// AccessRequest is an access request with the customers it may belong to,
// best match first (at most MaxMatches).
type AccessRequest struct {
	accessrequest.Request
	// State is the request's status now (expired derived).
	State   accessrequest.Status
	Matches []accessrequest.Match
}

// GetAccessRequest returns an access request and its matching customers,
// ranked by accessrequest.Rank. Staff may call it.
func (p *Portal) GetAccessRequest(ctx context.Context, id accessrequest.ID) (AccessRequest, error) {
	var out AccessRequest
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActAccessRequestRead, "", ""); err != nil {
			return err
		}
		req, err := getAccessRequest(ctx, r, id)
		if err != nil {
			return err
		}
		out, err = p.withMatches(ctx, r, req)
		return err
	})
	return out, err
}

// withMatches returns req with its state and matching customers.
func (p *Portal) withMatches(ctx context.Context, r storage.Repos, req accessrequest.Request) (AccessRequest, error) {
	q := storage.CandidateQuery{VATID: accessrequest.NormalizeVATID(req.VATID), Words: accessrequest.SearchWords(req.CompanyName, 3)}
	if d := accessrequest.EmailDomain(req.Email); !accessrequest.FreeMailDomain(d) {
		q.Domain = d
	}
	cands, err := r.AccessRequests().Candidates(ctx, q, 50)
	if err != nil {
		return AccessRequest{}, fmt.Errorf("portal: finding matching customers: %w", err)
	}
	m := accessrequest.Rank(req, cands)
	if len(m) > MaxMatches {
		m = m[:MaxMatches]
	}
	return AccessRequest{Request: req, State: req.State(p.timestamp()), Matches: m}, nil
}

// hostOf returns the host of a network address without its port.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

func getAccessRequest(ctx context.Context, r storage.Repos, id accessrequest.ID) (accessrequest.Request, error) {
	req, err := r.AccessRequests().Get(ctx, id)
	return req, notFoundAs(err, errAccessRequestNotFound(id))
}

// ConnectNewCustomerParams connect a request to a customer made for it.
// Version, when not zero, is the version of the request the caller read:
// a request changed since answers Conflict. Without it, a request decided
// meanwhile still answers Conflict (a pending request changes in no other
// way).
type ConnectNewCustomerParams struct {
	Version int64 `json:"version" validate:"min=0"`
	// Customer is the new customer, usually prefilled from the request
	// (AccessRequestCustomer) and edited; its FirstUser must be nil: the
	// requester is the first user.
	Customer CreateCustomerParams `json:"customer" validate:"-"`
	// Message is a personal note in the requester's invitation.
	Message string `json:"message" validate:"max=2000"`
}

// AccessRequestCustomer returns the customer a request suggests: its
// company name, VAT ID and the requester's address as contact e-mail and
// phone, as the start of ConnectNewCustomerParams.Customer.
func AccessRequestCustomer(req accessrequest.Request) CreateCustomerParams {
	return CreateCustomerParams{Name: req.CompanyName, VATID: req.VATID, ContactEmail: req.Email, Phone: req.Phone}
}

// AccessDecision is the outcome of a decision on an access request: the request
// as stored, and for a connection the customer and the invitation.
type AccessDecision struct {
	Request    accessrequest.Request
	Customer   customer.Customer
	Invitation invite.Invitation
}

// ConnectAccessRequestToNewCustomer creates a customer from params and
// invites the requester as its first user, its admin, in the requester's
// language, and records the decision, in one transaction. Staff admins
// and owners may call it (it creates a customer). Conflict naming the
// first decider when the request was decided already, or when
// params.Version is not the stored version; FailedPrecondition for a
// request not confirmed; CreateCustomer's errors for the customer, with
// fields named "customer.…".
func (p *Portal) ConnectAccessRequestToNewCustomer(ctx context.Context, id accessrequest.ID, params ConnectNewCustomerParams) (AccessDecision, error) {
	if params.Customer.FirstUser != nil {
		return AccessDecision{}, portalerr.Invalidf("customer.first_user", "must be empty: the requester is the first user")
	}
	params.Message = strings.TrimSpace(params.Message)
	c, _, _, err := p.buildCustomer(&params.Customer)
	if err = mergeInvalid(validStruct(params), prefixFields(err, "customer.")); err != nil {
		return AccessDecision{}, err
	}
	return p.decideAccessRequest(ctx, id, params.Version, accessrequest.StatusConnected, params.Message,
		func(r storage.Repos, a access, req accessrequest.Request, d *AccessDecision) error {
			if _, err := p.authorize(ctx, r, ActCustomerCreate, "", ""); err != nil {
				return err
			}
			if err := p.storeCustomer(ctx, r, c); err != nil {
				return prefixFields(err, "customer.")
			}
			if err := p.recordDiff(ctx, r, a, "customer.created", c.ID, string(c.ID), nil, nil, c); err != nil {
				return err
			}
			inv, err := p.createInvitationIn(ctx, r, c, invite.Invitation{
				Email: req.Email, Role: customer.RoleAdmin, Message: params.Message, InvitedBy: a.who.Actor(), FirstAdmin: true,
			}, invite.DefaultInvitationTTL, req.Language)
			if err != nil {
				return err
			}
			if err := p.recordDiff(ctx, r, a, "invitation.created", c.ID, string(inv.ID), nil, nil, inv); err != nil {
				return err
			}
			d.Customer, d.Invitation = c, inv
			d.Request.Decision.CustomerID, d.Request.Decision.NewCustomer, d.Request.Decision.InvitationID = c.ID, true, inv.ID
			return err
		})
}

// ConnectExistingCustomerParams connect a request to a customer there is.
type ConnectExistingCustomerParams struct {
	Version    int64         `json:"version" validate:"min=0"`
	CustomerID customer.ID   `json:"customer_id" validate:"required,max=100"`
	Role       customer.Role `json:"role" validate:"required,oneof=viewer maintainer admin"`
	// SiteIDs limits the requester to these sites of the customer
	// (partial access); empty: all.
	SiteIDs []customer.SiteID `json:"site_ids" validate:"max=100"`
	// Message is a personal note in the requester's invitation.
	Message string `json:"message" validate:"max=2000"`
}

// ConnectAccessRequestToCustomer invites the requester into an existing,
// active customer with a role and optionally some sites, in the
// requester's language, and records the decision, in one transaction.
// Staff may call it. Conflict and FailedPrecondition as for
// ConnectAccessRequestToNewCustomer; Invalid on customer_id for a missing
// customer, on site_ids for sites not the customer's; Invite's errors.
func (p *Portal) ConnectAccessRequestToCustomer(ctx context.Context, id accessrequest.ID, params ConnectExistingCustomerParams) (AccessDecision, error) {
	params.Message = strings.TrimSpace(params.Message)
	if err := validStruct(params); err != nil {
		return AccessDecision{}, err
	}
	return p.decideAccessRequest(ctx, id, params.Version, accessrequest.StatusConnected, params.Message,
		func(r storage.Repos, a access, req accessrequest.Request, d *AccessDecision) error {
			c, err := r.Customers().Get(ctx, params.CustomerID)
			if errors.Is(err, storage.ErrNotFound) {
				return portalerr.Invalidf("customer_id", "customer %s not found", params.CustomerID)
			} else if err != nil {
				return err
			}
			sites, err := checkSites(ctx, r, a, c.ID, params.SiteIDs)
			if err != nil {
				return err
			}
			inv, err := p.createInvitationIn(ctx, r, c, invite.Invitation{
				Email: req.Email, Role: params.Role, SiteIDs: sites, Message: params.Message, InvitedBy: a.who.Actor(),
			}, invite.DefaultInvitationTTL, req.Language)
			if err != nil {
				return err
			}
			d.Customer, d.Invitation = c, inv
			d.Request.Decision.CustomerID, d.Request.Decision.InvitationID = c.ID, inv.ID
			return p.recordDiff(ctx, r, a, "invitation.created", c.ID, string(inv.ID), nil, nil, inv)
		})
}

// RejectAccessRequestParams reject a request with a personal message.
type RejectAccessRequestParams struct {
	Version int64 `json:"version" validate:"min=0"`
	// Message is mailed to the requester, in the requester's language.
	Message string `json:"message" validate:"required,max=2000"`
}

// RejectAccessRequest rejects a request and mails the requester the
// message (template access_request_rejected, in the requester's language),
// recording the decision, in one transaction. Staff may call it. Conflict
// and FailedPrecondition as for ConnectAccessRequestToNewCustomer.
func (p *Portal) RejectAccessRequest(ctx context.Context, id accessrequest.ID, params RejectAccessRequestParams) (AccessDecision, error) {
	params.Message = strings.TrimSpace(params.Message)
	if err := validStruct(params); err != nil {
		return AccessDecision{}, err
	}
	return p.decideAccessRequest(ctx, id, params.Version, accessrequest.StatusRejected, params.Message,
		func(r storage.Repos, _ access, req accessrequest.Request, _ *AccessDecision) error {
			return p.enqueue(ctx, r, Notification{
				Kind: NotifyAccessRequestRejected, To: req.Email, Locale: req.Language,
				CustomerName: req.CompanyName, Message: params.Message,
			})
		})
}

// decideAccessRequest is every decision on request id: authorize, load, check it may be
// decided at version, let act do the decision's work (in d, which holds
// the decided request), and store the decision, in one transaction. The
// stored request is checked before the version, so a caller who read the
// request before another decided it learns who did.
func (p *Portal) decideAccessRequest(ctx context.Context, id accessrequest.ID, version int64, outcome accessrequest.Status, message string,
	act func(r storage.Repos, a access, req accessrequest.Request, d *AccessDecision) error) (AccessDecision, error) {
	var out AccessDecision
	err := p.write(ctx, func(r storage.Repos) error {
		out = AccessDecision{}
		a, err := p.authorize(ctx, r, ActAccessRequestDecide, "", "")
		if err != nil {
			return err
		}
		req, err := getAccessRequest(ctx, r, id)
		if err != nil {
			return err
		}
		now := p.timestamp()
		if err := req.CheckDecidable(now); err != nil {
			return err
		}
		if version != 0 && req.Version != version {
			return portalerr.New(portalerr.Conflict, "access request %s changed since version %d; read it again", id, version)
		}
		out.Request = req
		out.Request.Decision = accessrequest.Decision{By: a.who.Actor(), At: now, Message: message}
		if err := act(r, a, req, &out); err != nil {
			return err
		}
		stored, err := r.AccessRequests().Update(ctx, id, func(q *accessrequest.Request) error {
			if version != 0 && q.Version != version {
				return portalerr.New(portalerr.Conflict, "access request %s changed since version %d; read it again", id, version)
			}
			return q.Decide(outcome, out.Request.Decision)
		})
		if err != nil {
			return err
		}
		out.Request = stored
		noteObject(r, string(id))
		return p.record(ctx, r, a.who.Actor(), "access_request."+string(outcome), out.Request.Decision.CustomerID, string(id), out.Request)
	})
	return out, err
}

// withProviderOverrides checks the provider's overrides (Config.MailOverrides)
// and keeps them: an Invalid error names "mail_overrides.<kind>.<locale>"
// with what is wrong.
func (m *mailSetup) withProviderOverrides(o map[mailer.Kind]map[string]mailer.Override) error {
	var bad []portalerr.FieldViolation
	for kind, byLocale := range o {
		for loc, ov := range byLocale {
			field := "mail_overrides." + string(kind) + "." + loc
			switch {
			case !slices.Contains(mailer.Locales(), loc):
				bad = append(bad, portalerr.FieldViolation{Field: field, Message: "is not a locale of the templates: " + strings.Join(mailer.Locales(), ", ")})
			default:
				if err := m.templates.Validate(kind, ov); err != nil {
					bad = append(bad, portalerr.FieldViolation{Field: field, Message: portalerr.MessageOf(err)})
				}
			}
		}
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return err
	}
	m.provider = o
	return nil
}
