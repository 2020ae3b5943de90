package portal

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// An endpoint's signing secrets are stored sealed, as SSO client secrets
// are (seal, under the same server key), bound to the endpoint: a copy of
// the database alone signs nothing. The stored Secret and PreviousSecret
// are sealedSecret and the base64 of the sealed bytes. Endpoints stored
// before that held them in clear; migration 00090 marks such values
// plainSecret (SQL cannot seal: the key is not SQL's to use), and the
// first delivery pass of a Portal seals them (sealStoredSecrets).
const (
	sealedSecret = "sealed:"
	plainSecret  = "plain:"
)

// sealEndpointSecret seals endpoint id's signing secret for storing.
func (p *Portal) sealEndpointSecret(ctx context.Context, id webhook.EndpointID, secret string) (string, error) {
	b, err := p.seal(ctx, "portalkit webhook "+string(id), secret)
	if err != nil {
		return "", fmt.Errorf("portal: sealing the secret of webhook endpoint %s: %w", id, err)
	}
	return sealedSecret + base64.RawStdEncoding.EncodeToString(b), nil
}

// openEndpointSecret opens a secret of endpoint id as stored.
func (p *Portal) openEndpointSecret(ctx context.Context, id webhook.EndpointID, stored string) (string, error) {
	if plain, ok := strings.CutPrefix(stored, plainSecret); ok {
		return plain, nil
	}
	enc, ok := strings.CutPrefix(stored, sealedSecret)
	if !ok {
		return "", fmt.Errorf("portal: webhook endpoint %s has a secret stored in an unknown form", id)
	}
	b, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("portal: webhook endpoint %s has a secret stored in an unknown form: %w", id, err)
	}
	plain, err := p.open(ctx, "portalkit webhook "+string(id), b)
	if err != nil {
		return "", fmt.Errorf("portal: opening the secret of webhook endpoint %s: %w", id, err)
	}
	return plain, nil
}

// endpointSecrets are the secrets that sign e's deliveries at now, opened.
func (p *Portal) endpointSecrets(ctx context.Context, e webhook.Endpoint, now time.Time) ([]string, error) {
	stored := e.Secrets(now)
	out := make([]string, len(stored))
	for i, s := range stored {
		var err error
		if out[i], err = p.openEndpointSecret(ctx, e.ID, s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sealStoredSecrets seals the secrets stored in clear (plainSecret), once
// per Portal: the first delivery pass calls it. Sealing happens before
// the transaction (the key may have to be loaded), and a secret rotated
// meanwhile is left as it now is.
func (p *Portal) sealStoredSecrets(ctx context.Context) error {
	if p.hooks.sealed.Load() {
		return nil
	}
	type change struct{ secret, previous [2]string } // stored, sealed
	todo := map[webhook.EndpointID]change{}
	err := p.read(ctx, func(r storage.Repos) error {
		return eachItem(func(page storage.Page) (storage.List[webhook.Endpoint], error) {
			return r.Webhooks().Endpoints(ctx, page)
		}, func(e webhook.Endpoint) (bool, error) {
			if strings.HasPrefix(e.Secret, plainSecret) || strings.HasPrefix(e.PreviousSecret, plainSecret) {
				todo[e.ID] = change{secret: [2]string{e.Secret}, previous: [2]string{e.PreviousSecret}}
			}
			return false, nil
		})
	})
	if err != nil {
		return fmt.Errorf("portal: finding webhook secrets stored in clear: %w", err)
	}
	reseal := func(id webhook.EndpointID, stored string) (string, error) {
		plain, ok := strings.CutPrefix(stored, plainSecret)
		if !ok {
			return stored, nil
		}
		return p.sealEndpointSecret(ctx, id, plain)
	}
	for id, c := range todo {
		if c.secret[1], err = reseal(id, c.secret[0]); err != nil {
			return err
		}
		if c.previous[1], err = reseal(id, c.previous[0]); err != nil {
			return err
		}
		todo[id] = c
	}
	if len(todo) > 0 {
		err = p.write(ctx, func(r storage.Repos) error {
			for id, c := range todo {
				_, err := r.Webhooks().UpdateEndpoint(ctx, id, func(e *webhook.Endpoint) error {
					if e.Secret == c.secret[0] && e.PreviousSecret == c.previous[0] {
						e.Secret, e.PreviousSecret = c.secret[1], c.previous[1]
					}
					return nil
				})
				if err := ignoreNotFound(err); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("portal: sealing webhook secrets stored in clear: %w", err)
		}
	}
	p.hooks.sealed.Store(true)
	return nil
}
