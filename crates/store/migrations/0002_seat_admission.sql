-- A seat let into a live meeting stays let in (with its current role) across restarts,
-- until the meeting ends or a presenter removes it.
ALTER TABLE seats ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE seats ADD COLUMN live_role TEXT;
