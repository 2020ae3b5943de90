package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func errSiteNotFound(id customer.SiteID) error {
	return portalerr.New(portalerr.NotFound, "site %s not found", id)
}

// SiteParams name a site.
type SiteParams struct {
	// Name is unique within the customer, ignoring case.
	Name string `json:"name" validate:"required,max=200,singleline"`
	// ExternalRef is the site's key in the provider's systems. nil keeps
	// it as it is (RenameSite) or leaves it empty (CreateSite); "" clears
	// it.
	ExternalRef *string `json:"external_ref" validate:"omitnil,max=100,singleline"`
	// Address is where the site is (Line1: street and number; Country:
	// ISO 3166-1 alpha-2). nil keeps it (RenameSite) or leaves it empty.
	Address *customer.Address `json:"address"`
	// Location is the site's position; nil keeps it as it is. Its ranges
	// are checked (Invalid on "location.latitude" or
	// "location.longitude").
	Location *customer.GeoPoint `json:"location"`
	// ClearLocation removes the site's position; it cannot be combined
	// with Location.
	ClearLocation bool `json:"clear_location"`
	// Notes are free text for the people who go there; nil keeps them.
	Notes *string `json:"notes" validate:"omitnil,max=2000"`
	// Version, for RenameSite, when not zero, must be the site's stored
	// version (Conflict otherwise): how an HTTP If-Match reaches the use
	// case. CreateSite ignores it.
	Version int64 `json:"version" validate:"min=0"`
}

// normalize trims the params' text.
func (params *SiteParams) normalize() {
	params.Name = strings.TrimSpace(params.Name)
	if params.ExternalRef != nil {
		ref := strings.TrimSpace(*params.ExternalRef)
		params.ExternalRef = &ref
	}
	if params.Address != nil {
		a := params.Address.Normalize()
		params.Address = &a
	}
	if params.Notes != nil {
		n := strings.TrimSpace(*params.Notes)
		params.Notes = &n
	}
}

// validate checks params: their tags (the address's too), and the position.
func (params SiteParams) validate() error {
	errs := []error{validStruct(params)}
	if params.Location != nil {
		errs = append(errs, prefixFields(params.Location.Validate(), "location."))
		if params.ClearLocation {
			errs = append(errs, portalerr.InvalidFields(portalerr.FieldViolation{Field: "clear_location", Message: "cannot be combined with location"}))
		}
	}
	return mergeInvalid(errs...)
}

// apply sets on s what params change.
func (params SiteParams) apply(s *customer.Site) {
	s.Name = params.Name
	setIf(&s.ExternalRef, params.ExternalRef)
	setIf(&s.Address, params.Address)
	setIf(&s.Notes, params.Notes)
	if params.Location != nil {
		loc := *params.Location
		s.Location = &loc
	}
	if params.ClearLocation {
		s.Location = nil
	}
}

// CreateSite adds a site to a customer. Staff may call it. AlreadyExists
// when the customer has a site of that name; FailedPrecondition for an
// archived customer.
func (p *Portal) CreateSite(ctx context.Context, cid customer.ID, params SiteParams) (customer.Site, error) {
	params.normalize()
	if err := params.validate(); err != nil {
		return customer.Site{}, err
	}
	now := p.timestamp()
	s := customer.Site{
		ID:         customer.SiteID(p.ids.NewID(PrefixSite)),
		CustomerID: cid,
		Version:    1,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	params.apply(&s)
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSiteManage, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		noteObject(r, string(s.ID))
		if err := siteWriteErr(r.Sites().Create(ctx, s), s.Name); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "site.created", cid, string(s.ID), nil, nil, s)
	})
	if err != nil {
		return customer.Site{}, err
	}
	return s, nil
}

// GetSite returns a site of a customer. A customer user limited to some
// sites sees only those; any other is NotFound.
func (p *Portal) GetSite(ctx context.Context, cid customer.ID, id customer.SiteID) (customer.Site, error) {
	var s customer.Site
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActSiteRead, cid, id); err != nil {
			return err
		}
		var err error
		s, err = getSite(ctx, r, cid, id)
		return err
	})
	return s, err
}

