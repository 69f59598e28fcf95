DROP INDEX audit_events_target_idx;
DROP INDEX audit_events_actor_idx;
DROP INDEX refresh_tokens_user_idx;
