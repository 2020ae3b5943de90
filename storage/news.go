package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
)

// NewsRepo stores news articles and their audiences.
type NewsRepo interface {
	// Create stores a as given. ErrAlreadyExists when the ID is taken;
	// ErrNotFound when a's customer or a customer of its audience does not
	// exist.
	Create(ctx context.Context, a news.Article) error
	// Get returns the article with the given ID, or ErrNotFound.
	Get(ctx context.Context, id news.ID) (news.Article, error)
	// Update works like CustomerRepo.Update, replacing the audience. fn
	// must not change CustomerID. ErrNotFound when a new audience customer
	// does not exist.
	Update(ctx context.Context, id news.ID, fn func(*news.Article) error) (news.Article, error)
	// Delete removes the article and its audience, or returns ErrNotFound.
	Delete(ctx context.Context, id news.ID) error
	// List returns one page of articles matching f, newest first: by
	// PublishAt descending, then by ID descending.
	List(ctx context.Context, f NewsFilter, p Page) (List[news.Article], error)
}

// NewsFilter narrows an article list. Zero fields do not filter.
type NewsFilter struct {
	// Reader keeps the articles addressed to this customer's people: those
	// for all customers and those that name it.
	Reader customer.ID
	// CustomerID keeps the articles this customer's admins wrote.
	CustomerID customer.ID
	// PublishedBy keeps the articles published at or before this time,
	// leaving scheduled ones out.
	PublishedBy time.Time
}
