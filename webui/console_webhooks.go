package webui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/webhook"
)

// webhookRoutes registers the console's webhook pages: the endpoints,
// each endpoint with its delivery log, and each delivery.
func (h *handler) webhookRoutes() {
	h.handle("GET /console/webhooks", h.asStaff(h.webhooksPage))
	h.handle("POST /console/webhooks", h.asStaff(h.createWebhook))
	h.handle("GET /console/webhooks/{id}", h.asStaff(h.webhookPage))
	h.handle("POST /console/webhooks/{id}", h.asStaff(h.updateWebhook))
	h.handle("POST /console/webhooks/{id}/rotate", h.asStaff(h.rotateWebhook))
	h.handle("POST /console/webhooks/{id}/replay", h.asStaff(h.replayWebhookRange))
	h.handle("POST /console/webhooks/{id}/delete", h.asStaff(h.deleteWebhook))
	h.handle("GET /console/webhook-deliveries/{did}", h.asStaff(h.webhookDeliveryPage))
	h.handle("POST /console/webhook-deliveries/{did}/replay", h.asStaff(h.replayWebhookDelivery))
}

// eventGroup is the event types of one kind of object, as the endpoint
// form groups them.
type eventGroup struct {
	Object string
	Types  []webhook.Type
}

// eventGroups groups webhook.Types by object ("order" of
// "order.submitted"), in the order the list first names them.
func eventGroups() []eventGroup {
	var out []eventGroup
	at := map[string]int{}
	for _, t := range webhook.Types {
		obj, _, _ := strings.Cut(string(t), ".")
		i, ok := at[obj]
		if !ok {
			i, at[obj] = len(out), len(out)
			out = append(out, eventGroup{Object: obj})
		}
		out[i].Types = append(out[i].Types, t)
	}
	return out
}

// webhooksPage is the endpoints page's data.
type webhooksPage struct {
	list[portal.WebhookEndpoint]
	Types []eventGroup
	// Secret is the signing secret of the endpoint just made, shown this
	// once, and SecretFor its endpoint.
	Secret    string
	SecretFor webhook.EndpointID
}

func (h *handler) webhooksPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showWebhooks(w, r, v, http.StatusOK, portal.WebhookEndpointSecret{})
}

func (h *handler) showWebhooks(w http.ResponseWriter, r *http.Request, v *view, status int, made portal.WebhookEndpointSecret) {
	l, err := h.p.ListWebhookEndpoints(r.Context(), portal.ListWebhookEndpointsParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		v.Form.Set("enabled", "on") // a new endpoint is on unless unticked
	}
	v.Title = v.T("Webhooks")
	v.Data = webhooksPage{list: newList(r, v, l), Types: eventGroups(), Secret: made.Secret, SecretFor: made.ID}
	h.renderStatus(w, r, status, "console_webhooks", v)
}

// webhookForm reads the fields of the endpoint forms.
func webhookForm(r *http.Request) (url, description string, types []webhook.Type, cid customer.ID, enabled bool) {
	url = formValue(r, "url") // parses the form
	for _, t := range r.PostForm["event_type"] {
		types = append(types, webhook.Type(t))
	}
	if r.PostFormValue("every_event") != "" {
		types = slices.Clone(webhook.Types)
	}
	return url, formValue(r, "description"), types, customer.ID(formValue(r, "customer_id")), r.PostFormValue("enabled") != ""
}

// createWebhook registers an endpoint and shows its secret in the answer
// to the form, this once.
func (h *handler) createWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	url, description, types, cid, enabled := webhookForm(r)
	e, err := h.p.CreateWebhookEndpoint(r.Context(), portal.CreateWebhookEndpointParams{
		URL: url, Description: description, EventTypes: types, CustomerID: cid, Disabled: !enabled,
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showWebhooks(w, r, v, status, portal.WebhookEndpointSecret{})
		}
		return
	}
	v.Notice = noticeText(v.locale, "created")
	h.showWebhooks(w, r, v, http.StatusCreated, e)
}

// webhookPage is an endpoint's page's data.
type webhookPage struct {
	Endpoint portal.WebhookEndpoint
	Types    []eventGroup
	list[webhook.Delivery]
	// Secret is the endpoint's new secret after a rotation, shown once.
	Secret string
	// Overlaps are the overlaps a rotation offers, in hours.
	Overlaps []int
}

func (h *handler) webhookPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showWebhook(w, r, v, http.StatusOK, "")
}

