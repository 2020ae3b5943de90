package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
)

// ListProducts implements oapi.StrictServerInterface.
func (s *Server) ListProducts(ctx context.Context, req oapi.ListProductsRequestObject) (oapi.ListProductsResponseObject, error) {
	q := req.Params
	params := portal.ListProductsParams{
		Global:     deref(q.Global),
		CustomerID: customer.ID(deref(q.CustomerId)),
		Active:     q.Active,
		Category:   deref(q.Category),
		Search:     deref(q.Q),
	}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	l, err := s.p.ListProducts(ctx, params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListProducts200JSONResponse{Items: make([]oapi.Product, len(l.Items)), NextCursor: l.NextCursor}
	for i, p := range l.Items {
		out.Items[i] = productOut(p)
	}
	return out, nil
}

// CreateProduct implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent).
func (s *Server) CreateProduct(ctx context.Context, req oapi.CreateProductRequestObject) (oapi.CreateProductResponseObject, error) {
	b := req.Body
	p, err := s.p.CreateProduct(ctx, portal.CreateProductParams{
		SKU:         b.Sku,
		Name:        b.Name,
		Description: deref(b.Description),
		Category:    deref(b.Category),
		Price:       moneyIn(b.Price),
		Inactive:    b.Active != nil && !*b.Active,
		Attributes:  deref(b.Attributes),
		CustomerID:  customer.ID(deref(b.CustomerId)),
	})
	if err != nil {
		return nil, err
	}
	return oapi.CreateProduct201JSONResponse{Body: productOut(p), Headers: oapi.CreateProduct201ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// GetProduct implements oapi.StrictServerInterface.
func (s *Server) GetProduct(ctx context.Context, req oapi.GetProductRequestObject) (oapi.GetProductResponseObject, error) {
	p, err := s.p.GetProduct(ctx, orders.ProductID(req.ProductId))
	if err != nil {
		return nil, err
	}
	return oapi.GetProduct200JSONResponse{Body: productOut(p), Headers: oapi.GetProduct200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// UpdateProduct implements oapi.StrictServerInterface. If-Match reaches
// the use case as the expected version.
func (s *Server) UpdateProduct(ctx context.Context, req oapi.UpdateProductRequestObject) (oapi.UpdateProductResponseObject, error) {
	version, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	b := req.Body
	params := portal.UpdateProductParams{
		Version: version, SKU: b.Sku, Name: b.Name, Description: b.Description, Category: b.Category, Active: b.Active,
	}
	if b.Price != nil {
		params.Price = ptr(moneyIn(*b.Price))
	}
	if b.Attributes != nil {
		params.Attributes = ptr(map[string]string(*b.Attributes))
	}
	p, err := s.p.UpdateProduct(ctx, orders.ProductID(req.ProductId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateProduct200JSONResponse{Body: productOut(p), Headers: oapi.UpdateProduct200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// DeactivateProduct implements oapi.StrictServerInterface.
func (s *Server) DeactivateProduct(ctx context.Context, req oapi.DeactivateProductRequestObject) (oapi.DeactivateProductResponseObject, error) {
	p, err := s.p.DeactivateProduct(ctx, orders.ProductID(req.ProductId))
	if err != nil {
		return nil, err
	}
	return oapi.DeactivateProduct200JSONResponse{Body: productOut(p), Headers: oapi.DeactivateProduct200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// ListOffers implements oapi.StrictServerInterface.
func (s *Server) ListOffers(ctx context.Context, req oapi.ListOffersRequestObject) (oapi.ListOffersResponseObject, error) {
	var params portal.ListOffersParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListOffers(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListOffers200JSONResponse{Items: make([]oapi.Offer, len(l.Items)), NextCursor: l.NextCursor}
	for i, o := range l.Items {
		out.Items[i] = offerOut(o)
	}
	return out, nil
}

// CreateOffer implements oapi.StrictServerInterface. The middleware handles
// its Idempotency-Key header (serveIdempotent).
func (s *Server) CreateOffer(ctx context.Context, req oapi.CreateOfferRequestObject) (oapi.CreateOfferResponseObject, error) {
	o, err := s.p.CreateOffer(ctx, customer.ID(req.CustomerId), portal.CreateOfferParams{
		ProductID: orders.ProductID(req.Body.ProductId), Price: moneyIn(req.Body.Price),
	})
	if err != nil {
		return nil, err
	}
	return oapi.CreateOffer201JSONResponse{Body: offerOut(o), Headers: oapi.CreateOffer201ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// GetOffer implements oapi.StrictServerInterface.
func (s *Server) GetOffer(ctx context.Context, req oapi.GetOfferRequestObject) (oapi.GetOfferResponseObject, error) {
	o, err := s.p.GetOffer(ctx, customer.ID(req.CustomerId), orders.OfferID(req.OfferId))
	if err != nil {
		return nil, err
	}
	return oapi.GetOffer200JSONResponse{Body: offerOut(o), Headers: oapi.GetOffer200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// UpdateOffer implements oapi.StrictServerInterface. If-Match reaches the
// use case as the expected version.
func (s *Server) UpdateOffer(ctx context.Context, req oapi.UpdateOfferRequestObject) (oapi.UpdateOfferResponseObject, error) {
	version, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	o, err := s.p.UpdateOffer(ctx, customer.ID(req.CustomerId), orders.OfferID(req.OfferId),
		portal.UpdateOfferParams{Version: version, Price: moneyIn(req.Body.Price)})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateOffer200JSONResponse{Body: offerOut(o), Headers: oapi.UpdateOffer200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// DeleteOffer implements oapi.StrictServerInterface.
func (s *Server) DeleteOffer(ctx context.Context, req oapi.DeleteOfferRequestObject) (oapi.DeleteOfferResponseObject, error) {
	if err := s.p.DeleteOffer(ctx, customer.ID(req.CustomerId), orders.OfferID(req.OfferId)); err != nil {
		return nil, err
	}
	return oapi.DeleteOffer204Response{}, nil
}

// GetCatalogue implements oapi.StrictServerInterface.
func (s *Server) GetCatalogue(ctx context.Context, req oapi.GetCatalogueRequestObject) (oapi.GetCatalogueResponseObject, error) {
	var params portal.GetCatalogueParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.GetCatalogue(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.GetCatalogue200JSONResponse{Items: make([]oapi.CatalogueItem, len(l.Items)), NextCursor: l.NextCursor}
	for i, e := range l.Items {
		out.Items[i] = oapi.CatalogueItem{
			ProductId:   string(e.Product.ID),
			Sku:         e.Product.SKU,
			Name:        e.Product.Name,
			Description: optString(e.Product.Description),
			Category:    optString(e.Product.Category),
			Price:       moneyOut(e.Price),
			Attributes:  attributesOut(e.Product.Attributes),
			OfferId:     optString(string(e.Offer.ID)),
		}
	}
	return out, nil
}

func moneyIn(m oapi.Money) orders.Money { return orders.Money{Amount: m.Amount, Currency: m.Currency} }

func moneyOut(m orders.Money) oapi.Money { return oapi.Money{Amount: m.Amount, Currency: m.Currency} }

// attributesOut never answers null: no attributes are an empty object.
func attributesOut(attrs map[string]string) oapi.Attributes {
	if attrs == nil {
		return oapi.Attributes{}
	}
	return attrs
}

func productOut(p orders.Product) oapi.Product {
	return oapi.Product{
		Id:          string(p.ID),
		Sku:         p.SKU,
		Name:        p.Name,
		Description: optString(p.Description),
		Category:    optString(p.Category),
		Price:       moneyOut(p.Price),
		Active:      p.Active,
		Attributes:  attributesOut(p.Attributes),
		CustomerId:  optString(string(p.CustomerID)),
		Version:     p.Version,
		CreatedAt:   p.CreatedAt,
		UpdatedAt:   p.UpdatedAt,
	}
}

func offerOut(o orders.Offer) oapi.Offer {
	return oapi.Offer{
		Id:         string(o.ID),
		CustomerId: string(o.CustomerID),
		ProductId:  string(o.ProductID),
		Price:      moneyOut(o.Price),
		Version:    o.Version,
		CreatedAt:  o.CreatedAt,
		UpdatedAt:  o.UpdatedAt,
	}
}
