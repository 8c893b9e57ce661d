INSERT INTO items (name, quantity, reorder_at) VALUES
  ('tea', 12, 4),
  ('jam', 3, 5)
ON CONFLICT (name) DO NOTHING;
SELECT 'seeded ' || count(*) || ' items' FROM items;
