-- API keys made with `npm run keys -- create`: only the key's sha256 is kept. Revoked keys stay,
-- so the audit trail says who had which key.
CREATE TABLE api_keys (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
  role        text NOT NULL CHECK (role IN ('read', 'write', 'admin')),
  sha256      text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
