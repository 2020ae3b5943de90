package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

var _ storage.Store = (*Store)(nil)

var errClosed = errors.New("memory: store is closed")

// Store is the in-memory backend. It is safe for concurrent use.
type Store struct {
	mu     sync.RWMutex
	closed bool

	customers    map[customer.ID]customer.Customer
	externalRefs map[string]customer.ID // non-empty ExternalRef -> customer

	users  map[customer.UserID]customer.User
	emails map[string]customer.UserID // lower-cased e-mail -> user

	memberships map[customer.MembershipID]customer.Membership
	members     map[memberKey]customer.MembershipID
	siteUses    map[customer.SiteID]int // how many memberships name the site

	sites     map[customer.SiteID]customer.Site
	siteNames map[siteKey]customer.SiteID

	// Each token hash is unique within its kind, as a unique index would make it.
	invitations      map[invite.ID]invite.Invitation
	invitationTokens map[invite.Hash]invite.ID
	loginLinks       map[invite.LoginLinkID]invite.LoginLink
	loginLinkTokens  map[invite.Hash]invite.LoginLinkID
	accessLinks      map[invite.AccessLinkID]invite.AccessLink
	accessLinkTokens map[invite.Hash]invite.AccessLinkID
	sessions         map[identity.SessionID]identity.Session
	sessionTokens    map[string]identity.SessionID
	apiKeys          map[identity.APIKeyID]identity.APIKey
	apiKeyTokens     map[string]identity.APIKeyID
	passwords        map[customer.UserID]identity.Password
	events           map[audit.ID]audit.Event
	idempotency      map[idempotencyKey]storage.IdempotencyRecord
	outbox           map[storage.OutboxID]storage.OutboxMessage
	mailTemplates    map[mailTemplateKey]storage.MailTemplate

	products     map[orders.ProductID]orders.Product
	skus         map[string]orders.ProductID // lower-cased SKU -> product
	offers       map[orders.OfferID]orders.Offer
	offerKeys    map[offerKey]orders.OfferID
	orders       map[orders.ID]orders.Order
	orderNumbers map[orders.Number]orders.ID
	// counters hold sequences by name; a map so that put undoes them.
	counters  map[string]int64
	items     map[warehouse.ItemID]warehouse.Item
	serials   map[serialKey]warehouse.ItemID
	movements map[warehouse.MovementID]warehouse.Movement
}

type memberKey struct {
	user     customer.UserID
	customer customer.ID
}

// siteKey is a site's name within its customer, lower-cased because names
// are unique ignoring case.
type siteKey struct {
	customer customer.ID
	name     string
}

// New returns an empty Store.
func New() *Store {
	return &Store{
		customers:    make(map[customer.ID]customer.Customer),
		externalRefs: make(map[string]customer.ID),
		users:        make(map[customer.UserID]customer.User),
		emails:       make(map[string]customer.UserID),
		memberships:  make(map[customer.MembershipID]customer.Membership),
		members:      make(map[memberKey]customer.MembershipID),
		siteUses:     make(map[customer.SiteID]int),
		sites:        make(map[customer.SiteID]customer.Site),
		siteNames:    make(map[siteKey]customer.SiteID),

		invitations:      make(map[invite.ID]invite.Invitation),
		invitationTokens: make(map[invite.Hash]invite.ID),
		loginLinks:       make(map[invite.LoginLinkID]invite.LoginLink),
		loginLinkTokens:  make(map[invite.Hash]invite.LoginLinkID),
		accessLinks:      make(map[invite.AccessLinkID]invite.AccessLink),
		accessLinkTokens: make(map[invite.Hash]invite.AccessLinkID),
		sessions:         make(map[identity.SessionID]identity.Session),
		sessionTokens:    make(map[string]identity.SessionID),
		apiKeys:          make(map[identity.APIKeyID]identity.APIKey),
		apiKeyTokens:     make(map[string]identity.APIKeyID),
		passwords:        make(map[customer.UserID]identity.Password),
		events:           make(map[audit.ID]audit.Event),
		idempotency:      make(map[idempotencyKey]storage.IdempotencyRecord),
		outbox:           make(map[storage.OutboxID]storage.OutboxMessage),
		mailTemplates:    make(map[mailTemplateKey]storage.MailTemplate),

		products:     make(map[orders.ProductID]orders.Product),
		skus:         make(map[string]orders.ProductID),
		offers:       make(map[orders.OfferID]orders.Offer),
		offerKeys:    make(map[offerKey]orders.OfferID),
		orders:       make(map[orders.ID]orders.Order),
		orderNumbers: make(map[orders.Number]orders.ID),
		counters:     make(map[string]int64),
		items:        make(map[warehouse.ItemID]warehouse.Item),
		serials:      make(map[serialKey]warehouse.ItemID),
		movements:    make(map[warehouse.MovementID]warehouse.Movement),
	}
}

