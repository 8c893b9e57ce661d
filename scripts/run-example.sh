#!/usr/bin/env bash
# The main job: run the bundled example's CI pipeline (examples/hello-node) with Gantry.
# On Docker when an engine answers, otherwise on the host runtime — Gantry says which.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund
# built when dist/ is missing or older than a source of it (an edit since the last build runs, not a stale copy)
if [ ! -f dist/cli/main.js ] ||
  [ -n "$(find src scripts package.json tsconfig.json tsconfig.build.json -newer dist/cli/main.js -print -quit 2>/dev/null)" ]; then
  npm run build --silent
fi
args=()
image="node:22-bookworm-slim"
if docker version >/dev/null 2>&1; then
  if ! docker image inspect "$image" >/dev/null 2>&1 && ! timeout 120 docker pull "$image" >/dev/null 2>&1; then
    # No registry reachable (an offline or sandboxed machine): build a local Node image from Debian instead.
    echo "example: cannot pull $image (no registry reachable); using the locally built gantry-test/node:bookworm" >&2
    bash scripts/test-images.sh node >&2
    args+=("--image=gantry-test/node:bookworm")
  fi
fi
exec node bin/gantry.js call -m examples/hello-node "${args[@]}" ci "$@"
