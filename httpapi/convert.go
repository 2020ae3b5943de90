package httpapi

import (
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
)

// Converters between domain values and the generated types. Handlers of
// other resources keep theirs next to them.

// optString returns nil for "", so that empty optional fields are left out.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// pageIn returns the cursor and limit of a list request; 0 lets the portal
// choose its default limit.
func pageIn(cursor *string, limit *int) (string, int) {
	return deref(cursor), deref(limit)
}

func customerOut(c customer.Customer) oapi.Customer {
	out := oapi.Customer{
		Id:          string(c.ID),
		Name:        c.Name,
		LegalName:   optString(c.LegalName),
		VatId:       optString(c.VATID),
		Phone:       optString(c.Phone),
		Address:     addressOut(c.Address),
		ExternalRef: optString(c.ExternalRef),
		ParentId:    optString(string(c.ParentID)),
		Status:      oapi.CustomerStatus(c.Status),
		Features:    featuresOut(c.Features),
		Branding:    brandingOut(c.Branding),
		Version:     c.Version,
		CreatedAt:   c.CreatedAt,
		UpdatedAt:   c.UpdatedAt,
	}
	if c.ContactEmail != "" {
		out.ContactEmail = ptr(openapi_types.Email(c.ContactEmail))
	}
	return out
}

func customersOut(cs []customer.Customer) []oapi.Customer {
	out := make([]oapi.Customer, len(cs))
	for i, c := range cs {
		out[i] = customerOut(c)
	}
	return out
}

func brandingOut(b customer.Branding) oapi.CustomerBranding {
	return oapi.CustomerBranding{
		DisplayName: optString(b.DisplayName),
		LogoUrl:     optString(b.LogoURL),
		AccentColor: optString(b.AccentColor),
		HostName:    optString(b.HostName),
	}
}

func brandingIn(b oapi.CustomerBranding) customer.Branding {
	return customer.Branding{
		DisplayName: deref(b.DisplayName),
		LogoURL:     deref(b.LogoUrl),
		AccentColor: deref(b.AccentColor),
		HostName:    deref(b.HostName),
	}
}

func addressOut(a customer.Address) oapi.Address {
	return oapi.Address{
		Line1:      optString(a.Line1),
		Line2:      optString(a.Line2),
		PostalCode: optString(a.PostalCode),
		City:       optString(a.City),
		Region:     optString(a.Region),
		Country:    optString(a.Country),
	}
}

func addressIn(a oapi.Address) customer.Address {
	return customer.Address{
		Line1:      deref(a.Line1),
		Line2:      deref(a.Line2),
		PostalCode: deref(a.PostalCode),
		City:       deref(a.City),
		Region:     deref(a.Region),
		Country:    deref(a.Country),
	}
}

func featuresOut(f customer.Features) oapi.Features {
	return oapi.Features{
		OrderAuthorization:     f.OrderAuthorization,
		AutoConfirmOrders:      f.AutoConfirmOrders,
		InheritGlobalPortfolio: f.InheritGlobalPortfolio,
		PreOrders:              f.PreOrders,
		SupplierWarehouse:      f.SupplierWarehouse,
		HrSync:                 f.HRSync,
		Tickets:                f.Tickets,
		AccessLinks:            f.AccessLinks,
		Jobs:                   f.Jobs,
		Visits:                 f.Visits,
		Pictures:               f.Pictures,
	}
}

func featuresPatchIn(f *oapi.FeaturesPatch) customer.FeaturesPatch {
	if f == nil {
		return customer.FeaturesPatch{}
	}
	return customer.FeaturesPatch{
		OrderAuthorization:     f.OrderAuthorization,
		AutoConfirmOrders:      f.AutoConfirmOrders,
		InheritGlobalPortfolio: f.InheritGlobalPortfolio,
		PreOrders:              f.PreOrders,
		SupplierWarehouse:      f.SupplierWarehouse,
		HRSync:                 f.HrSync,
		Tickets:                f.Tickets,
		AccessLinks:            f.AccessLinks,
		Jobs:                   f.Jobs,
		Visits:                 f.Visits,
		Pictures:               f.Pictures,
	}
}

func siteOut(s customer.Site) oapi.Site {
	return oapi.Site{
		Id:          string(s.ID),
		CustomerId:  string(s.CustomerID),
		Name:        s.Name,
		ExternalRef: s.ExternalRef,
		Address:     addressOut(s.Address),
		Location:    geoPointOut(s.Location),
		Notes:       s.Notes,
		Version:     s.Version,
		CreatedAt:   s.CreatedAt,
		UpdatedAt:   s.UpdatedAt,
	}
}

func sitesOut(ss []customer.Site) []oapi.Site {
	out := make([]oapi.Site, len(ss))
	for i, s := range ss {
		out[i] = siteOut(s)
	}
	return out
}
