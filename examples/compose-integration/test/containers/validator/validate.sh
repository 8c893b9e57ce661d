#!/bin/bash
# The validator: the API answers, the migrations ran, and the worker processed every item.
set -u
fail() { echo "validator: FAIL: $*"; exit 1; }
http() { exec 3<>/dev/tcp/api/8000 || return 1; printf 'GET %s HTTP/1.0\r\nHost: api\r\n\r\n' "$1" >&3; sed -n '/^\r$/,$p' <&3 | tail -n +2; exec 3<&-; }
health=$(http /health) || fail "api not reachable"
echo "validator: api health: $health"
[[ "$health" == *'"ok"'* ]] || fail "api unhealthy"
items=$(psql -tAc "SELECT count(*) FROM items") || fail "database not reachable"
echo "validator: items in database: $items (expected ${EXPECT_ITEMS})"
[ "$items" = "${EXPECT_ITEMS}" ] || fail "expected ${EXPECT_ITEMS} items, found $items"
for _ in $(seq 1 40); do
  left=$(psql -tAc "SELECT count(*) FROM items WHERE NOT processed")
  [ "$left" = "0" ] && break
  sleep 0.5
done
[ "$left" = "0" ] || fail "$left items were never processed by the worker"
echo "validator: worker processed every item; acks: $(http /stats)"
echo "validator: all checks passed"
