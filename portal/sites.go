package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
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
}

// CreateSite adds a site to a customer. Staff may call it. AlreadyExists
// when the customer has a site of that name; FailedPrecondition for an
// archived customer.
func (p *Portal) CreateSite(ctx context.Context, cid customer.ID, params SiteParams) (customer.Site, error) {
	params.normalize()
	if err := validStruct(params); err != nil {
		return customer.Site{}, err
	}
	now := p.timestamp()
	s := customer.Site{
		ID:         customer.SiteID(p.ids.NewID(PrefixSite)),
		CustomerID: cid,
		Name:       params.Name,
		Version:    1,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	setIf(&s.ExternalRef, params.ExternalRef)
	err := p.write(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActSiteManage, cid, ""); err != nil {
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
		return p.publish(ctx, r, webhook.SiteCreated, cid, s)
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
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

// ListSites returns one page of a customer's sites in creation order. A
// customer user limited to some sites sees only those.
func (p *Portal) ListSites(ctx context.Context, cid customer.ID, params ListSitesParams) (List[customer.Site], error) {
	return listIn(ctx, p, "sites", ActSiteRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[customer.Site], error) {
		return r.Sites().List(ctx, storage.SiteFilter{CustomerID: cid, IDs: a.sites()}, page)
	})
}

// RenameSite renames a site, and sets its ExternalRef when params has one.
// Staff may call it. AlreadyExists when the
// customer has another site of that name; Conflict when params.Version is
// set and is not the stored version.
func (p *Portal) RenameSite(ctx context.Context, cid customer.ID, id customer.SiteID, params SiteParams) (customer.Site, error) {
	params.normalize()
	if err := validStruct(params); err != nil {
		return customer.Site{}, err
	}
	var out customer.Site
	err := p.write(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActSiteManage, cid, id); err != nil {
			return err
		}
		if _, err := getSite(ctx, r, cid, id); err != nil {
			return err
		}
		var err error
		out, err = r.Sites().Update(ctx, id, func(s *customer.Site) error {
			if params.Version != 0 {
				if err := checkVersion("site", s.Version, params.Version); err != nil {
					return err
				}
			}
			s.Name = params.Name
			setIf(&s.ExternalRef, params.ExternalRef)
			s.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return siteWriteErr(err, params.Name)
		}
		return p.publish(ctx, r, webhook.SiteUpdated, cid, out)
	})
	return out, err
}

// DeleteSite deletes a site. Staff may call it. While memberships are
// limited to the site it fails with FailedPrecondition naming them (up to
// ten): change their sites first, so no one silently gains or loses access.
func (p *Portal) DeleteSite(ctx context.Context, cid customer.ID, id customer.SiteID) error {
	return p.write(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActSiteManage, cid, id); err != nil {
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
		if err := r.Sites().Delete(ctx, id); err != nil {
			return err
		}
		return p.publish(ctx, r, webhook.SiteDeleted, cid, site)
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
