-- +goose Up
-- Webhook endpoints' signing secrets are stored sealed from now on
-- ("sealed:" and the base64 of AES-256-GCM under the server key that seals
-- SSO client secrets). SQL cannot seal (the key is the server's, kept in
-- server_keys as bytes, and neither engine has AES-GCM), so the secrets
-- stored in clear before are marked "plain:" here, and the server seals
-- them the first time it delivers webhooks.
UPDATE webhook_endpoints SET secret = 'plain:' || secret
    WHERE secret <> '' AND secret NOT LIKE 'sealed:%' AND secret NOT LIKE 'plain:%';
UPDATE webhook_endpoints SET previous_secret = 'plain:' || previous_secret
    WHERE previous_secret <> '' AND previous_secret NOT LIKE 'sealed:%' AND previous_secret NOT LIKE 'plain:%';

-- +goose Down
-- Sealed secrets cannot be opened here; only the marks are taken off.
UPDATE webhook_endpoints SET secret = substr(secret, 7) WHERE secret LIKE 'plain:%';
UPDATE webhook_endpoints SET previous_secret = substr(previous_secret, 7) WHERE previous_secret LIKE 'plain:%';
