package portal

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// ID prefixes of the portfolio and orders.
const (
	PrefixProduct = "prd"
	PrefixOffer   = "ofr"
	PrefixOrder   = "ord"
)

func errProductNotFound(id orders.ProductID) error {
	return portalerr.New(portalerr.NotFound, "product %s not found", id)
}

func errOfferNotFound(id orders.OfferID) error {
	return portalerr.New(portalerr.NotFound, "offer %s not found", id)
}

// CreateProductParams describe a new product. Text is trimmed before it is
// checked.
type CreateProductParams struct {
	// SKU is unique across all products, ignoring ASCII case.
	SKU         string       `json:"sku" validate:"required,max=64,singleline"`
	Name        string       `json:"name" validate:"required,max=200,singleline"`
	Description string       `json:"description" validate:"max=5000"`
	Category    string       `json:"category" validate:"max=100,singleline"`
	Price       orders.Money `json:"price"`
	// Inactive creates the product deactivated: in no catalogue until it
	// is activated.
	Inactive bool `json:"inactive"`
	// Attributes are free key-value pairs, within orders' attribute limits.
	Attributes map[string]string `json:"attributes"`
	// CustomerID makes a product only this customer sees; empty: the
	// global portfolio.
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
}

func (c *CreateProductParams) normalize() {
	c.SKU = strings.TrimSpace(c.SKU)
	c.Name = strings.TrimSpace(c.Name)
	c.Description = strings.TrimSpace(c.Description)
	c.Category = strings.TrimSpace(c.Category)
}

// CreateProduct adds a product to the global portfolio or, with
// params.CustomerID, a product only that customer sees. Staff admins and
// owners may call it. Invalid for bad input, and on customer_id for a
// customer that does not exist or is archived; AlreadyExists when the SKU
// is taken.
func (p *Portal) CreateProduct(ctx context.Context, params CreateProductParams) (orders.Product, error) {
	params.normalize()
	if err := mergeInvalid(validStruct(params), orders.CheckAttributes(params.Attributes)); err != nil {
		return orders.Product{}, err
	}
	now := p.timestamp()
	pr := orders.Product{
		ID:          orders.ProductID(p.ids.NewID(PrefixProduct)),
		SKU:         params.SKU,
		Name:        params.Name,
		Description: params.Description,
		Category:    params.Category,
		Price:       params.Price,
		Active:      !params.Inactive,
		Attributes:  cloneAttrs(params.Attributes),
		CustomerID:  params.CustomerID,
		Version:     1,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActProductManage, "", "")
		if err != nil {
			return err
		}
		if pr.CustomerID != "" {
			c, err := r.Customers().Get(ctx, pr.CustomerID)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				return portalerr.Invalidf("customer_id", "customer %s does not exist", pr.CustomerID)
			case err != nil:
				return fmt.Errorf("portal: loading customer: %w", err)
			case c.Archived():
				return portalerr.Invalidf("customer_id", "customer %s is archived", pr.CustomerID)
			}
		}
		noteObject(r, string(pr.ID))
		if err := productWriteErr(r.Products().Create(ctx, pr), pr.SKU); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "product.created", pr.CustomerID, string(pr.ID), nil, nil, pr)
	})
	if err != nil {
		return orders.Product{}, err
	}
	return pr, nil
}

// GetProduct returns a product. Staff may call it; customer users see
// products through their catalogue (GetCatalogue).
func (p *Portal) GetProduct(ctx context.Context, id orders.ProductID) (orders.Product, error) {
	var out orders.Product
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActProductRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = getProduct(ctx, r, id)
		return err
	})
	return out, err
}

