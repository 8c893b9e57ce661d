ALTER TABLE items DROP COLUMN reorder_at;
