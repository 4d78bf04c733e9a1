-- Why a refund waits for an approver, as a stable code and the params its sentence is made from
-- (companion/codes.py APPROVALS), so every panel words it in its agent's language. `why` stays
-- the English sentence: the fallback, and all that requests recorded before this migration have.
ALTER TABLE approvals
  ADD COLUMN why_code text,
  ADD COLUMN why_params jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(why_params) = 'object');