// ListProductsParams filter and page a product list. Zero fields do not filter.
type ListProductsParams struct {
	// Global keeps the global portfolio; CustomerID keeps the products only
	// that customer sees. Not both.
	Global     bool        `json:"global"`
	CustomerID customer.ID `json:"customer_id" validate:"max=100,excluded_with=Global"`
	// Active keeps active (true) or inactive (false) products.
	Active   *bool  `json:"active"`
	Category string `json:"category" validate:"max=100,singleline"`
	// Search keeps products whose SKU or name contains this text, ignoring case.
	Search string `json:"q" validate:"max=100,singleline"`
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

// ListProducts returns one page of products in creation order. Staff may
// call it.
func (p *Portal) ListProducts(ctx context.Context, params ListProductsParams) (List[orders.Product], error) {
	params.Search = strings.TrimSpace(params.Search)
	if err := validStruct(params); err != nil {
		return List[orders.Product]{}, err
	}
	lc, page, err := p.openList(ctx, "products", "", params)
	if err != nil {
		return List[orders.Product]{}, err
	}
	var out List[orders.Product]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActProductRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = listPage(r.Products().List(ctx, storage.ProductFilter{
			Global: params.Global, CustomerID: params.CustomerID, Active: params.Active,
			Category: params.Category, Search: params.Search,
		}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// UpdateProductParams change a product. Nil fields stay as they are.
// Version must be the version the caller read.
type UpdateProductParams struct {
	Version     int64         `json:"version" validate:"required,min=1"`
	SKU         *string       `json:"sku" validate:"omitnil,min=1,max=64,singleline"`
	Name        *string       `json:"name" validate:"omitnil,min=1,max=200,singleline"`
	Description *string       `json:"description" validate:"omitnil,max=5000"`
	Category    *string       `json:"category" validate:"omitnil,max=100,singleline"`
	Price       *orders.Money `json:"price"`
	// Active deactivates (false) or activates (true) the product.
	Active *bool `json:"active"`
	// Attributes replaces all attributes; an empty map removes them.
	Attributes *map[string]string `json:"attributes"`
}

func (u *UpdateProductParams) normalize() {
	// New values, never written through the caller's pointers.
	for _, s := range []**string{&u.SKU, &u.Name, &u.Description, &u.Category} {
		if *s != nil {
			t := strings.TrimSpace(**s)
			*s = &t
		}
	}
}

// UpdateProduct changes a product. Staff admins and owners may call it.
// Conflict when params.Version is not the stored version; AlreadyExists
// when the new SKU is taken. A new name or price reaches catalogues at
// once; orders keep what they were placed with.
func (p *Portal) UpdateProduct(ctx context.Context, id orders.ProductID, params UpdateProductParams) (orders.Product, error) {
	params.normalize()
	errs := []error{validStruct(params)}
	if params.Attributes != nil {
		errs = append(errs, orders.CheckAttributes(*params.Attributes))
	}
	if err := mergeInvalid(errs...); err != nil {
		return orders.Product{}, err
	}
	var out orders.Product
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActProductManage, "", "")
		if err != nil {
			return err
		}
		var old orders.Product
		out, err = r.Products().Update(ctx, id, func(pr *orders.Product) error {
			old = *pr
			if err := checkVersion("product", pr.Version, params.Version); err != nil {
				return err
			}
			setIf(&pr.SKU, params.SKU)
			setIf(&pr.Name, params.Name)
			setIf(&pr.Description, params.Description)
			setIf(&pr.Category, params.Category)
			setIf(&pr.Price, params.Price)
			setIf(&pr.Active, params.Active)
			if params.Attributes != nil {
				pr.Attributes = cloneAttrs(*params.Attributes)
			}
			pr.UpdatedAt = p.timestamp()
			return nil
		})
		sku := ""
		if params.SKU != nil {
			sku = *params.SKU
		}
		if err := notFoundAs(productWriteErr(err, sku), errProductNotFound(id)); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "product.updated", out.CustomerID, string(id), old, out, out)
	})
	return out, err
}

