package portal

import (
	"context"
	"errors"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/valid"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// setIf sets *dst to *v when v is not nil.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// checkVersion fails with Conflict when the caller read another version than the stored one.
func checkVersion(what string, stored, given int64) error {
	if stored != given {
		return portalerr.New(portalerr.Conflict, "%s has changed: you read version %d, it is now at version %d; read it again", what, given, stored)
	}
	return nil
}

// notFoundAs replaces a storage miss by a NotFound error that names what
// the caller asked for. Other errors pass through unchanged.
func notFoundAs(err error, nf error) error {
	var pe *portalerr.Error
	if errors.Is(err, storage.ErrNotFound) && errors.As(err, &pe) && pe.Message == "" {
		return nf
	}
	return err
}

// prefixFields puts prefix before every field name of an Invalid or
// LicenseRequired error, for rules checked on a nested part of the input.
func prefixFields(err error, prefix string) error {
	var pe *portalerr.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 {
		return err
	}
	out := *pe
	out.Fields = make([]portalerr.FieldViolation, len(pe.Fields))
	for i, f := range pe.Fields {
		out.Fields[i] = portalerr.FieldViolation{Field: prefix + f.Field, Message: f.Message}
	}
	return &out
}

// validStruct checks a params struct's validate tags.
func validStruct(params any) error { return valid.Struct(params) }

// mergeInvalid returns one Invalid error holding the field violations of all
// the given errors, so a caller learns every bad field at once. It returns
// nil when all are nil, and the first error that is not Invalid unchanged.
func mergeInvalid(errs ...error) error {
	var fields []portalerr.FieldViolation
	for _, err := range errs {
		if err == nil {
			continue
		}
		if portalerr.CodeOf(err) != portalerr.Invalid {
			return err
		}
		fields = append(fields, portalerr.FieldsOf(err)...)
	}
	return portalerr.InvalidFields(fields...)
}

// pageParams are the list parameters every list use case has: a cursor
// and a page size, besides the list's filters.
type pageParams interface {
	page() storage.Page
}

func (p ListSitesParams) page() storage.Page   { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }
func (p ListMembersParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }
func (p ListInvitationsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}
func (p ListAccessLinksParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}
func (p ListCustomersParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}
func (p ListAPIKeysParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }
func (p ListMailParams) page() storage.Page    { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }
func (p OrderInboxParams) page() storage.Page  { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }
func (p ListProductsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}
func (p ListStockLevelsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}
func (p ListStockItemsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// listIn is the shape of a list of things inside customer cid: check the
// params, open their cursor, authorize act in a read transaction, make
// sure the customer exists, then list, and seal the next cursor (see
// openList).
func listIn[T any](ctx context.Context, p *Portal, name string, act Action, cid customer.ID, params pageParams,
	list func(storage.Repos, access, storage.Page) (storage.List[T], error)) (List[T], error) {
	if err := validStruct(params); err != nil {
		return List[T]{}, err
	}
	lc, page, err := p.openList(ctx, name, cid, params)
	if err != nil {
		return List[T]{}, err
	}
	var out List[T]
	err = p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, act, cid, "")
		if err != nil {
			return err
		}
		if _, err := a.customerOf(ctx, r, cid); err != nil {
			return err
		}
		out, err = listPage(list(r, a, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// List is one page of a list: its items, and the cursor that continues it
// (NextCursor, given back as the next request's Cursor; empty on the last
// page).
type List[T any] struct {
	Items      []T
	NextCursor string
}

// listPage turns a storage list into the portal's.
func listPage[T any](l storage.List[T], err error) (List[T], error) { return List[T](l), err }

// eachItem calls fn with every item of a storage list, page by page from
// the first, until fn says stop or fails; list reads one page.
func eachItem[T any](list func(storage.Page) (storage.List[T], error), fn func(T) (stop bool, err error)) error {
	page := storage.Page{Limit: storage.MaxLimit}
	for {
		l, err := list(page)
		if err != nil {
			return err
		}
		for _, it := range l.Items {
			if stop, err := fn(it); stop || err != nil {
				return err
			}
		}
		if l.NextCursor == "" {
			return nil
		}
		page.Cursor = l.NextCursor
	}
}
