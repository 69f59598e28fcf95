-- Lookups the admin endpoints make (issue #3): every refresh token of one
-- user (deactivation and password changes revoke them all), and the audit
-- trail filtered by actor or target, newest first.
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at DESC)
  WHERE actor_id IS NOT NULL;
CREATE INDEX audit_events_target_idx ON audit_events (target, occurred_at DESC)
  WHERE target IS NOT NULL;
