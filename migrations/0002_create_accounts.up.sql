-- Accounts (issue #3): users, refresh tokens, API keys and the audit trail.
-- Secrets are never stored: passwords as argon2id strings, refresh tokens and
-- API keys as SHA-256 digests of random values.
CREATE TABLE users (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email                text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  full_name            text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  password_hash        text NOT NULL,
  role                 text NOT NULL DEFAULT 'user'
                         CHECK (role IN ('admin', 'manager', 'agent', 'user', 'api_user')),
  is_active            boolean NOT NULL DEFAULT true,
  failed_logins        integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until         timestamptz,
  last_login_at        timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_idx ON users (email);

-- One row per issued refresh token. A family is one login's chain of
-- rotations: presenting a token that was already rotated revokes the family.
CREATE TABLE refresh_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id    uuid NOT NULL,
  token_hash   bytea NOT NULL,
  expires_at   timestamptz NOT NULL,
  rotated_at   timestamptz,
  revoked_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX refresh_tokens_hash_idx ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix        text NOT NULL,
  key_hash      bytea NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'user', 'api_user')),
  created_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE UNIQUE INDEX api_keys_hash_idx ON api_keys (key_hash);
CREATE UNIQUE INDEX api_keys_prefix_idx ON api_keys (prefix);

CREATE TABLE audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  event       text NOT NULL,
  actor_id    uuid,
  actor_kind  text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'anonymous', 'system')),
  target      text,
  client_ip   text,
  request_id  text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at DESC);
CREATE INDEX audit_events_event_idx ON audit_events (event, occurred_at DESC);
