package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// CreateCustomerParams are the inputs of CreateCustomer. Text is trimmed
// before it is checked.
type CreateCustomerParams struct {
	Name         string           `json:"name" validate:"required,max=200,singleline"`
	LegalName    string           `json:"legal_name" validate:"max=200,singleline"`
	VATID        string           `json:"vat_id" validate:"max=32,singleline"`
	ContactEmail string           `json:"contact_email" validate:"omitempty,max=254,email"`
	Phone        string           `json:"phone" validate:"max=40,singleline"`
	Address      customer.Address `json:"address"`
	// ExternalRef is the customer's key in the provider's ERP; unique when set.
	ExternalRef string `json:"external_ref" validate:"max=100,singleline"`
	// ParentID makes the new customer a sub-customer of an active or
	// suspended customer, at most customer.MaxDepth levels deep.
	ParentID customer.ID `json:"parent_id" validate:"max=100"`
	// Features changes customer.DefaultFeatures for the new customer.
	Features customer.FeaturesPatch `json:"features"`
	// Branding is the customer's own look and host name (see
	// customer.Branding); zero for the provider's. The host name is unique
	// across customers.
	Branding customer.Branding `json:"branding"`
	// FirstUser, when set, invites the customer's first user in the same
	// transaction; that user becomes the customer's admin.
	FirstUser *FirstUserParams `json:"first_user"`
}

// FirstUserParams invite a new customer's first user.
type FirstUserParams struct {
	Email string `json:"email" validate:"required,max=254"`
	// Message is a personal note that goes into the invitation e-mail.
	Message string `json:"message" validate:"max=2000"`
	// ExpiresIn works as in InviteParams.
	ExpiresIn time.Duration `json:"expires_in"`
}

func (c *CreateCustomerParams) normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.LegalName = strings.TrimSpace(c.LegalName)
	c.VATID = strings.TrimSpace(c.VATID)
	c.ContactEmail = strings.TrimSpace(c.ContactEmail)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Address = c.Address.Normalize()
	c.ExternalRef = strings.TrimSpace(c.ExternalRef)
}

// CreateCustomer creates an active customer. Staff admins and owners may
// call it. It fails with Invalid for bad input (branding fields are named
// "branding.host_name", …), with Invalid on parent_id for a missing,
// archived or too deep parent, with AlreadyExists when the external
// reference or the host name is taken, and with LicenseRequired when
// Features turns on hr_sync without the provider's entitlement.
func (p *Portal) CreateCustomer(ctx context.Context, params CreateCustomerParams) (customer.Customer, error) {
	c, email, ttl, err := p.buildCustomer(&params)
	if err != nil {
		return customer.Customer{}, err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActCustomerCreate, "", "")
		if err != nil {
			return err
		}
		if err := p.storeCustomer(ctx, r, c); err != nil {
			return err
		}
		if err := p.recordDiff(ctx, r, a, "customer.created", c.ID, string(c.ID), nil, nil, c); err != nil {
			return err
		}
		if params.FirstUser != nil {
			inv, err := p.createInvitation(ctx, r, c, invite.Invitation{
				Email: email, Role: customer.RoleAdmin, Message: strings.TrimSpace(params.FirstUser.Message),
				InvitedBy: a.who.Actor(), FirstAdmin: true,
			}, ttl)
			if err != nil {
				return err
			}
			return p.recordDiff(ctx, r, a, "invitation.created", c.ID, string(inv.ID), nil, nil, inv)
		}
		return nil
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return c, nil
}