// InTx runs fn holding the write lock. It keeps fn's changes when fn returns
// nil and undoes them when fn returns an error, which is returned unchanged,
// or panics, which goes on after the undo. A ctx that is done before fn
// starts or when it returns also undoes the changes and returns ctx's error.
func (s *Store) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: beginning transaction: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	t := &tx{s: s}
	committed := false
	// Deferred rather than recovered: on a panic the undo runs while the
	// panic unwinds, and the panic goes on unchanged.
	defer func() {
		if !committed {
			t.rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: committing: %w", err)
	}
	committed = true
	return nil
}

// ReadTx runs fn holding the read lock, so it sees one snapshot; writes
// through its repos fail with storage.ErrReadOnly.
func (s *Store) ReadTx(ctx context.Context, fn func(storage.Repos) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: beginning read transaction: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return fn(&tx{s: s, readOnly: true})
}

// Ping reports an error once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: pinging: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return nil
}

// Close makes later transactions fail. It waits for running ones.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// tx is one transaction and the Repos it hands to fn.
type tx struct {
	s        *Store
	readOnly bool
	undo     []func()
}

func (t *tx) Customers() storage.CustomerRepo         { return customerRepo{t} }
func (t *tx) Users() storage.UserRepo                 { return userRepo{t} }
func (t *tx) Memberships() storage.MembershipRepo     { return membershipRepo{t} }
func (t *tx) Sites() storage.SiteRepo                 { return siteRepo{t} }
func (t *tx) Invitations() storage.InvitationRepo     { return invitationRepo{t} }
func (t *tx) LoginLinks() storage.LoginLinkRepo       { return loginLinkRepo{t} }
func (t *tx) AccessLinks() storage.AccessLinkRepo     { return accessLinkRepo{t} }
func (t *tx) Sessions() storage.SessionRepo           { return sessionRepo{t} }
func (t *tx) APIKeys() storage.APIKeyRepo             { return apiKeyRepo{t} }
func (t *tx) Passwords() storage.PasswordRepo         { return passwordRepo{t} }
func (t *tx) Audit() storage.AuditRepo                { return auditRepo{t} }
func (t *tx) Idempotency() storage.IdempotencyRepo    { return idempotencyRepo{t} }
func (t *tx) Outbox() storage.OutboxRepo              { return outboxRepo{t} }
func (t *tx) MailTemplates() storage.MailTemplateRepo { return mailTemplateRepo{t} }
func (t *tx) Products() storage.ProductRepo           { return productRepo{t} }
func (t *tx) Offers() storage.OfferRepo               { return offerRepo{t} }
func (t *tx) Orders() storage.OrderRepo               { return orderRepo{t} }
func (t *tx) Stock() storage.StockRepo                { return stockRepo{t} }

// writable refuses a write in a ReadTx.
func (t *tx) writable(op string) error {
	if t.readOnly {
		return fmt.Errorf("memory: %s: %w", op, storage.ErrReadOnly)
	}
	return nil
}

func (t *tx) rollback() {
	for _, u := range slices.Backward(t.undo) {
		u()
	}
	t.undo = nil
}

// put sets m[k] to v and records how to undo it. Every change to the store
// goes through put and remove, so rollback restores maps and indexes alike.
func put[K comparable, V any](t *tx, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	t.undo = append(t.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// remove deletes m[k], if present, and records how to undo it.
func remove[K comparable, V any](t *tx, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	t.undo = append(t.undo, func() { m[k] = old })
}

// list returns the page p of the values in m that keep accepts, ordered by
// ID, each copied by clone.
func list[K ~string, V any](m map[K]V, p storage.Page, keep func(V) bool, clone func(V) V) (storage.List[V], error) {
	return listOrdered(m, p, false, keep, clone)
}

// listOrdered is list in ascending ID order, or descending with desc.
func listOrdered[K ~string, V any](m map[K]V, p storage.Page, desc bool, keep func(V) bool, clone func(V) V) (storage.List[V], error) {
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[V]{}, err
	}
	var ids []K
	for id, v := range m {
		past := string(id) > after
		if desc {
			past = after == "" || string(id) < after
		}
		if past && keep(v) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if desc {
		slices.Reverse(ids)
	}
	ids = ids[:min(len(ids), limit+1)]
	ids, next := storage.Trim(ids, limit, func(id K) string { return string(id) })
	items := make([]V, len(ids))
	for i, id := range ids {
		items[i] = clone(m[id])
	}
	return storage.List[V]{Items: items, NextCursor: next}, nil
}
