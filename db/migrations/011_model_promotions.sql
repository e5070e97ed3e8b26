-- What a rollback needs from the registry: when a version last became production, the production
-- version it replaced then, and when it was rolled back. Rolling back makes production again the
-- version that the current one replaced; a version's `replaced` is set only when it is promoted
-- forward, so rolling back twice goes two promotions back.
ALTER TABLE model_versions
  ADD COLUMN promoted_at    timestamptz,
  ADD COLUMN replaced       integer,
  ADD COLUMN rolled_back_at timestamptz;