// ListSitesParams page a site list.
type ListSitesParams struct {
	// Search keeps sites whose name, city or external reference contains
	// this text, ignoring case.
	Search string `json:"q" validate:"max=100,singleline"`
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

// ListSites returns one page of a customer's sites in creation order. A
// customer user limited to some sites sees only those.
func (p *Portal) ListSites(ctx context.Context, cid customer.ID, params ListSitesParams) (List[customer.Site], error) {
	params.Search = strings.TrimSpace(params.Search)
	return listIn(ctx, p, "sites", ActSiteRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[customer.Site], error) {
		return r.Sites().List(ctx, storage.SiteFilter{CustomerID: cid, IDs: a.sites(), Search: params.Search}, page)
	})
}

// RenameSite renames a site, and sets its ExternalRef, Address, Location
// and Notes when params has them (ClearLocation removes the position).
// Staff may call it. AlreadyExists when the
// customer has another site of that name; Conflict when params.Version is
// set and is not the stored version.
func (p *Portal) RenameSite(ctx context.Context, cid customer.ID, id customer.SiteID, params SiteParams) (customer.Site, error) {
	params.normalize()
	if err := params.validate(); err != nil {
		return customer.Site{}, err
	}
	var out customer.Site
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSiteManage, cid, id)
		if err != nil {
			return err
		}
		old, err := getSite(ctx, r, cid, id)
		if err != nil {
			return err
		}
		out, err = r.Sites().Update(ctx, id, func(s *customer.Site) error {
			if params.Version != 0 {
				if err := checkVersion("site", s.Version, params.Version); err != nil {
					return err
				}
			}
			params.apply(s)
			s.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return siteWriteErr(err, params.Name)
		}
		return p.recordDiff(ctx, r, a, "site.updated", cid, string(id), old, out, out)
	})
	return out, err
}

// DeleteSite deletes a site. Staff may call it. While memberships are
// limited to the site it fails with FailedPrecondition naming them (up to
// ten): change their sites first, so no one silently gains or loses access.
// A site with field-service jobs is kept for their history
// (FailedPrecondition).
func (p *Portal) DeleteSite(ctx context.Context, cid customer.ID, id customer.SiteID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSiteManage, cid, id)
		if err != nil {
			return err
		}
		site, err := getSite(ctx, r, cid, id)
		if err != nil {
			return err
		}
		held, err := r.Memberships().List(ctx, storage.MembershipFilter{CustomerID: cid, SiteID: id}, storage.Page{Limit: 10})
		if err != nil {
			return fmt.Errorf("portal: listing memberships of site: %w", err)
		}
		if len(held.Items) > 0 {
			ids := make([]string, len(held.Items))
			for i, m := range held.Items {
				ids[i] = string(m.ID)
			}
			more := ""
			if held.NextCursor != "" {
				more = " and more"
			}
			return portalerr.New(portalerr.FailedPrecondition,
				"site %s is still assigned to memberships %s%s; remove it from their sites first", id, strings.Join(ids, ", "), more)
		}
		jobs, err := r.Jobs().List(ctx, storage.JobFilter{CustomerID: cid, SiteIDs: []customer.SiteID{id}}, storage.Page{Limit: 1})
		if err != nil {
			return fmt.Errorf("portal: listing jobs of site: %w", err)
		}
		if len(jobs.Items) > 0 {
			return portalerr.New(portalerr.FailedPrecondition, "site %s has field-service jobs, whose history stays; it cannot be deleted", id)
		}
		if err := r.Sites().Delete(ctx, id); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "site.deleted", cid, string(id), nil, nil, site)
	})
}

// getSite loads a site of customer cid; a site of another customer is NotFound.
func getSite(ctx context.Context, r storage.Repos, cid customer.ID, id customer.SiteID) (customer.Site, error) {
	s, err := r.Sites().Get(ctx, id)
	if err != nil {
		return s, notFoundAs(err, errSiteNotFound(id))
	}
	if s.CustomerID != cid {
		return customer.Site{}, errSiteNotFound(id)
	}
	return s, nil
}

