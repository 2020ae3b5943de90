package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/prometheus/common/expfmt"
	"go.yaml.in/yaml/v3"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portalerr"
)

// GetHealth implements oapi.StrictServerInterface: the process is up.
func (s *Server) GetHealth(context.Context, oapi.GetHealthRequestObject) (oapi.GetHealthResponseObject, error) {
	return oapi.GetHealth200JSONResponse{Status: oapi.HealthStatusOk}, nil
}

// GetReadiness implements oapi.StrictServerInterface: the storage backend
// answers and commits writes (portal.Portal.Ready, which probes at most
// once a second). When it does not, the answer is 503 and the cause is
// logged.
func (s *Server) GetReadiness(ctx context.Context, _ oapi.GetReadinessRequestObject) (oapi.GetReadinessResponseObject, error) {
	if err := s.p.Ready(ctx); err != nil {
		return nil, withStatus(http.StatusServiceUnavailable, &portalerr.Error{Code: portalerr.Internal, Err: err})
	}
	return oapi.GetReadiness200JSONResponse{Status: oapi.HealthStatusOk}, nil
}

// GetMetrics implements oapi.StrictServerInterface. NewHandler serves
// /metrics with promhttp before requests reach the strict handler (for
// content negotiation and its own error handling); this renders the same
// metrics in the text format for any other route to them.
func (s *Server) GetMetrics(context.Context, oapi.GetMetricsRequestObject) (oapi.GetMetricsResponseObject, error) {
	if s.gather == nil {
		return nil, portalerr.New(portalerr.NotFound, "metrics are served elsewhere")
	}
	mfs, err := s.gather.Gather()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return nil, err
		}
	}
	return oapi.GetMetrics200TextResponse(buf.String()), nil
}

// GetOpenAPISpec implements oapi.StrictServerInterface: the spec the
// server was generated from and validates against.
func (s *Server) GetOpenAPISpec(context.Context, oapi.GetOpenAPISpecRequestObject) (oapi.GetOpenAPISpecResponseObject, error) {
	y, err := specYAML()
	if err != nil {
		return nil, fmt.Errorf("httpapi: rendering the embedded spec: %w", err)
	}
	return oapi.GetOpenAPISpec200ApplicationyamlResponse{Body: bytes.NewReader(y), ContentLength: int64(len(y))}, nil
}

// specYAML returns the embedded spec as YAML, rendered on the first
// request for it: rendering costs about as much as loading the spec, and
// most processes (every test binary, every replica that is never asked)
// serve it never. The embedded form is JSON, which YAML reads as flow
// style; clearing the styles prints it in block style with the keys in
// their embedded order.
var specYAML = sync.OnceValues(func() ([]byte, error) {
	raw, err := oapi.GetSpecJSON()
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var plain func(n *yaml.Node)
	plain = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			plain(c)
		}
	}
	plain(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
})

// GetMe implements oapi.StrictServerInterface.
func (s *Server) GetMe(ctx context.Context, _ oapi.GetMeRequestObject) (oapi.GetMeResponseObject, error) {
	me, err := s.p.Me(ctx)
	if err != nil {
		return nil, err
	}
	out := oapi.GetMe200JSONResponse{
		Principal:   principalOut(me.Principal),
		Permissions: make([]oapi.Action, len(me.Actions)),
	}
	for i, a := range me.Actions {
		out.Permissions[i] = oapi.Action(a)
	}
	if me.Staff.ID != "" {
		out.Staff = ptr(staffOut(me.Staff))
	}
	if me.Impersonator.ID != "" {
		out.Impersonator = ptr(staffOut(me.Impersonator))
	}
	if me.Principal.Kind == identity.KindUser {
		out.User = ptr(userOut(me.User))
		out.Membership = ptr(membershipOut(me.Membership))
		out.CustomerName = ptr(me.CustomerName)
	}
	return out, nil
}

func principalOut(p identity.Principal) oapi.Principal {
	out := oapi.Principal{
		Id:           p.ID,
		Kind:         oapi.PrincipalKind(p.Kind),
		ReadOnly:     p.ReadOnly,
		CustomerId:   optString(string(p.CustomerID)),
		MembershipId: optString(string(p.MembershipID)),
		SessionId:    optString(string(p.SessionID)),
	}
	if p.StaffRole != "" {
		out.StaffRole = ptr(oapi.StaffRole(p.StaffRole))
	}
	if p.Method != "" {
		out.Method = ptr(oapi.SignInMethod(p.Method))
	}
	if p.Impersonator != "" {
		out.Impersonator = ptr(oapi.StaffId(p.Impersonator))
	}
	return out
}