// buildCustomer checks params (normalised in place) and returns the new
// customer CreateCustomer stores, and for params.FirstUser the invitee's
// normalised address and the invitation's lifetime.
func (p *Portal) buildCustomer(params *CreateCustomerParams) (customer.Customer, string, time.Duration, error) {
	params.normalize()
	var (
		email string
		ttl   time.Duration
		errs  = []error{validStruct(params), p.checkBranding(&params.Branding)}
	)
	if params.FirstUser != nil {
		var emailErr, ttlErr error
		email, emailErr = customer.NormalizeEmail(params.FirstUser.Email)
		ttl, ttlErr = invite.TTL(params.FirstUser.ExpiresIn)
		errs = append(errs, prefixFields(emailErr, "first_user."), prefixFields(ttlErr, "first_user."))
	}
	if err := mergeInvalid(errs...); err != nil {
		return customer.Customer{}, "", 0, err
	}
	features, err := customer.DefaultFeatures().Apply(params.Features, p.ent)
	if err != nil {
		return customer.Customer{}, "", 0, prefixFields(err, "features.")
	}
	now := p.timestamp()
	c := customer.Customer{
		ID:           customer.ID(p.ids.NewID(PrefixCustomer)),
		Name:         params.Name,
		LegalName:    params.LegalName,
		VATID:        params.VATID,
		ContactEmail: params.ContactEmail,
		Phone:        params.Phone,
		Address:      params.Address,
		ExternalRef:  params.ExternalRef,
		ParentID:     params.ParentID,
		Status:       customer.StatusActive,
		Features:     features,
		Branding:     params.Branding,
		Version:      1,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	return c, email, ttl, nil
}

// storeCustomer checks c's parent and stores c, in r; the caller records
// its creation.
func (p *Portal) storeCustomer(ctx context.Context, r storage.Repos, c customer.Customer) error {
	if c.ParentID != "" {
		if err := checkParent(ctx, r, c.ID, c.ParentID, 1); err != nil {
			return err
		}
	}
	noteObject(r, string(c.ID))
	return customerWriteErr(r.Customers().Create(ctx, c))
}

// GetCustomer returns a customer. Staff may read any customer; a customer
// user only its own (any other is NotFound).
func (p *Portal) GetCustomer(ctx context.Context, id customer.ID) (customer.Customer, error) {
	var c customer.Customer
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActCustomerRead, id, ""); err != nil {
			return err
		}
		var err error
		c, err = getCustomer(ctx, r, id)
		return err
	})
	return c, err
}

// ListCustomersParams filter and page a customer list.
type ListCustomersParams struct {
	// Statuses keeps customers in any of these states; empty keeps all.
	Statuses []customer.Status `json:"status" validate:"max=3,dive,oneof=active suspended archived"`
	// ParentID keeps the sub-customers of this customer.
	ParentID customer.ID `json:"parent_id" validate:"max=100"`
	// Search keeps customers whose name, contact e-mail or external
	// reference contains this text, ignoring case.
	Search string `json:"q" validate:"max=100,singleline"`
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

// ListCustomers returns one page of customers ordered by creation. Staff see
// all customers; a customer user sees only its own, or, with ParentID set
// to its own customer or one of its sub-customers, that one's children
// (the policy's SubCustomers rule); another ParentID is NotFound.
func (p *Portal) ListCustomers(ctx context.Context, params ListCustomersParams) (List[customer.Customer], error) {
	params.Search = strings.TrimSpace(params.Search)
	if err := validStruct(params); err != nil {
		return List[customer.Customer]{}, err
	}
	lc, page, err := p.openList(ctx, "customers", "", params)
	if err != nil {
		return List[customer.Customer]{}, err
	}
	var out List[customer.Customer]
	err = p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActCustomerRead, "", "")
		if err != nil {
			return err
		}
		f := storage.CustomerFilter{Statuses: params.Statuses, ParentID: params.ParentID, Search: params.Search}
		if a.user() && params.ParentID != "" {
			// Authorized for the parent: its children are below the caller's customer.
			if _, err := p.authorize(ctx, r, ActCustomerRead, params.ParentID, ""); err != nil {
				return err
			}
			f.Statuses = []customer.Status{customer.StatusActive}
		} else if a.user() {
			f.IDs = []customer.ID{a.membership.CustomerID}
		}
		out, err = listPage(r.Customers().List(ctx, f, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// UpdateCustomerParams change a customer's details. Nil fields stay as they
// are. Version must be the version the caller read.
type UpdateCustomerParams struct {
	Version      int64             `json:"version" validate:"required,min=1"`
	Name         *string           `json:"name" validate:"omitnil,min=1,max=200,singleline"`
	LegalName    *string           `json:"legal_name" validate:"omitnil,max=200,singleline"`
	VATID        *string           `json:"vat_id" validate:"omitnil,max=32,singleline"`
	ContactEmail *string           `json:"contact_email" validate:"omitnil,max=254"` // "" clears it; see contactEmailCheck
	Phone        *string           `json:"phone" validate:"omitnil,max=40,singleline"`
	Address      *customer.Address `json:"address"`
	ExternalRef  *string           `json:"external_ref" validate:"omitnil,max=100,singleline"`
	// ParentID moves the customer under another one; a pointer to "" makes
	// it a top-level customer.
	ParentID *customer.ID `json:"parent_id" validate:"omitnil,max=100"`
	// Branding replaces the customer's branding as a whole: a field left
	// empty falls back to the provider's, and the zero Branding goes back
	// to the provider's look and frees the host name.
	Branding *customer.Branding `json:"branding"`
}

func (u *UpdateCustomerParams) normalize() {
	// New values, never written through the caller's pointers: a caller
	// may share what they point to (another goroutine may be reading it).
	for _, s := range []**string{&u.Name, &u.LegalName, &u.VATID, &u.ContactEmail, &u.Phone, &u.ExternalRef} {
		if *s != nil {
			t := strings.TrimSpace(**s)
			*s = &t
		}
	}
	if u.Address != nil {
		a := u.Address.Normalize()
		u.Address = &a
	}
	if u.Branding != nil {
		b := *u.Branding // checkBranding normalises it in place
		u.Branding = &b
	}
}

// contactEmailCheck checks a new contact e-mail address, if any: the
// validator's omitempty does not look through a pointer, so a pointer to
// "" (which clears the address) is checked here.
func contactEmailCheck(email *string) error {
	if email == nil {
		return nil
	}
	return validStruct(struct {
		ContactEmail string `json:"contact_email" validate:"omitempty,email"`
	}{*email})
}

// UpdateCustomer changes a customer's details. Staff admins and owners may
// call it; the branding too, since a host name needs the provider's DNS
// and TLS set-up, and a logo on the sign-in pages is the provider's to
// vouch for. It fails with Conflict when params.Version is not the stored
// version, with FailedPrecondition for an archived customer, with Invalid on
// parent_id for a move that would make a cycle or nest too deep, and with
// AlreadyExists when the external reference or the host name is taken.
func (p *Portal) UpdateCustomer(ctx context.Context, id customer.ID, params UpdateCustomerParams) (customer.Customer, error) {
	params.normalize()
	errs := []error{validStruct(params), contactEmailCheck(params.ContactEmail)}
	if params.Branding != nil {
		errs = append(errs, p.checkBranding(params.Branding))
	}
	if err := mergeInvalid(errs...); err != nil {
		return customer.Customer{}, err
	}
	var out customer.Customer
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActCustomerUpdate, id, "")
		if err != nil {
			return err
		}
		var changes []audit.Change
		if out, changes, err = p.updateCustomer(ctx, r, id, params); err != nil {
			return err
		}
		return p.recordChanges(ctx, r, a.who.Actor(), "customer.updated", id, string(id), changes, out)
	})
	return out, err
}

