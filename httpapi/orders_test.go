package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

func eurOut(amount int64) client.Money { return client.Money{Amount: amount, Currency: "EUR"} }

// TestOrderFlow walks an order through the API with the generated client:
// staff set up the portfolio, the customer's admin orders from its
// catalogue (retried with one Idempotency-Key), two staff decide on it at
// once, and the winner's decision stands.
func TestOrderFlow(t *testing.T) {
	t.Parallel()
	e, _ := newIdempotentEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	agentKey, err := e.p.CreateAPIKey(portaltest.Owner(ctx), portal.CreateAPIKeyParams{Name: "Desk", Role: "agent"})
	require.NoError(t, err)
	agent := e.client(t, agentKey.Token)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{OrderAuthorization: ptr(true)})
	adaC := e.client(t, ada.Token)

	laptop := must(owner.CreateProductWithResponse(ctx, nil, client.CreateProductRequest{
		Sku: "LAP-14", Name: "Laptop 14", Category: ptr("laptops"), Price: eurOut(129_900), Attributes: &client.Attributes{"ram": "16 GB"},
	}))(t).JSON201
	assert.Equal(t, client.Attributes{"ram": "16 GB"}, laptop.Attributes)
	offer := must(owner.CreateOfferWithResponse(ctx, cid, nil, client.CreateOfferRequest{ProductId: laptop.Id, Price: eurOut(119_900)}))(t).JSON201

	cat := must(adaC.GetCatalogueWithResponse(ctx, cid, nil))(t).JSON200
	require.Len(t, cat.Items, 1)
	assert.Equal(t, eurOut(119_900), cat.Items[0].Price, "the offer's price")
	assert.Equal(t, offer.Id, *cat.Items[0].OfferId)

	body := `{"lines":[{"product_id":"` + laptop.Id + `","quantity":2}],"recipient":{"name":"Bob","email":"bob@acme.example"},"requested_date":"2026-01-20"}`
	first, firstBody := e.post(t, "/v1/customers/"+cid+"/orders", ada.Token, "order-1", body)
	require.Equal(t, http.StatusCreated, first.StatusCode, "body: %s", firstBody)
	again, againBody := e.post(t, "/v1/customers/"+cid+"/orders", ada.Token, "order-1", body)
	require.Equal(t, http.StatusCreated, again.StatusCode)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	assert.JSONEq(t, string(firstBody), string(againBody), "a retried placement answers the first order")
	var o client.Order
	require.NoError(t, json.Unmarshal(firstBody, &o))
	assert.Equal(t, "PO-000001", o.Number)
	assert.Equal(t, client.OrderStatusSubmitted, o.Status)
	assert.Equal(t, eurOut(2*119_900), o.Total)
	assert.Equal(t, eurOut(2*119_900), o.Lines[0].Total)
	assert.Equal(t, "2026-01-20", o.RequestedDate.String())
	mine := must(adaC.ListOrdersWithResponse(ctx, cid, nil))(t).JSON200
	assert.Len(t, mine.Items, 1, "one order, not two")

	inbox := must(agent.ListOrderInboxWithResponse(ctx, nil))(t).JSON200
	require.Len(t, inbox.Items, 1)
	assert.Equal(t, o.Id, inbox.Items[0].Id)

	// Two staff decide at once: exactly one wins, the other gets conflict.
	var wg sync.WaitGroup
	var confirmed *client.ConfirmOrderResponse
	var rejected *client.RejectOrderResponse
	var confirmErr, rejectErr error
	wg.Go(func() {
		confirmed, confirmErr = owner.ConfirmOrderWithResponse(ctx, o.Id, client.OrderNoteRequest{Note: ptr("ships Monday")})
	})
	wg.Go(func() {
		rejected, rejectErr = agent.RejectOrderWithResponse(ctx, o.Id, client.RejectOrderRequest{Reason: "sold out"})
	})
	wg.Wait()
	require.NoError(t, confirmErr)
	require.NoError(t, rejectErr)
	statuses := []int{confirmed.StatusCode(), rejected.StatusCode()}
	assert.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, statuses, "bodies: %s / %s", confirmed.Body, rejected.Body)
	var loser client.Problem
	winner := client.OrderStatusConfirmed
	if confirmed.StatusCode() == http.StatusOK {
		require.NoError(t, json.Unmarshal(rejected.Body, &loser))
	} else {
		winner = client.OrderStatusRejected
		require.NoError(t, json.Unmarshal(confirmed.Body, &loser))
	}
	assert.Equal(t, client.ProblemCodeConflict, loser.Code)
	got := must(adaC.GetOrderWithResponse(ctx, cid, o.Id))(t)
	assert.Equal(t, winner, got.JSON200.Status)
	assert.Equal(t, `"2"`, got.HTTPResponse.Header.Get("ETag"))
	require.Len(t, got.JSON200.History, 2)
	n, ok := e.notes.Last("ada@acme.example")
	require.True(t, ok)
	assert.Equal(t, "order_"+string(winner), string(n.Kind), "the orderer hears of the decision that stood")

	if winner == client.OrderStatusConfirmed {
		done := must(agent.FulfilOrderWithResponse(ctx, o.Id, client.OrderNoteRequest{}))(t).JSON200
		assert.Equal(t, client.OrderStatusFulfilled, done.Status)
	}
	empty := must(agent.ListOrderInboxWithResponse(ctx, &client.ListOrderInboxParams{CustomerId: &cid}))(t).JSON200
	assert.Empty(t, empty.Items, "the inbox is empty")
}

func TestOrderProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{OrderAuthorization: ptr(true)})
	adaC := e.client(t, ada.Token)
	vic := e.client(t, e.join(t, adaC, cid, "vic@acme.example", client.RoleViewer).Token)
	otherID, _ := e.onboard(t, "Globex", "gina@globex.example", nil)
	laptop := must(owner.CreateProductWithResponse(ctx, nil, client.CreateProductRequest{Sku: "LAP-14", Name: "Laptop", Price: eurOut(1)}))(t).JSON201
	theirs := must(owner.CreateProductWithResponse(ctx, nil, client.CreateProductRequest{
		Sku: "GLX-1", Name: "Globex only", Price: eurOut(1), CustomerId: &otherID,
	}))(t).JSON201
	line := func(id string) []client.OrderLineRequest {
		return []client.OrderLineRequest{{ProductId: id, Quantity: 1}}
	}
	bob := &client.Employee{Name: "Bob"}

	p := fails(adaC.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(theirs.Id), Recipient: bob}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(p), "lines[0].product_id", "a product outside the catalogue names its line")
	p = fails(adaC.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{
		Lines: line(laptop.Id), Recipient: bob, RequestedDate: &openapi_types.Date{Time: portaltest.Epoch.Add(-48 * time.Hour)},
	}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(p), "requested_date")
	p = fails(adaC.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(laptop.Id)}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(p), "delivery_address")
	fails(adaC.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(laptop.Id), Kind: ptr(client.OrderKindPreOrder)}))(t,
		http.StatusForbidden, client.ProblemCodeFeatureDisabled)
	fails(vic.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(laptop.Id), Recipient: bob}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	fails(owner.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(laptop.Id), Recipient: bob}))(t,
		http.StatusForbidden, client.ProblemCodePermissionDenied)

	res, b := e.do(t, http.MethodPost, "/v1/customers/"+cid+"/orders", ada.Token,
		strings.NewReader(`{"lines":[{"product_id":"`+laptop.Id+`","quantity":0}],"recipient":{"name":"Bob"}}`), nil)
	assert.Contains(t, fields(problem(t, res, b, http.StatusBadRequest, client.ProblemCodeInvalid)), "lines[0].quantity")

	o := must(adaC.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(laptop.Id), Recipient: bob}))(t).JSON201
	fails(owner.FulfilOrderWithResponse(ctx, o.Id, client.OrderNoteRequest{}))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)
	fails(owner.RejectOrderWithResponse(ctx, o.Id, client.RejectOrderRequest{Reason: ""}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	fails(adaC.ConfirmOrderWithResponse(ctx, o.Id, client.OrderNoteRequest{}))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	cancelled := must(adaC.CancelOrderWithResponse(ctx, cid, o.Id, client.CancelOrderRequest{Reason: ptr("ordered twice")}))(t).JSON200
	assert.Equal(t, client.OrderStatusCancelled, cancelled.Status)
	fails(owner.ConfirmOrderWithResponse(ctx, o.Id, client.OrderNoteRequest{}))(t, http.StatusConflict, client.ProblemCodeConflict)

	c := must(owner.GetCustomerWithResponse(ctx, cid))(t)
	must(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: c.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{OrderAuthorization: ptr(false)}))(t)
	fails(adaC.PlaceOrderWithResponse(ctx, cid, nil, client.PlaceOrderRequest{Lines: line(laptop.Id), Recipient: bob}))(t,
		http.StatusForbidden, client.ProblemCodeFeatureDisabled)

	fails(owner.CreateProductWithResponse(ctx, nil, client.CreateProductRequest{Sku: "lap-14", Name: "Dup", Price: eurOut(1)}))(t,
		http.StatusConflict, client.ProblemCodeAlreadyExists)
	stale := fails(owner.UpdateProductWithResponse(ctx, laptop.Id, &client.UpdateProductParams{IfMatch: `"9"`}, client.UpdateProductRequest{Name: ptr("x")}))(t,
		http.StatusPreconditionFailed, client.ProblemCodeConflict)
	assert.Contains(t, stale.Message, "read it again")
	off := must(owner.DeactivateProductWithResponse(ctx, laptop.Id))(t).JSON200
	assert.False(t, off.Active)
}

// errFields returns the names of the fields a problem names.
func errFields(e *client.Error) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}
