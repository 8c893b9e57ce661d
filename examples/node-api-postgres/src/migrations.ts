/** The schema, one step at a time; `down` undoes `up`. Never edit a step that has shipped: add one. */
export interface Migration {
  id: string;
  up: string;
  down: string;
}

export const migrations: Migration[] = [
  {
    id: "001_todos",
    up: `CREATE TABLE todos (
      id serial PRIMARY KEY,
      title text NOT NULL CHECK (length(title) > 0),
      done boolean NOT NULL DEFAULT false
    )`,
    down: "DROP TABLE todos",
  },
  {
    id: "002_todos_created_at",
    up: "ALTER TABLE todos ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()",
    down: "ALTER TABLE todos DROP COLUMN created_at",
  },
];
