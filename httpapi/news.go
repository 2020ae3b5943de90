package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portal"
)

// ListArticles implements oapi.StrictServerInterface.
func (s *Server) ListArticles(ctx context.Context, req oapi.ListArticlesRequestObject) (oapi.ListArticlesResponseObject, error) {
	params := portal.ListArticlesParams{Reader: customer.ID(deref(req.Params.CustomerId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListArticles(ctx, params)
	if err != nil {
		return nil, err
	}
	return oapi.ListArticles200JSONResponse{Items: articlesOut(l.Items), NextCursor: l.NextCursor}, nil
}

// CreateArticle implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent).
func (s *Server) CreateArticle(ctx context.Context, req oapi.CreateArticleRequestObject) (oapi.CreateArticleResponseObject, error) {
	a, err := s.p.CreateArticle(ctx, portal.CreateArticleParams{
		Title: req.Body.Title, Body: req.Body.Body, PublishAt: deref(req.Body.PublishAt), Audience: audienceIn(req.Body.Audience),
	})
	if err != nil {
		return nil, err
	}
	return oapi.CreateArticle201JSONResponse{Body: articleOut(a), Headers: oapi.CreateArticle201ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// GetArticle implements oapi.StrictServerInterface.
func (s *Server) GetArticle(ctx context.Context, req oapi.GetArticleRequestObject) (oapi.GetArticleResponseObject, error) {
	a, err := s.p.GetArticle(ctx, news.ID(req.ArticleId))
	if err != nil {
		return nil, err
	}
	return oapi.GetArticle200JSONResponse{Body: articleOut(a), Headers: oapi.GetArticle200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// UpdateArticle implements oapi.StrictServerInterface. If-Match reaches
// the use case as the expected version.
func (s *Server) UpdateArticle(ctx context.Context, req oapi.UpdateArticleRequestObject) (oapi.UpdateArticleResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	params := portal.UpdateArticleParams{Version: want, Title: req.Body.Title, Body: req.Body.Body, PublishAt: req.Body.PublishAt}
	if req.Body.Audience != nil {
		aud := audienceIn(*req.Body.Audience)
		params.Audience = &aud
	}
	a, err := s.p.UpdateArticle(ctx, news.ID(req.ArticleId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateArticle200JSONResponse{Body: articleOut(a), Headers: oapi.UpdateArticle200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// DeleteArticle implements oapi.StrictServerInterface.
func (s *Server) DeleteArticle(ctx context.Context, req oapi.DeleteArticleRequestObject) (oapi.DeleteArticleResponseObject, error) {
	if err := s.p.DeleteArticle(ctx, news.ID(req.ArticleId)); err != nil {
		return nil, err
	}
	return oapi.DeleteArticle204Response{}, nil
}

// ListCustomerNews implements oapi.StrictServerInterface.
func (s *Server) ListCustomerNews(ctx context.Context, req oapi.ListCustomerNewsRequestObject) (oapi.ListCustomerNewsResponseObject, error) {
	params := portal.ListCustomerNewsParams{Written: deref(req.Params.Written)}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListCustomerNews(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ListCustomerNews200JSONResponse{Items: articlesOut(l.Items), NextCursor: l.NextCursor}, nil
}

// CreateCustomerArticle implements oapi.StrictServerInterface. The
// middleware handles its Idempotency-Key header (serveIdempotent).
func (s *Server) CreateCustomerArticle(ctx context.Context, req oapi.CreateCustomerArticleRequestObject) (oapi.CreateCustomerArticleResponseObject, error) {
	a, err := s.p.CreateCustomerArticle(ctx, customer.ID(req.CustomerId), portal.CreateCustomerArticleParams{
		Title: req.Body.Title, Body: req.Body.Body, PublishAt: deref(req.Body.PublishAt),
	})
	if err != nil {
		return nil, err
	}
	return oapi.CreateCustomerArticle201JSONResponse{Body: articleOut(a), Headers: oapi.CreateCustomerArticle201ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// GetCustomerArticle implements oapi.StrictServerInterface.
func (s *Server) GetCustomerArticle(ctx context.Context, req oapi.GetCustomerArticleRequestObject) (oapi.GetCustomerArticleResponseObject, error) {
	a, err := s.p.GetCustomerArticle(ctx, customer.ID(req.CustomerId), news.ID(req.ArticleId))
	if err != nil {
		return nil, err
	}
	return oapi.GetCustomerArticle200JSONResponse{Body: articleOut(a), Headers: oapi.GetCustomerArticle200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// UpdateCustomerArticle implements oapi.StrictServerInterface.
func (s *Server) UpdateCustomerArticle(ctx context.Context, req oapi.UpdateCustomerArticleRequestObject) (oapi.UpdateCustomerArticleResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	a, err := s.p.UpdateCustomerArticle(ctx, customer.ID(req.CustomerId), news.ID(req.ArticleId), portal.UpdateArticleParams{
		Version: want, Title: req.Body.Title, Body: req.Body.Body, PublishAt: req.Body.PublishAt,
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateCustomerArticle200JSONResponse{Body: articleOut(a), Headers: oapi.UpdateCustomerArticle200ResponseHeaders{ETag: etag(a.Version)}}, nil
}

// DeleteCustomerArticle implements oapi.StrictServerInterface.
func (s *Server) DeleteCustomerArticle(ctx context.Context, req oapi.DeleteCustomerArticleRequestObject) (oapi.DeleteCustomerArticleResponseObject, error) {
	if err := s.p.DeleteCustomerArticle(ctx, customer.ID(req.CustomerId), news.ID(req.ArticleId)); err != nil {
		return nil, err
	}
	return oapi.DeleteCustomerArticle204Response{}, nil
}

func audienceIn(a oapi.Audience) news.Audience {
	ids := make([]customer.ID, len(a.CustomerIds))
	for i, id := range a.CustomerIds {
		ids[i] = customer.ID(id)
	}
	return news.Audience{All: a.All, Customers: ids}.Normalize()
}

// articleOut converts an article; its body goes out both as written and
// rendered, sanitized, by news.Render.
func articleOut(a news.Article) oapi.Article {
	ids := make([]oapi.CustomerId, len(a.Audience.Customers))
	for i, id := range a.Audience.Customers {
		ids[i] = string(id)
	}
	return oapi.Article{
		Id:         string(a.ID),
		CustomerId: string(a.CustomerID),
		Title:      a.Title,
		Body:       a.Body,
		BodyHtml:   string(news.Render(a.Body)),
		PublishAt:  a.PublishAt.UTC(),
		Audience:   oapi.Audience{All: a.Audience.All, CustomerIds: ids},
		Author:     a.Author,
		Version:    a.Version,
		CreatedAt:  a.CreatedAt,
		UpdatedAt:  a.UpdatedAt,
	}
}

func articlesOut(as []news.Article) []oapi.Article {
	out := make([]oapi.Article, len(as))
	for i, a := range as {
		out[i] = articleOut(a)
	}
	return out
}