func siteWriteErr(err error, name string) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return &portalerr.Error{
			Code:    portalerr.AlreadyExists,
			Message: fmt.Sprintf("the customer already has a site named %q", name),
			Fields:  []portalerr.FieldViolation{{Field: "name", Message: "is taken by another site of this customer"}},
			Err:     err,
		}
	}
	return err
}

// MoveSiteParams say where a site goes.
type MoveSiteParams struct {
	// To is the customer the site moves to.
	To customer.ID `json:"customer_id" validate:"required,max=100"`
	// Version, when not zero, must be the site's stored version (Conflict
	// otherwise).
	Version int64 `json:"version" validate:"min=0"`
}

// MoveSite gives a site of customer cid to another customer, as when a
// building changes hands. Staff may call it. The site keeps its ID, name
// and address; what happened there before (orders, tickets, stock moves)
// stays with the customer it happened for. Memberships of cid that name the
// site among others lose it; a membership limited to this site alone, or a
// pending invitation naming it, fails the move with FailedPrecondition
// naming them, since dropping the site would widen their access to all of
// cid's sites. NotFound for an unknown target customer; FailedPrecondition
// for an archived one; AlreadyExists when it has a site of the same name.
func (p *Portal) MoveSite(ctx context.Context, cid customer.ID, id customer.SiteID, params MoveSiteParams) (customer.Site, error) {
	params.To = customer.ID(strings.TrimSpace(string(params.To)))
	if err := validStruct(params); err != nil {
		return customer.Site{}, err
	}
	var out customer.Site
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSiteMove, cid, id)
		if err != nil {
			return err
		}
		s, err := getSite(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := s.CheckMoveTo(params.To); err != nil {
			return err
		}
		if params.Version != 0 {
			if err := checkVersion("site", s.Version, params.Version); err != nil {
				return err
			}
		}
		to, err := getCustomer(ctx, r, params.To)
		if err != nil {
			return err
		}
		if err := to.CheckNotArchived(); err != nil {
			return err
		}
		if err := checkSiteHeldAlone(ctx, r, cid, id, p.timestamp()); err != nil {
			return err
		}
		noteObject(r, string(id))
		out, err = r.Sites().Move(ctx, id, params.To, s.Version, p.timestamp())
		if err != nil {
			return siteWriteErr(err, s.Name)
		}
		// The site is the new customer's now, and so is its event.
		return p.recordDiff(ctx, r, a, "site.moved", params.To, string(id), s, out, out)
	})
	return out, err
}

// checkSiteHeldAlone fails with FailedPrecondition when a membership of
// cid is limited to site id alone, or a pending invitation names it.
func checkSiteHeldAlone(ctx context.Context, r storage.Repos, cid customer.ID, id customer.SiteID, now time.Time) error {
	const most = 10 // named in the error at most
	var held []string
	err := eachItem(func(page storage.Page) (storage.List[customer.Membership], error) {
		return r.Memberships().List(ctx, storage.MembershipFilter{CustomerID: cid, SiteID: id}, page)
	}, func(m customer.Membership) (bool, error) {
		if len(m.SiteIDs) == 1 {
			held = append(held, "membership "+string(m.ID))
		}
		return len(held) >= most, nil
	})
	if err != nil {
		return fmt.Errorf("portal: listing memberships of site: %w", err)
	}
	if len(held) < most {
		err = eachItem(func(page storage.Page) (storage.List[invite.Invitation], error) {
			return r.Invitations().List(ctx, storage.InvitationFilter{CustomerID: cid, State: invite.StatePending, Now: now}, page)
		}, func(inv invite.Invitation) (bool, error) {
			if slices.Contains(inv.SiteIDs, id) {
				held = append(held, "invitation "+string(inv.ID))
			}
			return len(held) >= most, nil
		})
		if err != nil {
			return fmt.Errorf("portal: listing invitations of site: %w", err)
		}
	}
	if len(held) == 0 {
		return nil
	}
	return portalerr.New(portalerr.FailedPrecondition,
		"site %s is all that %s may reach; change their sites (or revoke the invitations) first", id, strings.Join(held, ", "))
}