// updateCustomer is UpdateCustomer's change after its checks of params
// and of the caller, in the caller's transaction r: a master-data change
// a ticket asks for is applied through it too (ApplyMasterDataChange).
// It returns the customer and the fields that changed, which the caller
// records.
func (p *Portal) updateCustomer(ctx context.Context, r storage.Repos, id customer.ID, params UpdateCustomerParams) (customer.Customer, []audit.Change, error) {
	if params.ParentID != nil && *params.ParentID != "" {
		h, err := subtreeHeight(ctx, r, id)
		if err != nil {
			return customer.Customer{}, nil, err
		}
		if err := checkParent(ctx, r, id, *params.ParentID, h); err != nil {
			return customer.Customer{}, nil, err
		}
	}
	var old customer.Customer
	out, err := r.Customers().Update(ctx, id, func(c *customer.Customer) error {
		old = *c
		if err := checkVersion("customer", c.Version, params.Version); err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		setIf(&c.Name, params.Name)
		setIf(&c.LegalName, params.LegalName)
		setIf(&c.VATID, params.VATID)
		setIf(&c.ContactEmail, params.ContactEmail)
		setIf(&c.Phone, params.Phone)
		setIf(&c.Address, params.Address)
		setIf(&c.ExternalRef, params.ExternalRef)
		setIf(&c.ParentID, params.ParentID)
		setIf(&c.Branding, params.Branding)
		c.UpdatedAt = p.timestamp()
		return nil
	})
	if err != nil {
		return out, nil, notFoundAs(customerWriteErr(err), errCustomerNotFound(id))
	}
	return out, fieldChanges(old, out), nil
}

// SuspendCustomer suspends a customer: its users are refused from their next
// call on, until ReactivateCustomer. Suspending a suspended customer changes
// nothing. Staff admins and owners may call it; FailedPrecondition for an
// archived customer.
func (p *Portal) SuspendCustomer(ctx context.Context, id customer.ID) (customer.Customer, error) {
	return p.setCustomerStatus(ctx, id, customer.StatusSuspended)
}

// ReactivateCustomer makes a suspended customer active again. Staff admins
// and owners may call it; FailedPrecondition for an archived customer.
func (p *Portal) ReactivateCustomer(ctx context.Context, id customer.ID) (customer.Customer, error) {
	return p.setCustomerStatus(ctx, id, customer.StatusActive)
}

