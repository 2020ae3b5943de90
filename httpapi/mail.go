package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
)

// ListMailMessages implements oapi.StrictServerInterface.
func (s *Server) ListMailMessages(ctx context.Context, req oapi.ListMailMessagesRequestObject) (oapi.ListMailMessagesResponseObject, error) {
	params := portal.ListMailParams{
		Status:     outbox.Status(deref(req.Params.Status)),
		CustomerID: customer.ID(deref(req.Params.CustomerId)),
	}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListMail(ctx, params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListMailMessages200JSONResponse{Items: make([]oapi.MailMessage, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, m := range l.Items {
		out.Items = append(out.Items, mailMessageOut(m))
	}
	return out, nil
}

// RetryMailMessage implements oapi.StrictServerInterface.
func (s *Server) RetryMailMessage(ctx context.Context, req oapi.RetryMailMessageRequestObject) (oapi.RetryMailMessageResponseObject, error) {
	m, err := s.p.RetryMail(ctx, outbox.ID(req.MessageId))
	if err != nil {
		return nil, err
	}
	return oapi.RetryMailMessage200JSONResponse(mailMessageOut(m)), nil
}

// mailMessageOut converts an outbox message; its payload never leaves the
// server.
func mailMessageOut(m outbox.Message) oapi.MailMessage {
	out := oapi.MailMessage{
		Id:        string(m.ID),
		Kind:      oapi.MailKind(m.Kind),
		Recipient: openapi_types.Email(m.Recipient),
		Status:    oapi.MailMessageStatus(m.Status),
		Attempts:  m.Attempts,
		LastError: optString(m.LastError),
		CreatedAt: m.CreatedAt,
		UpdatedAt: m.UpdatedAt,
		SentAt:    optTime(m.SentAt),
	}
	if m.CustomerID != "" {
		out.CustomerId = ptr(string(m.CustomerID))
	}
	if m.Status == outbox.Pending {
		out.NextAttemptAt = &m.NextAttemptAt
	}
	return out
}

// ListMailTemplates implements oapi.StrictServerInterface.
func (s *Server) ListMailTemplates(ctx context.Context, req oapi.ListMailTemplatesRequestObject) (oapi.ListMailTemplatesResponseObject, error) {
	l, err := s.p.ListMailTemplates(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	out := oapi.ListMailTemplates200JSONResponse{Items: make([]oapi.MailTemplate, 0, len(l))}
	for _, t := range l {
		out.Items = append(out.Items, mailTemplateOut(t))
	}
	return out, nil
}

// GetMailTemplate implements oapi.StrictServerInterface.
func (s *Server) GetMailTemplate(ctx context.Context, req oapi.GetMailTemplateRequestObject) (oapi.GetMailTemplateResponseObject, error) {
	t, err := s.p.GetMailTemplate(ctx, customer.ID(req.CustomerId), mailer.Kind(req.Kind), string(req.Locale))
	if err != nil {
		return nil, err
	}
	return oapi.GetMailTemplate200JSONResponse(mailTemplateOut(t)), nil
}

// PutMailTemplate implements oapi.StrictServerInterface.
func (s *Server) PutMailTemplate(ctx context.Context, req oapi.PutMailTemplateRequestObject) (oapi.PutMailTemplateResponseObject, error) {
	t, err := s.p.PutMailTemplate(ctx, customer.ID(req.CustomerId), mailer.Kind(req.Kind), string(req.Locale), mailTemplateIn(req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.PutMailTemplate200JSONResponse(mailTemplateOut(t)), nil
}

// DeleteMailTemplate implements oapi.StrictServerInterface.
func (s *Server) DeleteMailTemplate(ctx context.Context, req oapi.DeleteMailTemplateRequestObject) (oapi.DeleteMailTemplateResponseObject, error) {
	if err := s.p.DeleteMailTemplate(ctx, customer.ID(req.CustomerId), mailer.Kind(req.Kind), string(req.Locale)); err != nil {
		return nil, err
	}
	return oapi.DeleteMailTemplate204Response{}, nil
}

// PreviewMailTemplate implements oapi.StrictServerInterface.
func (s *Server) PreviewMailTemplate(ctx context.Context, req oapi.PreviewMailTemplateRequestObject) (oapi.PreviewMailTemplateResponseObject, error) {
	c, err := s.p.PreviewMailTemplate(ctx, customer.ID(req.CustomerId), mailer.Kind(req.Kind), string(req.Locale), mailTemplateIn(req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.PreviewMailTemplate200JSONResponse{Subject: c.Subject, Text: c.Text, Html: c.HTML}, nil
}

func mailTemplateIn(b *oapi.MailTemplateRequest) portal.MailTemplateParams {
	if b == nil {
		return portal.MailTemplateParams{}
	}
	return portal.MailTemplateParams{Subject: deref(b.Subject), Text: deref(b.Text), HTML: deref(b.Html)}
}

func mailTemplateOut(t customer.MailTemplate) oapi.MailTemplate {
	return oapi.MailTemplate{
		CustomerId: string(t.CustomerID),
		Kind:       oapi.MailKind(t.Kind),
		Locale:     oapi.MailLocale(t.Locale),
		Subject:    optString(t.Subject),
		Text:       optString(t.Text),
		Html:       optString(t.HTML),
		UpdatedBy:  t.UpdatedBy,
		CreatedAt:  t.CreatedAt,
		UpdatedAt:  t.UpdatedAt,
	}
}
