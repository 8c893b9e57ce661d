CREATE TABLE items (
  name text PRIMARY KEY,
  quantity integer NOT NULL DEFAULT 0 CHECK (quantity >= 0)
);
