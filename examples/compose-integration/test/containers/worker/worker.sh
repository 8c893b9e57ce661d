#!/bin/bash
# The worker: marks unprocessed items as processed, acknowledging each to the API, then idles.
set -u
get() { exec 3<>/dev/tcp/api/8000 && printf 'GET %s HTTP/1.0\r\nHost: api\r\n\r\n' "$1" >&3 && cat <&3 >/dev/null; exec 3<&-; }
while true; do
  id=$(psql -qtAc "UPDATE items SET processed = true WHERE id = (SELECT id FROM items WHERE NOT processed ORDER BY id LIMIT 1) RETURNING id" | head -1)
  if [ -n "$id" ]; then echo "worker: processed item $id"; get /ack; else sleep 0.5; fi
done
