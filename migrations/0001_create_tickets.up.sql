-- Tickets, with the old backend's column names and enumeration values.
-- Enumerations are text with CHECK constraints so that a later migration can
-- add a value without rewriting the table.
CREATE TABLE tickets (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title              varchar(255) NOT NULL CHECK (length(title) >= 1),
  description        text NOT NULL,
  status             text NOT NULL DEFAULT 'new' CHECK (status IN
                       ('new', 'open', 'in_progress', 'pending', 'resolved', 'closed', 'cancelled')),
  priority           text NOT NULL DEFAULT 'medium'
                       CHECK (priority IN ('low', 'medium', 'high', 'critical')),
  urgency            text NOT NULL DEFAULT 'medium'
                       CHECK (urgency IN ('low', 'medium', 'high', 'critical')),
  category           text NOT NULL DEFAULT 'general' CHECK (category IN
                       ('technical', 'billing', 'feature_request', 'bug', 'user_access', 'general',
                        'integration', 'performance', 'security')),
  subcategory        text,
  department         text,
  tags               text[] NOT NULL DEFAULT '{}',
  created_by_id      uuid,
  assigned_to_id     uuid,
  due_date           timestamptz,
  resolution_summary text,
  internal_notes     text,
  metadata           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  source_channel     text NOT NULL DEFAULT 'api'
                       CHECK (source_channel IN ('web', 'email', 'phone', 'chat', 'api', 'mcp')),
  attachments        jsonb NOT NULL DEFAULT '[]',
  ai_analysis        jsonb,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  last_activity_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at        timestamptz,
  closed_at          timestamptz,
  deleted_at         timestamptz,
  version            bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  search_vector      tsvector GENERATED ALWAYS AS (
                       setweight(to_tsvector('english', title), 'A') ||
                       setweight(to_tsvector('english', description), 'B')) STORED
);

CREATE INDEX tickets_search_idx ON tickets USING gin (search_vector);
CREATE INDEX tickets_created_at_idx ON tickets (created_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_status_idx ON tickets (status) WHERE deleted_at IS NULL;
CREATE INDEX tickets_created_by_idx ON tickets (created_by_id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_assigned_to_idx ON tickets (assigned_to_id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_department_idx ON tickets (department) WHERE deleted_at IS NULL;
CREATE INDEX tickets_due_date_idx ON tickets (due_date)
  WHERE deleted_at IS NULL AND due_date IS NOT NULL;
