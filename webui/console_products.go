package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// productRoutes registers the product pages.
func (h *handler) productRoutes() {
	h.handle("GET /console/products", h.asStaff(h.productList))
	h.handle("GET /console/products/new", h.asStaff(h.newProductPage))
	h.handle("POST /console/products", h.asStaff(h.createProduct))
	h.handle("GET /console/products/{id}", h.asStaff(h.productPage))
	h.handle("POST /console/products/{id}", h.asStaff(h.updateProduct))
	h.handle("POST /console/products/{id}/deactivate", h.asStaff(h.deactivateProduct))
}

func (h *handler) productList(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	p := portal.ListProductsParams{Search: q.Get("q"), Cursor: q.Get("cursor"), Limit: pageLimit}
	switch q.Get("active") {
	case "yes":
		p.Active = new(bool)
		*p.Active = true
	case "no":
		p.Active = new(bool)
	}
	l, err := h.p.ListProducts(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Products")
	v.Form = q
	v.Data = newList(r, v, l)
	h.render(w, r, "console_products", v)
}

// productPage is the product form's data: the product, zero for a new one.
type productPage struct {
	orders.Product
	New bool
}

func (h *handler) newProductPage(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.Can(string(portal.ActProductManage)) {
		h.fail(w, r, portalerr.New(portalerr.PermissionDenied, "not allowed for your role"))
		return
	}
	v.Form = url.Values{"currency": {"EUR"}, "customer_id": {r.URL.Query().Get("customer")}}
	h.showProduct(w, r, v, http.StatusOK, productPage{New: true})
}

func (h *handler) showProduct(w http.ResponseWriter, r *http.Request, v *view, status int, d productPage) {
	if d.New {
		v.Title = v.T("New product")
	} else {
		v.Title = v.T("Product %s", d.Name)
	}
	v.Data = d
	h.renderStatus(w, r, status, "console_product", v)
}

func (h *handler) productPage(w http.ResponseWriter, r *http.Request, v *view) {
	pr, err := h.p.GetProduct(r.Context(), orders.ProductID(r.PathValue("id")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Form = url.Values{
		"version": {strconv.FormatInt(pr.Version, 10)}, "sku": {pr.SKU}, "name": {pr.Name},
		"description": {pr.Description}, "category": {pr.Category},
		"price": {v.MajorUnits(pr.Price)}, "currency": {pr.Price.Currency},
	}
	h.showProduct(w, r, v, http.StatusOK, productPage{Product: pr})
}

func (h *handler) createProduct(w http.ResponseWriter, r *http.Request, v *view) {
	price, err := money("price", r.PostFormValue("price"), r.PostFormValue("currency"))
	var pr orders.Product
	if err == nil {
		pr, err = h.p.CreateProduct(r.Context(), portal.CreateProductParams{
			SKU: formValue(r, "sku"), Name: formValue(r, "name"), Description: formValue(r, "description"),
			Category: formValue(r, "category"), Price: price, CustomerID: customer.ID(formValue(r, "customer_id")),
		})
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showProduct(w, r, v, status, productPage{New: true})
		}
		return
	}
	h.redirect(w, r, "/console/products/"+url.PathEscape(string(pr.ID)), "created")
}

func (h *handler) updateProduct(w http.ResponseWriter, r *http.Request, v *view) {
	id := orders.ProductID(r.PathValue("id"))
	price, err := money("price", r.PostFormValue("price"), r.PostFormValue("currency"))
	if err == nil {
		sku, name, desc, cat := formValue(r, "sku"), formValue(r, "name"), formValue(r, "description"), formValue(r, "category")
		p := portal.UpdateProductParams{Version: version(r), SKU: &sku, Name: &name, Description: &desc, Category: &cat, Price: &price}
		if r.PostFormValue("activate") == "on" {
			p.Active = new(bool)
			*p.Active = true
		}
		_, err = h.p.UpdateProduct(r.Context(), id, p)
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			pr, gerr := h.p.GetProduct(r.Context(), id)
			if gerr != nil {
				h.fail(w, r, gerr)
				return
			}
			h.showProduct(w, r, v, status, productPage{Product: pr})
		}
		return
	}
	h.redirect(w, r, "/console/products/"+url.PathEscape(string(id)), "saved")
}

func (h *handler) deactivateProduct(w http.ResponseWriter, r *http.Request, v *view) {
	id := orders.ProductID(r.PathValue("id"))
	if _, err := h.p.DeactivateProduct(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/products/"+url.PathEscape(string(id)), "product_deactivate")
}
