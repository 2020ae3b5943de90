package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

// ID prefixes of the supplier warehouse.
const (
	PrefixItem     = "itm"
	PrefixMovement = "mov"
)

// Actions of the supplier warehouse; RuleFor says who may do each.
const (
	// ActStockRead covers stock levels, items with their holders and an
	// item's history.
	ActStockRead Action = "stock.read"
	// ActStockIn covers stocking items in by hand.
	ActStockIn Action = "stock.in"
	// ActStockMove covers issuing an item to an employee and returning it
	// to stock.
	ActStockMove Action = "stock.move"
	// ActStockRetire covers taking an item out of service for good.
	ActStockRetire Action = "stock.retire"
)

func errItemNotFound(id warehouse.ItemID) error {
	return portalerr.New(portalerr.NotFound, "stock item %s not found", id)
}

// StockProduct names the product of an item as people know it. Levels and
// items carry it because a customer's users may not read the provider's
// products, yet need to tell what they hold.
type StockProduct struct {
	ID   orders.ProductID
	SKU  string
	Name string
}

// StockLevel is how many items of one product a customer has in each status.
type StockLevel struct {
	warehouse.Level
	Product StockProduct
}

// StockItem is an item of the supplier warehouse with its product.
type StockItem struct {
	warehouse.Item
	Product StockProduct
}

// StockItemHistory is an item with its whole ledger, oldest first: who
// stocked it in, issued it, took it back or retired it, and when.
type StockItemHistory struct {
	StockItem
	History []warehouse.Movement
}

// ListStockLevelsParams filter and page stock levels.
type ListStockLevelsParams struct {
	// ProductID counts one product only.
	ProductID orders.ProductID `json:"product_id" validate:"max=100"`
	Cursor    string           `json:"cursor" validate:"max=200"`
	Limit     int              `json:"limit" validate:"min=0,max=100"`
}

// ListStockLevels returns one page of a customer's stock levels, one per
// product it has items of (retired ones included), ordered by product ID.
// Staff and the customer's users may call it; a user limited to some sites
// counts only the items of those sites. FeatureDisabled unless the
// customer's supplier_warehouse is on.
func (p *Portal) ListStockLevels(ctx context.Context, cid customer.ID, params ListStockLevelsParams) (List[StockLevel], error) {
	if err := validStruct(params); err != nil {
		return List[StockLevel]{}, err
	}
	lc, page, err := p.openList(ctx, "stock_levels", cid, params)
	if err != nil {
		return List[StockLevel]{}, err
	}
	var out List[StockLevel]
	err = p.inWarehouse(ctx, p.read, ActStockRead, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		l, err := r.Stock().Levels(ctx, storage.LevelFilter{CustomerID: cid, ProductID: params.ProductID, SiteIDs: a.sites()}, page)
		if err != nil {
			return fmt.Errorf("portal: counting stock: %w", err)
		}
		names, err := stockProducts(ctx, r, l.Items, func(l warehouse.Level) orders.ProductID { return l.ProductID })
		if err != nil {
			return err
		}
		out = List[StockLevel]{Items: make([]StockLevel, len(l.Items)), NextCursor: l.NextCursor}
		for i, lv := range l.Items {
			out.Items[i] = StockLevel{Level: lv, Product: names[lv.ProductID]}
		}
		return nil
	})
	return sealed(ctx, lc, out, err)
}

// ListStockItemsParams filter and page a customer's stock items.
type ListStockItemsParams struct {
	ProductID orders.ProductID `json:"product_id" validate:"max=100"`
	Status    warehouse.Status `json:"status" validate:"omitempty,oneof=in_stock issued retired"`
	// SerialNumber finds the item with this serial number (compared exactly).
	SerialNumber string `json:"serial_number" validate:"max=100"`
	Cursor       string `json:"cursor" validate:"max=200"`
	Limit        int    `json:"limit" validate:"min=0,max=100"`
}

