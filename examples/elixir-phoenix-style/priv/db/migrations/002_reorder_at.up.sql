ALTER TABLE items ADD COLUMN reorder_at integer NOT NULL DEFAULT 0;
