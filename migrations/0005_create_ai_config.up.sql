-- The live AI configuration (issue #4): every change is a new numbered
-- version with its author and time; a rollback is a new version copying an
-- older one. Version 0 is the file of defaults (AI_CONFIG_PATH) and has no
-- row. Running processes poll the highest version and reload within seconds.
CREATE TABLE ai_config_versions (
  version          integer PRIMARY KEY CHECK (version >= 1),
  config           jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
  author_id        uuid,
  author_kind      text NOT NULL CHECK (author_kind IN ('user', 'api_key', 'system')),
  comment          text CHECK (length(comment) <= 500),
  rolled_back_from integer CHECK (rolled_back_from >= 0),
  created_at       timestamptz NOT NULL DEFAULT now()
);
