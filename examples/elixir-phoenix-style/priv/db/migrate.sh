#!/bin/sh
# Applies (up) or undoes (down [N], default 1) the SQL migrations in priv/db/migrations with psql, each in one
# transaction with its row in schema_migrations. Connection from the libpq variables (PGHOST, PGDATABASE, …).
set -eu
dir=$(dirname "$0")/migrations
psql="psql -v ON_ERROR_STOP=1 -X -q -tA"
$psql -c "CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY)"
case "${1:-up}" in
  up)
    for f in "$dir"/*.up.sql; do
      id=$(basename "$f" .up.sql)
      if [ -z "$($psql -c "SELECT 1 FROM schema_migrations WHERE id = '$id'")" ]; then
        $psql -1 -f "$f" -c "INSERT INTO schema_migrations (id) VALUES ('$id')"
        echo "applied $id"
      fi
    done
    ;;
  down)
    for id in $($psql -c "SELECT id FROM schema_migrations ORDER BY id DESC LIMIT ${2:-1}"); do
      $psql -1 -f "$dir/$id.down.sql" -c "DELETE FROM schema_migrations WHERE id = '$id'"
      echo "rolled back $id"
    done
    ;;
  *)
    echo "usage: migrate.sh up | down [N]" >&2
    exit 2
    ;;
esac