// ArchiveCustomer archives a customer for good: it is kept for history, its
// users are refused, and it can no longer be changed or reactivated. Staff
// admins and owners may call it.
func (p *Portal) ArchiveCustomer(ctx context.Context, id customer.ID) (customer.Customer, error) {
	return p.setCustomerStatus(ctx, id, customer.StatusArchived)
}

func (p *Portal) setCustomerStatus(ctx context.Context, id customer.ID, next customer.Status) (customer.Customer, error) {
	var out customer.Customer
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActCustomerStatus, id, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, id)
		if err != nil {
			return err
		}
		if _, err := c.Status.Transition(next); err != nil || c.Status == next {
			out = c
			return err
		}
		out, err = r.Customers().Update(ctx, id, func(c *customer.Customer) error {
			c.Status = next
			c.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		if err := p.recordChanges(ctx, r, a.who.Actor(), "customer.status_changed", id, string(id),
			[]audit.Change{{Field: "status", Before: string(c.Status), After: string(next)}}, out); err != nil {
			return err
		}
		if next == customer.StatusActive {
			return nil
		}
		// Sessions end now, so reactivating the customer later does not
		// revive old bearer tokens.
		if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{CustomerID: id}); err != nil {
			return fmt.Errorf("portal: ending sessions: %w", err)
		}
		return nil
	})
	return out, err
}

// getCustomer loads a customer, turning a storage miss into a clean NotFound.
func getCustomer(ctx context.Context, r storage.Repos, id customer.ID) (customer.Customer, error) {
	c, err := r.Customers().Get(ctx, id)
	return c, notFoundAs(err, errCustomerNotFound(id))
}

// checkParent checks that parent can hold customer id whose subtree is
// height levels tall: it exists, is not archived, is not id or one of its
// descendants, and the result is at most customer.MaxDepth deep.
func checkParent(ctx context.Context, r storage.Repos, id, parent customer.ID, height int) error {
	depth := 0
	for cur := parent; cur != ""; depth++ {
		if cur == id {
			return portalerr.Invalidf("parent_id", "would make the customer its own ancestor")
		}
		if depth+height >= customer.MaxDepth {
			return portalerr.Invalidf("parent_id", "customers nest at most %d levels deep", customer.MaxDepth)
		}
		c, err := r.Customers().Get(ctx, cur)
		if errors.Is(err, storage.ErrNotFound) {
			return portalerr.Invalidf("parent_id", "customer %s does not exist", cur)
		}
		if err != nil {
			return fmt.Errorf("portal: loading parent customer: %w", err)
		}
		if cur == parent && c.Archived() {
			return portalerr.Invalidf("parent_id", "customer %s is archived", cur)
		}
		cur = c.ParentID
	}
	return nil
}

// subtreeHeight returns how many levels customer id and its descendants
// span: 1 for a customer without children. It looks at most
// customer.MaxDepth levels down, since nothing deeper can exist.
func subtreeHeight(ctx context.Context, r storage.Repos, id customer.ID) (int, error) {
	level := []customer.ID{id}
	height := 0
	for len(level) > 0 && height <= customer.MaxDepth {
		height++
		var next []customer.ID
		for _, parent := range level {
			err := eachItem(func(page storage.Page) (storage.List[customer.Customer], error) {
				return r.Customers().List(ctx, storage.CustomerFilter{ParentID: parent}, page)
			}, func(c customer.Customer) (bool, error) {
				next = append(next, c.ID)
				return false, nil
			})
			if err != nil {
				return 0, fmt.Errorf("portal: listing sub-customers: %w", err)
			}
		}
		level = next
	}
	return height, nil
}

// customerWriteErr explains the unique key a customer write broke: the
// host name, or else the external reference (IDs are new).
func customerWriteErr(err error) error {
	if errors.Is(err, storage.ErrHostNameTaken) {
		return &portalerr.Error{
			Code:    portalerr.AlreadyExists,
			Message: "another customer has this host name",
			Fields:  []portalerr.FieldViolation{{Field: "branding.host_name", Message: "is taken by another customer"}},
			Err:     err,
		}
	}
	if errors.Is(err, storage.ErrAlreadyExists) {
		return &portalerr.Error{
			Code:    portalerr.AlreadyExists,
			Message: "another customer has this external reference",
			Fields:  []portalerr.FieldViolation{{Field: "external_ref", Message: "is taken by another customer"}},
			Err:     err,
		}
	}
	return err
}
