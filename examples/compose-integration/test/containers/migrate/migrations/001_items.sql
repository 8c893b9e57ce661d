CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL, processed boolean NOT NULL DEFAULT false);
INSERT INTO items (name) VALUES ('alpha'), ('beta'), ('gamma');
