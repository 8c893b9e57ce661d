#!/bin/sh
# The same commands as the pipeline, as a plain shell script (the host-runtime comparison).
set -e
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$1/." "$work/"; cd "$work"
(sleep 1; find . -type f | wc -l > /tmp/count; cat /tmp/count) &
(sleep 1; grep -rl 'export' . | wc -l) &
(sleep 1; cat $(find . -name '*.js') | wc -c) &
wait
sleep 1; mkdir -p "$work/out" && tar -cf "$work/out/app.tar" src 2>/dev/null || tar -cf "$work/app.tar" . ; ls -la "$work" >/dev/null
