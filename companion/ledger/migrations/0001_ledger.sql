-- The team ledger: the journal every companion of a team shares (docs/team.md).
-- Money is numeric (never float); times are timestamptz; JSON documents are jsonb.

-- Team-wide settings and the ledger's identity (key "ledger_id", "approval_ttl_seconds", …).
CREATE TABLE team_settings (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Refunds and cancellations: one row each, written before anything is sent to Amazon.
CREATE TABLE actions (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('refund', 'cancel')),
  account text NOT NULL,
  order_id text NOT NULL,
  marketplace_id text NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  state text NOT NULL CHECK (state IN ('awaiting_approval', 'accepted', 'queued', 'submitted',
    'processing', 'succeeded', 'failed', 'unknown', 'posted')),
  total numeric NOT NULL,
  reason text NOT NULL,
  items jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  ticket_url text NOT NULL DEFAULT '',
  -- Empty only for actions imported from a journal kept before agent names were required.
  agent text NOT NULL,
  channel text NOT NULL,
  feed_id text,
  message_id integer,
  batch_id text,
  amazon jsonb NOT NULL DEFAULT '{}',
  warnings jsonb NOT NULL DEFAULT '[]',
  extra jsonb NOT NULL DEFAULT '{}',
  -- The companion that accepted the action (team status and diagnostics).
  companion text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX actions_order ON actions (order_id, created_at);
CREATE INDEX actions_batch ON actions (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX actions_unfinished ON actions (created_at)
  WHERE state IN ('awaiting_approval', 'accepted', 'queued', 'submitted', 'processing');
-- Finances polling: refunds Amazon may have applied that are not marked posted yet.
CREATE INDEX actions_unposted ON actions (account, order_id)
  WHERE kind = 'refund' AND state IN ('succeeded', 'unknown');
-- Per-day limits: an agent's refunds of the last 24 hours.
CREATE INDEX actions_agent_refunds ON actions (agent, created_at) WHERE kind = 'refund';

CREATE TABLE history (
  seq bigserial PRIMARY KEY,
  action_id text NOT NULL REFERENCES actions (id),
  state text NOT NULL,
  at timestamptz NOT NULL,
  detail text
);
CREATE INDEX history_action ON history (action_id, seq);

-- Same key + same body = the same action, whichever companion the request reached.
CREATE TABLE idempotency (
  key text PRIMARY KEY,
  body_hash text NOT NULL,
  action_id text NOT NULL REFERENCES actions (id),
  created_at timestamptz NOT NULL
);

CREATE TABLE batches (
  id text PRIMARY KEY,
  account text NOT NULL,
  feed_type text NOT NULL,
  marketplace_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'uploaded', 'creating', 'submitted', 'processing',
    'done', 'fatal', 'cancelled', 'failed', 'unknown', 'dissolved')),
  document_id text,
  feed_id text,
  create_started_at timestamptz,
  detail jsonb NOT NULL DEFAULT '{}',
  -- The feed builder's term when it made the batch (leader table): a stale leader is fenced off.
  leader_epoch bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX batches_open ON batches (created_at)
  WHERE state IN ('open', 'uploaded', 'creating', 'submitted', 'processing');
CREATE UNIQUE INDEX batches_feed ON batches (account, feed_id) WHERE feed_id IS NOT NULL;
-- At most one createFeed per queue may be unanswered at a time: a lost answer is reconciled by
-- looking at the feeds Amazon has, which is only unambiguous with one candidate batch.
CREATE UNIQUE INDEX batches_one_creating ON batches (account, feed_type, marketplace_id)
  WHERE state = 'creating';

-- Team members: agent names are how the team knows who did what.
CREATE TABLE members (
  agent text PRIMARY KEY CHECK (length(agent) BETWEEN 1 AND 200 AND agent = btrim(agent)),
  role text NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'approver')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT ''
);

-- Refund limits per agent and currency (amounts are never converted between currencies).
CREATE TABLE limits (
  agent text NOT NULL REFERENCES members (agent) ON DELETE CASCADE,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  per_refund numeric CHECK (per_refund >= 0),
  per_day numeric CHECK (per_day >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT '',
  PRIMARY KEY (agent, currency)
);

-- A refund over its agent's limit waits here; nothing is sent to Amazon before approval.
CREATE TABLE approvals (
  action_id text PRIMARY KEY REFERENCES actions (id),
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  why text NOT NULL,
  decision text CHECK (decision IN ('approved', 'rejected', 'expired')),
  decided_by text,
  decided_at timestamptz,
  note text NOT NULL DEFAULT '',
  -- Nobody approves their own refund.
  CHECK (decision IS DISTINCT FROM 'approved' OR decided_by <> requested_by)
);
CREATE INDEX approvals_pending ON approvals (expires_at) WHERE decision IS NULL;

-- The seller accounts' non-secret metadata (credentials stay in each companion's keyring).
CREATE TABLE accounts (
  name text PRIMARY KEY,
  region text NOT NULL,
  marketplaces jsonb NOT NULL,
  seller_id text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text NOT NULL DEFAULT ''
);

-- Companions that joined the ledger, for `spdesk team status`.
CREATE TABLE companions (
  id text PRIMARY KEY,
  agent text NOT NULL,
  host text NOT NULL,
  version text NOT NULL,
  started_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);

-- The feed builder: whoever holds the leader advisory lock writes its term here; every batch
-- write checks the term, so a companion that lost the lock cannot start a createFeed.
CREATE TABLE leader (
  name text PRIMARY KEY,
  epoch bigint NOT NULL,
  holder text NOT NULL,
  since timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);

-- Amazon's token buckets shared by the team (tokens refill at `rate` per second up to `burst`).
CREATE TABLE rate_buckets (
  account text NOT NULL,
  operation text NOT NULL,
  tokens double precision NOT NULL,
  rate double precision NOT NULL,
  burst double precision NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account, operation)
);

-- Local journals imported by `spdesk team init` (each once).
CREATE TABLE imports (
  source text PRIMARY KEY,
  host text NOT NULL,
  actions integer NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  imported_by text NOT NULL
);