// ListStockItems returns one page of a customer's stock items, oldest
// first, each with its holder while issued. Staff and the customer's users
// may call it; a user limited to some sites sees only the items of those
// sites. FeatureDisabled unless the customer's supplier_warehouse is on.
func (p *Portal) ListStockItems(ctx context.Context, cid customer.ID, params ListStockItemsParams) (List[StockItem], error) {
	if err := validStruct(params); err != nil {
		return List[StockItem]{}, err
	}
	lc, page, err := p.openList(ctx, "stock_items", cid, params)
	if err != nil {
		return List[StockItem]{}, err
	}
	var out List[StockItem]
	err = p.inWarehouse(ctx, p.read, ActStockRead, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		l, err := r.Stock().List(ctx, storage.ItemFilter{
			CustomerID: cid, ProductID: params.ProductID, Status: params.Status, SerialNumber: params.SerialNumber, SiteIDs: a.sites(),
		}, page)
		if err != nil {
			return fmt.Errorf("portal: listing stock items: %w", err)
		}
		items, err := withProducts(ctx, r, l.Items)
		out = List[StockItem]{Items: items, NextCursor: l.NextCursor}
		return err
	})
	return sealed(ctx, lc, out, err)
}

// GetStockItem returns an item of a customer with its whole history. Staff
// and the customer's users may call it. NotFound for an item of another
// customer, and, for a user limited to some sites, for an item of any other
// site (or of none); FeatureDisabled unless the customer's
// supplier_warehouse is on.
func (p *Portal) GetStockItem(ctx context.Context, cid customer.ID, id warehouse.ItemID) (StockItemHistory, error) {
	var out StockItemHistory
	err := p.inWarehouse(ctx, p.read, ActStockRead, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		it, err := getItem(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		items, err := withProducts(ctx, r, []warehouse.Item{it})
		if err != nil {
			return err
		}
		out.StockItem = items[0]
		out.History, err = itemHistory(ctx, r, it)
		return err
	})
	return out, err
}

// StockInParams are items to stock in, and a note for their ledger.
type StockInParams struct {
	Items []StockInItemParams `json:"items" validate:"required,min=1,max=100,dive"`
	// Note goes on each item's stock_in movement ("delivered by DHL").
	Note string `json:"note" validate:"max=2000"`
}

// StockInItemParams are one device to stock in.
type StockInItemParams struct {
	// ProductID is a product of the global portfolio or one of the
	// customer's own. A deactivated product may be stocked in: the devices
	// of a discontinued model still exist.
	ProductID orders.ProductID `json:"product_id" validate:"required,max=100"`
	// SerialNumber is optional; when set it is unique within the customer.
	SerialNumber string `json:"serial_number" validate:"max=100"`
	// Condition defaults to new.
	Condition warehouse.Condition `json:"condition" validate:"omitempty,oneof=new used refurbished defective"`
	// SiteID is the customer's site the item belongs to; empty: the whole
	// customer (then members limited to some sites do not see it).
	SiteID customer.SiteID `json:"site_id" validate:"max=100"`
}