// DeactivateProduct takes a product out of every catalogue; orders that
// hold it keep it. Deactivating an inactive product changes nothing.
// Staff admins and owners may call it.
func (p *Portal) DeactivateProduct(ctx context.Context, id orders.ProductID) (orders.Product, error) {
	var out orders.Product
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActProductManage, "", "")
		if err != nil {
			return err
		}
		pr, err := getProduct(ctx, r, id)
		if err != nil || !pr.Active {
			out = pr
			return err
		}
		out, err = r.Products().Update(ctx, id, func(pr *orders.Product) error {
			pr.Active = false
			pr.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "product.deactivated", out.CustomerID, string(id), pr, out, out)
	})
	return out, err
}

// getProduct loads a product, turning a storage miss into a clean NotFound.
func getProduct(ctx context.Context, r storage.Repos, id orders.ProductID) (orders.Product, error) {
	pr, err := r.Products().Get(ctx, id)
	return pr, notFoundAs(err, errProductNotFound(id))
}

// productWriteErr explains the one unique key a product write can break.
func productWriteErr(err error, sku string) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return &portalerr.Error{
			Code:    portalerr.AlreadyExists,
			Message: fmt.Sprintf("another product has the SKU %q", sku),
			Fields:  []portalerr.FieldViolation{{Field: "sku", Message: "is taken by another product"}},
			Err:     err,
		}
	}
	return err
}

func cloneAttrs(attrs map[string]string) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	return maps.Clone(attrs)
}

// CreateOfferParams put a product into a customer's catalogue at the
// customer's price.
type CreateOfferParams struct {
	ProductID orders.ProductID `json:"product_id" validate:"required,max=100"`
	Price     orders.Money     `json:"price"`
}

// CreateOffer gives a customer its own price for a product: a global
// product, which then is in the customer's catalogue even without the
// global portfolio, or one of the customer's own products. Staff admins and
// owners may call it. Invalid on product_id for a product that does not
// exist or is another customer's; AlreadyExists when the customer has an
// offer for the product; FailedPrecondition for an archived customer.
func (p *Portal) CreateOffer(ctx context.Context, cid customer.ID, params CreateOfferParams) (orders.Offer, error) {
	if err := validStruct(params); err != nil {
		return orders.Offer{}, err
	}
	now := p.timestamp()
	o := orders.Offer{
		ID: orders.OfferID(p.ids.NewID(PrefixOffer)), CustomerID: cid, ProductID: params.ProductID,
		Price: params.Price, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOfferManage, cid, "")
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
		pr, err := r.Products().Get(ctx, params.ProductID)
		if errors.Is(err, storage.ErrNotFound) {
			return portalerr.Invalidf("product_id", "product %s does not exist", params.ProductID)
		}
		if err != nil {
			return fmt.Errorf("portal: loading product: %w", err)
		}
		if err := orders.CheckOffer(cid, pr); err != nil {
			return err
		}
		noteObject(r, string(o.ID))
		err = r.Offers().Create(ctx, o)
		if errors.Is(err, storage.ErrAlreadyExists) {
			return &portalerr.Error{
				Code:    portalerr.AlreadyExists,
				Message: fmt.Sprintf("customer %s already has an offer for product %s; change its price instead", cid, pr.ID),
				Fields:  []portalerr.FieldViolation{{Field: "product_id", Message: "has an offer for this customer already"}},
				Err:     err,
			}
		}
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "offer.created", cid, string(o.ID), nil, nil, o)
	})
	if err != nil {
		return orders.Offer{}, err
	}
	return o, nil
}

// GetOffer returns one of a customer's offers. Staff may call it.
func (p *Portal) GetOffer(ctx context.Context, cid customer.ID, id orders.OfferID) (orders.Offer, error) {
	var out orders.Offer
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActOfferRead, cid, ""); err != nil {
			return err
		}
		var err error
		out, err = getOffer(ctx, r, cid, id)
		return err
	})
	return out, err
}

