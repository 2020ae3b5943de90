package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/invite"
)

// AccessRequestRepo stores requests for access (package accessrequest).
type AccessRequestRepo interface {
	// Create stores r as given. ErrAlreadyExists when the ID or the token
	// hash is taken.
	Create(ctx context.Context, r accessrequest.Request) error
	// Get returns the request with the given ID, or ErrNotFound.
	Get(ctx context.Context, id accessrequest.ID) (accessrequest.Request, error)
	// GetByToken returns the request whose confirmation token has this
	// hash, or ErrNotFound.
	GetByToken(ctx context.Context, hash invite.Hash) (accessrequest.Request, error)
	// Update reads the request, lets fn change it and writes it back with
	// its version one higher, if no other transaction wrote it meanwhile
	// (ErrConflict). ID and CreatedAt stay as stored. ErrNotFound when there
	// is no such request; fn's error is returned unchanged.
	Update(ctx context.Context, id accessrequest.ID, fn func(*accessrequest.Request) error) (accessrequest.Request, error)
	// List returns one page of requests matching f, newest first.
	List(ctx context.Context, f AccessRequestFilter, p Page) (List[accessrequest.Request], error)
	// Count returns how many requests are in each status at now (expired
	// ones counted as StatusExpired); statuses without requests are absent.
	Count(ctx context.Context, now time.Time) (map[accessrequest.Status]int, error)
	// DeleteExpired deletes the requests left unconfirmed past their
	// ConfirmBy, at or before now, and returns how many it deleted.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
	// Candidates returns up to limit customers that q may point at (see
	// CandidateQuery), with the e-mail domains of their users that are
	// q.Domain: the input of accessrequest.Rank, which decides how well
	// each matches. Archived customers are left out.
	Candidates(ctx context.Context, q CandidateQuery, limit int) ([]accessrequest.Candidate, error)
}

// AccessRequestFilter narrows a list of access requests.
type AccessRequestFilter struct {
	// Status keeps requests in this status at Now; empty keeps all.
	Status accessrequest.Status
	// Now is the time StatusUnconfirmed and StatusExpired are judged at.
	Now time.Time
}

// CandidateQuery says what a customer may share with a request; a customer
// is a candidate when it shares any of it. Empty fields match nothing.
type CandidateQuery struct {
	// Domain is an e-mail domain: of the customer's contact e-mail, or of
	// one of its users' e-mail addresses.
	Domain string
	// VATID is a VAT ID as accessrequest.NormalizeVATID writes it; stored
	// ones are compared without spaces, dots and dashes, ignoring case.
	VATID string
	// Words are words of a company name; a customer whose name or legal
	// name contains one, ignoring case, is a candidate.
	Words []string
}
