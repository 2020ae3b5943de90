package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/warehouse"
)

// ListStockLevels implements oapi.StrictServerInterface.
func (s *Server) ListStockLevels(ctx context.Context, req oapi.ListStockLevelsRequestObject) (oapi.ListStockLevelsResponseObject, error) {
	params := portal.ListStockLevelsParams{ProductID: orders.ProductID(deref(req.Params.ProductId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListStockLevels(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListStockLevels200JSONResponse{Items: make([]oapi.StockLevel, len(l.Items)), NextCursor: l.NextCursor}
	for i, lv := range l.Items {
		out.Items[i] = oapi.StockLevel{Product: stockProductOut(lv.Product), InStock: lv.InStock, Issued: lv.Issued, Retired: lv.Retired}
	}
	return out, nil
}

// ListStockItems implements oapi.StrictServerInterface.
func (s *Server) ListStockItems(ctx context.Context, req oapi.ListStockItemsRequestObject) (oapi.ListStockItemsResponseObject, error) {
	params := portal.ListStockItemsParams{
		ProductID:    orders.ProductID(deref(req.Params.ProductId)),
		Status:       warehouse.Status(deref(req.Params.Status)),
		SerialNumber: deref(req.Params.SerialNumber),
	}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListStockItems(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ListStockItems200JSONResponse{Items: stockItemsOut(l.Items), NextCursor: l.NextCursor}, nil
}

// StockIn implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) StockIn(ctx context.Context, req oapi.StockInRequestObject) (oapi.StockInResponseObject, error) {
	params := portal.StockInParams{Note: deref(req.Body.Note), Items: make([]portal.StockInItemParams, len(req.Body.Items))}
	for i, in := range req.Body.Items {
		params.Items[i] = portal.StockInItemParams{
			ProductID:    orders.ProductID(in.ProductId),
			SerialNumber: deref(in.SerialNumber),
			Condition:    warehouse.Condition(deref(in.Condition)),
			SiteID:       customer.SiteID(deref(in.SiteId)),
		}
	}
	items, err := s.p.StockIn(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.StockIn201JSONResponse{Items: stockItemsOut(items)}, nil
}

// GetStockItem implements oapi.StrictServerInterface.
func (s *Server) GetStockItem(ctx context.Context, req oapi.GetStockItemRequestObject) (oapi.GetStockItemResponseObject, error) {
	h, err := s.p.GetStockItem(ctx, customer.ID(req.CustomerId), warehouse.ItemID(req.ItemId))
	if err != nil {
		return nil, err
	}
	out := oapi.GetStockItem200JSONResponse{Item: stockItemOut(h.StockItem), History: make([]oapi.StockMovement, len(h.History))}
	for i, m := range h.History {
		out.History[i] = stockMovementOut(m)
	}
	return out, nil
}

// IssueStockItem implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent), so that a retried
// issue answers as the first did rather than with a conflict.
func (s *Server) IssueStockItem(ctx context.Context, req oapi.IssueStockItemRequestObject) (oapi.IssueStockItemResponseObject, error) {
	params := portal.IssueStockItemParams{EmployeeID: org.EmployeeID(deref(req.Body.EmployeeId)), Note: deref(req.Body.Note)}
	if req.Body.Holder != nil {
		params.Holder = holderIn(*req.Body.Holder)
	}
	it, err := s.p.IssueStockItem(ctx, customer.ID(req.CustomerId), warehouse.ItemID(req.ItemId), params)
	if err != nil {
		return nil, err
	}
	return oapi.IssueStockItem200JSONResponse(stockItemOut(it)), nil
}

// ReturnStockItem implements oapi.StrictServerInterface. The body is optional.
func (s *Server) ReturnStockItem(ctx context.Context, req oapi.ReturnStockItemRequestObject) (oapi.ReturnStockItemResponseObject, error) {
	var params portal.ReturnStockItemParams
	if b := req.Body; b != nil {
		params.Condition = warehouse.Condition(deref(b.Condition))
		params.Note = deref(b.Note)
	}
	it, err := s.p.ReturnStockItem(ctx, customer.ID(req.CustomerId), warehouse.ItemID(req.ItemId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ReturnStockItem200JSONResponse(stockItemOut(it)), nil
}

// RetireStockItem implements oapi.StrictServerInterface.
func (s *Server) RetireStockItem(ctx context.Context, req oapi.RetireStockItemRequestObject) (oapi.RetireStockItemResponseObject, error) {
	it, err := s.p.RetireStockItem(ctx, customer.ID(req.CustomerId), warehouse.ItemID(req.ItemId), portal.RetireStockItemParams{Reason: req.Body.Reason})
	if err != nil {
		return nil, err
	}
	return oapi.RetireStockItem200JSONResponse(stockItemOut(it)), nil
}

func stockProductOut(p portal.StockProduct) oapi.StockProduct {
	return oapi.StockProduct{Id: string(p.ID), Sku: p.SKU, Name: p.Name}
}

func stockItemOut(it portal.StockItem) oapi.StockItem {
	return oapi.StockItem{
		Id:               string(it.ID),
		CustomerId:       string(it.CustomerID),
		Product:          stockProductOut(it.Product),
		SerialNumber:     optString(it.SerialNumber),
		Condition:        oapi.StockCondition(it.Condition),
		SiteId:           optString(string(it.SiteID)),
		Status:           oapi.StockItemStatus(it.Status),
		Holder:           holderOut(it.Holder),
		HolderEmployeeId: optString(string(it.HolderID)),
		OrderId:          optString(string(it.OrderID)),
		Version:          it.Version,
		CreatedAt:        it.CreatedAt,
		UpdatedAt:        it.UpdatedAt,
	}
}

func stockItemsOut(items []portal.StockItem) []oapi.StockItem {
	out := make([]oapi.StockItem, len(items))
	for i, it := range items {
		out[i] = stockItemOut(it)
	}
	return out
}

func stockMovementOut(m warehouse.Movement) oapi.StockMovement {
	out := oapi.StockMovement{
		Id:        string(m.ID),
		Kind:      oapi.StockMovementKind(m.Kind),
		To:        oapi.StockItemStatus(m.To),
		Holder:    holderOut(m.Holder),
		Condition: oapi.StockCondition(m.Condition),
		OrderId:   optString(string(m.OrderID)),
		At:        m.At,
		By:        m.By,
		Note:      optString(m.Note),
	}
	if m.From != "" {
		out.From = ptr(oapi.StockItemStatus(m.From))
	}
	return out
}

// holderOut returns nil for nobody, so that an item in stock has no holder in JSON.
func holderOut(e orders.Employee) *oapi.Employee {
	if e.IsZero() {
		return nil
	}
	out := &oapi.Employee{Name: e.Name, EmployeeNumber: optString(e.EmployeeNumber)}
	if e.Email != "" {
		out.Email = ptr(openapi_types.Email(e.Email))
	}
	return out
}

func holderIn(e oapi.Employee) orders.Employee {
	return orders.Employee{Name: e.Name, Email: string(deref(e.Email)), EmployeeNumber: deref(e.EmployeeNumber)}
}