// StockIn puts devices into the supplier warehouse for a customer by hand,
// all or none, each with a stock_in movement saying who and when. Staff
// may call it. Invalid, naming items[i] and the field, for a product that
// does not exist or is another customer's, a site that is not the
// customer's, or a bad condition or serial number; AlreadyExists on
// items[i].serial_number when the customer has an item with that serial
// number (or the request names it twice); FeatureDisabled unless the
// customer's supplier_warehouse is on; FailedPrecondition for an archived
// customer. It returns the items as stored, in the order given.
func (p *Portal) StockIn(ctx context.Context, cid customer.ID, params StockInParams) ([]StockItem, error) {
	params.Note = strings.TrimSpace(params.Note)
	if err := validStruct(params); err != nil {
		return nil, err
	}
	var out []StockItem
	err := p.inWarehouse(ctx, p.write, ActStockIn, cid, func(r storage.Repos, a access, c customer.Customer) error {
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		now := p.timestamp()
		items := make([]warehouse.Item, len(params.Items))
		moves := make([]warehouse.Movement, len(params.Items))
		var errs []error
		for i, in := range params.Items {
			field := fmt.Sprintf("items[%d].", i)
			if err := checkStockInRefs(ctx, r, cid, in); err != nil {
				errs = append(errs, prefixFields(err, field))
				continue
			}
			var err error
			items[i], moves[i], err = warehouse.StockIn(warehouse.Draft{
				ID: warehouse.ItemID(p.ids.NewID(PrefixItem)), CustomerID: cid, ProductID: in.ProductID,
				SerialNumber: in.SerialNumber, Condition: in.Condition, SiteID: in.SiteID,
			}, p.act(a, now, params.Note))
			errs = append(errs, prefixFields(err, field))
		}
		if err := mergeInvalid(errs...); err != nil {
			return err
		}
		for i := range items {
			noteObject(r, string(items[i].ID))
			err := r.Stock().Create(ctx, items[i], moves[i])
			if errors.Is(err, storage.ErrAlreadyExists) && items[i].SerialNumber != "" {
				return &portalerr.Error{
					Code:    portalerr.AlreadyExists,
					Message: fmt.Sprintf("customer %s already has an item with serial number %q", cid, items[i].SerialNumber),
					Fields:  []portalerr.FieldViolation{{Field: fmt.Sprintf("items[%d].serial_number", i), Message: "is taken by another item of this customer"}},
					Err:     err,
				}
			}
			if err != nil {
				return fmt.Errorf("portal: stocking in item: %w", err)
			}
		}
		var err error
		if out, err = withProducts(ctx, r, items); err != nil {
			return err
		}
		for _, it := range out {
			if err := p.recordDiff(ctx, r, a, "stock_item.stocked", cid, string(it.ID), nil, nil, it); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// checkStockInRefs checks that an item's product exists and is global or
// the customer's own, and that its site is the customer's; Invalid on
// product_id or site_id otherwise.
func checkStockInRefs(ctx context.Context, r storage.Repos, cid customer.ID, in StockInItemParams) error {
	var bad []portalerr.FieldViolation
	prod, err := r.Products().Get(ctx, in.ProductID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		bad = append(bad, portalerr.FieldViolation{Field: "product_id", Message: fmt.Sprintf("%s is not a product", in.ProductID)})
	case err != nil:
		return fmt.Errorf("portal: loading product: %w", err)
	default:
		bad = append(bad, portalerr.FieldsOf(orders.CheckOffer(cid, prod))...)
	}
	if in.SiteID != "" {
		s, err := r.Sites().Get(ctx, in.SiteID)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && s.CustomerID != cid:
			bad = append(bad, portalerr.FieldViolation{Field: "site_id", Message: fmt.Sprintf("%s is not a site of this customer", in.SiteID)})
		case err != nil:
			return fmt.Errorf("portal: loading site: %w", err)
		}
	}
	return portalerr.InvalidFields(bad...)
}

// IssueStockItemParams hand an item to an employee.
type IssueStockItemParams struct {
	// Holder is who receives the item: a name (required), and an e-mail
	// address and an employee number when known. Employees need not be
	// users of the portal.
	Holder orders.Employee `json:"holder"`
	// EmployeeID, when set, issues the item to this employee of the
	// customer's org structure (HR sync) instead: Holder must then be
	// empty, and is taken from the employee.
	EmployeeID org.EmployeeID `json:"employee_id" validate:"max=100"`
	Note       string         `json:"note" validate:"max=2000"`
}

// IssueStockItem hands an item in stock to an employee of the customer and
// records who issued it to whom, and when. Staff and the customer's
// maintainers and admins may call it (a member limited to some sites, only
// for items of those sites; others are NotFound). Invalid without the
// holder's name or with a bad e-mail address; Conflict when another move
// took the item out of stock first (two issues of one item at once: exactly
// one wins), naming that move; FailedPrecondition for an item that is not
// in stock otherwise; FeatureDisabled unless the customer's
// supplier_warehouse is on.
func (p *Portal) IssueStockItem(ctx context.Context, cid customer.ID, id warehouse.ItemID, params IssueStockItemParams) (StockItem, error) {
	// orders.Employee's tags bound the holder's parts ("holder.name").
	if err := validStruct(params); err != nil {
		return StockItem{}, err
	}
	if params.EmployeeID != "" {
		if !params.Holder.IsZero() {
			return StockItem{}, portalerr.Invalidf("holder", "must be empty when employee_id names the holder")
		}
		return p.moveItem(ctx, ActStockMove, cid, id, params.Note, itemMove{
			verb: "issued", from: []warehouse.Status{warehouse.StatusInStock},
			load: func(ctx context.Context, r storage.Repos) (org.Employee, error) {
				e, err := getEmployee(ctx, r, cid, params.EmployeeID)
				if portalerr.CodeOf(err) == portalerr.NotFound {
					return e, portalerr.Invalidf("employee_id", "%s is not an employee of this customer", params.EmployeeID)
				}
				if err == nil && e.CheckIssuable() != nil {
					return e, portalerr.Invalidf("employee_id", "%s is %s: devices go to active employees only", e.ID, e.Status)
				}
				return e, err
			},
			to: func(it warehouse.Item, a warehouse.Act, e org.Employee) (warehouse.Item, warehouse.Movement, error) {
				return it.IssueToEmployee(a, e)
			},
		})
	}
	return p.moveItem(ctx, ActStockMove, cid, id, params.Note, itemMove{
		verb: "issued", from: []warehouse.Status{warehouse.StatusInStock},
		do: func(it warehouse.Item, a warehouse.Act) (warehouse.Item, warehouse.Movement, error) {
			return it.Issue(a, params.Holder)
		},
	})
}

// ReturnStockItemParams take an issued item back into stock.
type ReturnStockItemParams struct {
	// Condition is what the item came back in; empty keeps its condition.
	Condition warehouse.Condition `json:"condition" validate:"omitempty,oneof=new used refurbished defective"`
	Note      string              `json:"note" validate:"max=2000"`
}

// ReturnStockItem takes an issued item back into stock, to be issued again,
// and records from whom, by whom and when. Staff and the customer's
// maintainers and admins may call it (a member limited to some sites, only
// for items of those sites). Conflict when another move took the item on
// first (it was returned or retired meanwhile); FailedPrecondition for an
// item that was never issued; FeatureDisabled unless the customer's
// supplier_warehouse is on.
func (p *Portal) ReturnStockItem(ctx context.Context, cid customer.ID, id warehouse.ItemID, params ReturnStockItemParams) (StockItem, error) {
	if err := validStruct(params); err != nil {
		return StockItem{}, err
	}
	return p.moveItem(ctx, ActStockMove, cid, id, params.Note, itemMove{
		verb: "returned", from: []warehouse.Status{warehouse.StatusIssued},
		do: func(it warehouse.Item, a warehouse.Act) (warehouse.Item, warehouse.Movement, error) {
			return it.Return(a, params.Condition)
		},
	})
}

// RetireStockItemParams say why an item leaves service.
type RetireStockItemParams struct {
	// Reason is required: a written-off device should say why ("screen
	// broken", "lost by the holder").
	Reason string `json:"reason" validate:"required,max=2000"`
}

// RetireStockItem takes an item out of service for good, from stock or
// from the employee who holds it (a lost or broken device), recording the
// reason, who and when. Retiring is final and shrinks what the customer
// holds, so it is not a maintainer's everyday move: staff (agents and up),
// who receive and scrap devices, and the customer's admins, who answer for
// its equipment, may call it (an admin limited to some sites, only for
// items of those sites). Conflict when another move retired it first;
// FeatureDisabled unless the customer's supplier_warehouse is on.
func (p *Portal) RetireStockItem(ctx context.Context, cid customer.ID, id warehouse.ItemID, params RetireStockItemParams) (StockItem, error) {
	params.Reason = strings.TrimSpace(params.Reason)
	if err := validStruct(params); err != nil {
		return StockItem{}, err
	}
	return p.moveItem(ctx, ActStockRetire, cid, id, params.Reason, itemMove{
		verb: "retired", from: []warehouse.Status{warehouse.StatusInStock, warehouse.StatusIssued},
		do: func(it warehouse.Item, a warehouse.Act) (warehouse.Item, warehouse.Movement, error) {
			return it.Retire(a)
		},
	})
}

// itemMove is one of the moves of an item.
type itemMove struct {
	verb string             // as in "it can no longer be issued"
	from []warehouse.Status // the statuses the move starts from
	do   func(warehouse.Item, warehouse.Act) (warehouse.Item, warehouse.Movement, error)
	// load and to, instead of do, issue to an employee that load reads in
	// the move's transaction.
	load func(context.Context, storage.Repos) (org.Employee, error)
	to   func(warehouse.Item, warehouse.Act, org.Employee) (warehouse.Item, warehouse.Movement, error)
}

// moveItem makes mv on item id of customer cid as the caller, with note,
// and stores it with a write that is conditional on the status the move
// starts from, so that of two concurrent moves one wins.
func (p *Portal) moveItem(ctx context.Context, act Action, cid customer.ID, id warehouse.ItemID, note string, mv itemMove) (StockItem, error) {
	var out StockItem
	err := p.inWarehouse(ctx, p.write, act, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		it, err := getItem(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		var next warehouse.Item
		var m warehouse.Movement
		if mv.load != nil {
			e, lerr := mv.load(ctx, r)
			if lerr != nil {
				return lerr
			}
			next, m, err = mv.to(it, p.act(a, p.timestamp(), note), e)
		} else {
			next, m, err = mv.do(it, p.act(a, p.timestamp(), note))
		}
		if portalerr.CodeOf(err) == portalerr.FailedPrecondition {
			return lostMove(ctx, r, it, mv, err)
		}
		if err != nil {
			return err
		}
		noteObject(r, string(next.ID))
		stored, err := r.Stock().Move(ctx, next, m)
		if errors.Is(err, storage.ErrConflict) {
			// The status changed between the read and the write: a
			// backend that does not serialize writers let another move in.
			return &portalerr.Error{Code: portalerr.Conflict, Err: err,
				Message: fmt.Sprintf("item %s was moved by someone else while it was being %s; read it again", id, mv.verb)}
		}
		if err != nil {
			return fmt.Errorf("portal: moving item: %w", err)
		}
		// A locked employee whose last item came back leaves (hrsync.go).
		if stored.HolderID == "" && it.HolderID != "" {
			if err := p.offboard(ctx, r, cid, it.HolderID); err != nil {
				return err
			}
		}
		items, err := withProducts(ctx, r, []warehouse.Item{stored})
		if err != nil {
			return err
		}
		out = items[0]
		return p.recordDiff(ctx, r, a, stockActions[m.Kind], cid, string(out.ID), it, stored, out)
	})
	return out, err
}

// stockActions are the audit actions (and so webhook events) of an item's
// movements.
var stockActions = map[warehouse.MovementKind]string{
	warehouse.MoveStockIn: "stock_item.stocked",
	warehouse.MoveIssue:   "stock_item.issued",
	warehouse.MoveReturn:  "stock_item.returned",
	warehouse.MoveRetire:  "stock_item.retired",
}

// lostMove explains a move refused because the item is not in a status
// the move starts from (err, FailedPrecondition). When the move that
// brought the item to its status started from one of those, the asked move
// lost to it, made concurrently or since the caller last looked: that is a
// Conflict, naming the move that won. Otherwise the item's state does not
// allow the move, and err stands.
func lostMove(ctx context.Context, r storage.Repos, it warehouse.Item, mv itemMove, err error) error {
	last, ok, lerr := lastMovement(ctx, r, it)
	if lerr != nil {
		return lerr
	}
	if !ok || !slices.Contains(mv.from, last.From) {
		return err
	}
	what := movedAs[last.Kind]
	if last.Kind == warehouse.MoveIssue {
		what += " to " + last.Holder.Name
	}
	return portalerr.New(portalerr.Conflict, "item %s was %s by %s at %s, so it can no longer be %s; read it again",
		it.ID, what, last.By, last.At.UTC().Format(time.RFC3339), mv.verb)
}

// movedAs says what a movement did to an item, for messages.
var movedAs = map[warehouse.MovementKind]string{
	warehouse.MoveStockIn: "stocked in",
	warehouse.MoveIssue:   "issued",
	warehouse.MoveReturn:  "returned to stock",
	warehouse.MoveRetire:  "retired",
}

// act is a move made now by the caller, with a new movement ID.
func (p *Portal) act(a access, at time.Time, note string) warehouse.Act {
	return warehouse.Act{MovementID: warehouse.MovementID(p.ids.NewID(PrefixMovement)), By: a.who.Actor(), At: at, Note: note}
}

// inWarehouse runs fn in a transaction started by run (p.read or p.write)
// once the caller may do act to customer cid and the customer uses the
// supplier warehouse.
func (p *Portal) inWarehouse(ctx context.Context, run func(context.Context, func(storage.Repos) error) error,
	act Action, cid customer.ID, fn func(storage.Repos, access, customer.Customer) error) error {
	return run(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, act, cid, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := checkWarehouse(c); err != nil {
			return err
		}
		return fn(r, a, c)
	})
}

// checkWarehouse fails with FeatureDisabled unless c uses the supplier warehouse.
func checkWarehouse(c customer.Customer) error {
	return c.Features.CheckOn(c.ID, customer.FeatureSupplierWarehouse)
}

// getItem loads item id of customer cid as the caller may see it: an item
// of another customer, or, for a member limited to some sites, of another
// site, is NotFound.
func getItem(ctx context.Context, r storage.Repos, a access, cid customer.ID, id warehouse.ItemID) (warehouse.Item, error) {
	it, err := r.Stock().Get(ctx, id)
	if err != nil {
		return it, notFoundAs(err, errItemNotFound(id))
	}
	if sites := a.sites(); it.CustomerID != cid || (sites != nil && !slices.Contains(sites, it.SiteID)) {
		return warehouse.Item{}, errItemNotFound(id)
	}
	return it, nil
}

// itemHistory returns the whole ledger of it, oldest first.
func itemHistory(ctx context.Context, r storage.Repos, it warehouse.Item) ([]warehouse.Movement, error) {
	var out []warehouse.Movement
	err := eachItem(func(page storage.Page) (storage.List[warehouse.Movement], error) {
		return r.Stock().Movements(ctx, storage.MovementFilter{CustomerID: it.CustomerID, ItemID: it.ID}, page)
	}, func(m warehouse.Movement) (bool, error) {
		out = append(out, m)
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("portal: reading the history of item %s: %w", it.ID, err)
	}
	return out, nil
}

// lastMovement returns the latest movement of it, and false when it has none.
func lastMovement(ctx context.Context, r storage.Repos, it warehouse.Item) (warehouse.Movement, bool, error) {
	h, err := itemHistory(ctx, r, it)
	if err != nil || len(h) == 0 {
		return warehouse.Movement{}, false, err
	}
	return h[len(h)-1], true, nil
}

// withProducts returns items with their products.
func withProducts(ctx context.Context, r storage.Repos, items []warehouse.Item) ([]StockItem, error) {
	names, err := stockProducts(ctx, r, items, func(it warehouse.Item) orders.ProductID { return it.ProductID })
	if err != nil {
		return nil, err
	}
	out := make([]StockItem, len(items))
	for i, it := range items {
		out[i] = StockItem{Item: it, Product: names[it.ProductID]}
	}
	return out, nil
}

// stockProducts loads the products that rows name, each once.
func stockProducts[T any](ctx context.Context, r storage.Repos, rows []T, id func(T) orders.ProductID) (map[orders.ProductID]StockProduct, error) {
	out := make(map[orders.ProductID]StockProduct)
	for _, row := range rows {
		pid := id(row)
		if _, ok := out[pid]; ok {
			continue
		}
		prod, err := r.Products().Get(ctx, pid)
		if err != nil {
			return nil, fmt.Errorf("portal: loading product %s of stock: %w", pid, err)
		}
		out[pid] = StockProduct{ID: prod.ID, SKU: prod.SKU, Name: prod.Name}
	}
	return out, nil
}

// checkNoStockHeld fails with FailedPrecondition, naming how many, while
// customer cid holds items in the supplier warehouse (in stock or issued):
// turning the warehouse off then would strand them where no one can see,
// issue or return them.
func checkNoStockHeld(ctx context.Context, r storage.Repos, cid customer.ID) error {
	held := 0
	err := eachItem(func(page storage.Page) (storage.List[warehouse.Level], error) {
		return r.Stock().Levels(ctx, storage.LevelFilter{CustomerID: cid}, page)
	}, func(lv warehouse.Level) (bool, error) {
		held += lv.Held()
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("portal: counting stock: %w", err)
	}
	if held == 0 {
		return nil
	}
	return &portalerr.Error{
		Code: portalerr.FailedPrecondition,
		Message: fmt.Sprintf("customer %s still holds %d items in the supplier warehouse (in stock or issued); "+
			"return and retire them before turning supplier_warehouse off", cid, held),
		Fields: []portalerr.FieldViolation{{Field: "supplier_warehouse", Message: fmt.Sprintf("cannot be turned off while %d items are held", held)}},
	}
}