func (h *handler) showWebhook(w http.ResponseWriter, r *http.Request, v *view, status int, secret string) {
	id := webhook.EndpointID(r.PathValue("id"))
	e, err := h.p.GetWebhookEndpoint(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	l, err := h.p.ListWebhookDeliveries(r.Context(), id, portal.ListWebhookDeliveriesParams{
		Status: outbox.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Fields == nil { // no form came back with an error: show the endpoint
		v.Form = q
		v.Form.Set("url", e.URL)
		v.Form.Set("description", e.Description)
		v.Form.Set("customer_id", string(e.CustomerID))
		v.Form["event_type"] = nil
		for _, t := range e.Types {
			v.Form.Add("event_type", string(t))
		}
		if e.Enabled {
			v.Form.Set("enabled", "on")
		}
		now := h.p.Now()
		v.Form.Set("from", now.Add(-24*time.Hour).UTC().Format(localTime))
		v.Form.Set("to", now.UTC().Format(localTime))
	}
	v.Title = v.T("Webhook endpoint %s", e.URL)
	v.Data = webhookPage{Endpoint: e, Types: eventGroups(), list: newList(r, v, l), Secret: secret, Overlaps: []int{0, 1, 24, 72, 168}}
	h.renderStatus(w, r, status, "console_webhook", v)
}

// localTime is the layout of datetime-local inputs, read as UTC as the
// pages show times.
const localTime = "2006-01-02T15:04"

func (h *handler) updateWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	url, description, types, cid, enabled := webhookForm(r)
	if types == nil {
		types = []webhook.Type{} // none ticked: invalid, not unchanged
	}
	_, err := h.p.UpdateWebhookEndpoint(r.Context(), webhook.EndpointID(r.PathValue("id")), portal.UpdateWebhookEndpointParams{
		Version: version(r), URL: &url, Description: &description, EventTypes: types, CustomerID: &cid, Enabled: &enabled,
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showWebhook(w, r, v, status, "")
		}
		return
	}
	h.redirect(w, r, "/console/webhooks/"+r.PathValue("id"), "saved")
}

// rotateWebhook gives the endpoint a new secret and shows it this once.
func (h *handler) rotateWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	hours, err := strconv.Atoi(r.PostFormValue("overlap_hours"))
	if err != nil || hours < 0 {
		err = portalerr.Invalidf("overlap_hours", "must be a whole number of hours")
	} else {
		var s portal.WebhookEndpointSecret
		s, err = h.p.RotateWebhookSecret(r.Context(), webhook.EndpointID(r.PathValue("id")), portal.RotateWebhookSecretParams{Overlap: time.Duration(hours) * time.Hour})
		if err == nil {
			v.Notice = v.T("The secret is rotated.")
			h.showWebhook(w, r, v, http.StatusOK, s.Secret)
			return
		}
	}
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showWebhook(w, r, v, status, "")
	}
}

func (h *handler) replayWebhookRange(w http.ResponseWriter, r *http.Request, v *view) {
	from, ferr := time.ParseInLocation(localTime, formValue(r, "from"), time.UTC)
	to, terr := time.ParseInLocation(localTime, formValue(r, "to"), time.UTC)
	var err error
	switch {
	case ferr != nil:
		err = portalerr.Invalidf("from", "is not a date and time")
	case terr != nil:
		err = portalerr.Invalidf("to", "is not a date and time")
	default:
		var n int
		n, err = h.p.ReplayWebhookDeliveries(r.Context(), webhook.EndpointID(r.PathValue("id")), portal.ReplayWebhookDeliveriesParams{From: from, To: to})
		if err == nil {
			v.Notice = v.T("%d deliveries will be sent again.", n)
			h.showWebhook(w, r, v, http.StatusOK, "")
			return
		}
	}
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showWebhook(w, r, v, status, "")
	}
}

func (h *handler) deleteWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	if err := h.p.DeleteWebhookEndpoint(r.Context(), webhook.EndpointID(r.PathValue("id"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/webhooks", "deleted")
}

// webhookDeliveryPage is a delivery's page's data.
type webhookDeliveryPage struct {
	Delivery webhook.Delivery
	// Replayable is whether it is settled, so that a replay makes sense.
	Replayable bool
}

func (h *handler) webhookDeliveryPage(w http.ResponseWriter, r *http.Request, v *view) {
	d, err := h.p.GetWebhookDelivery(r.Context(), webhook.DeliveryID(r.PathValue("did")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Delivery %s", d.ID)
	v.Data = webhookDeliveryPage{Delivery: d, Replayable: slices.Contains([]outbox.Status{outbox.Sent, outbox.Failed}, d.Status)}
	h.render(w, r, "console_webhook_delivery", v)
}

func (h *handler) replayWebhookDelivery(w http.ResponseWriter, r *http.Request, v *view) {
	d, err := h.p.ReplayWebhookDelivery(r.Context(), webhook.DeliveryID(r.PathValue("did")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/webhook-deliveries/"+string(d.ID), "replayed")
}