// ListOffersParams page a customer's offers.
type ListOffersParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListOffersParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListOffers returns one page of a customer's offers in creation order.
// Staff may call it.
func (p *Portal) ListOffers(ctx context.Context, cid customer.ID, params ListOffersParams) (List[orders.Offer], error) {
	return listIn(ctx, p, "offers", ActOfferRead, cid, params, func(r storage.Repos, _ access, page storage.Page) (storage.List[orders.Offer], error) {
		return r.Offers().List(ctx, storage.OfferFilter{CustomerID: cid}, page)
	})
}

// UpdateOfferParams change an offer's price. Version must be the version
// the caller read.
type UpdateOfferParams struct {
	Version int64        `json:"version" validate:"required,min=1"`
	Price   orders.Money `json:"price"`
}

// UpdateOffer changes the price of one of a customer's offers; orders keep
// the price they were placed at. Staff admins and owners may call it.
// Conflict when params.Version is not the stored version.
func (p *Portal) UpdateOffer(ctx context.Context, cid customer.ID, id orders.OfferID, params UpdateOfferParams) (orders.Offer, error) {
	if err := validStruct(params); err != nil {
		return orders.Offer{}, err
	}
	var out orders.Offer
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOfferManage, cid, "")
		if err != nil {
			return err
		}
		old, err := getOffer(ctx, r, cid, id)
		if err != nil {
			return err
		}
		out, err = r.Offers().Update(ctx, id, func(o *orders.Offer) error {
			if err := checkVersion("offer", o.Version, params.Version); err != nil {
				return err
			}
			o.Price = params.Price
			o.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "offer.updated", cid, string(id), old, out, out)
	})
	return out, err
}

// DeleteOffer removes one of a customer's offers: the product leaves the
// customer's catalogue, or goes back to its list price there. Staff admins
// and owners may call it.
func (p *Portal) DeleteOffer(ctx context.Context, cid customer.ID, id orders.OfferID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOfferManage, cid, "")
		if err != nil {
			return err
		}
		gone, err := getOffer(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := r.Offers().Delete(ctx, id); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "offer.deleted", cid, string(id), nil, nil, gone)
	})
}

// getOffer loads an offer of customer cid; another customer's is NotFound.
func getOffer(ctx context.Context, r storage.Repos, cid customer.ID, id orders.OfferID) (orders.Offer, error) {
	o, err := r.Offers().Get(ctx, id)
	if err != nil {
		return o, notFoundAs(err, errOfferNotFound(id))
	}
	if o.CustomerID != cid {
		return orders.Offer{}, errOfferNotFound(id)
	}
	return o, nil
}

// GetCatalogueParams page a catalogue.
type GetCatalogueParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p GetCatalogueParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// GetCatalogue returns one page of a customer's catalogue, ordered by
// product: what its users may order and at which price (see
// orders.Resolve). Staff and the customer's users (any role) may call it.
func (p *Portal) GetCatalogue(ctx context.Context, cid customer.ID, params GetCatalogueParams) (List[orders.Entry], error) {
	if err := validStruct(params); err != nil {
		return List[orders.Entry]{}, err
	}
	lc, page, err := p.openList(ctx, "catalogue", cid, params)
	if err != nil {
		return List[orders.Entry]{}, err
	}
	var out List[orders.Entry]
	err = p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActCatalogueRead, cid, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		rows, err := r.Products().Catalogue(ctx, storage.CatalogueFilter{CustomerID: cid, Global: c.Features.InheritGlobalPortfolio}, page)
		if err != nil {
			return err
		}
		out = List[orders.Entry]{Items: make([]orders.Entry, 0, len(rows.Items)), NextCursor: rows.NextCursor}
		for _, row := range rows.Items {
			if e, ok := orders.Resolve(cid, c.Features, row.Product, row.Offer); ok {
				out.Items = append(out.Items, e)
			}
		}
		return nil
	})
	return sealed(ctx, lc, out, err)
}
