#!/usr/bin/env bash
# Start a real local OCI registry (Debian's docker-registry, i.e. distribution 2.8) for
# Gantry's publish / registry-auth tests.
#
#   http://127.0.0.1:5000   no auth (always)
#   http://127.0.0.1:5001   htpasswd basic auth, only when AUTH=1
#                           user:     gantry          (override: GANTRY_REGISTRY_USER)
#                           password: gantry-secret   (override: GANTRY_REGISTRY_PASSWORD)
#
# Each instance runs with its own config file (never /etc/docker/registry/config.yml, which
# Debian ships with htpasswd auth switched on), and its own storage, under
# $GANTRY_REGISTRY_DIR (default /tmp/gantry-registry)/<port>/: config.yml, data/, registry.log,
# pid. Storage is wiped whenever an instance is (re)started, so tests start from an empty
# registry. Plain HTTP is fine: Docker treats 127.0.0.0/8 as an insecure registry by default.
#
# Idempotent: an instance already answering on its port is left alone. When it starts the
# no-auth instance, the script checks that `docker push` to it works (with
# gantry-test/busybox:latest, if that image exists) and removes the test tag; VERIFY=0 skips.
#
# Stop:  kill "$(cat /tmp/gantry-registry/5000/pid)"
set -euo pipefail

BASE=${GANTRY_REGISTRY_DIR:-/tmp/gantry-registry}
USER_NAME=${GANTRY_REGISTRY_USER:-gantry}
PASSWORD=${GANTRY_REGISTRY_PASSWORD:-gantry-secret}
AUTH=${AUTH:-0}
VERIFY=${VERIFY:-1}
WAIT=${GANTRY_REGISTRY_WAIT:-30}

say() { echo "[ensure-registry] $*"; }
die() { echo "[ensure-registry] ERROR: $*" >&2; exit 1; }

install_pkg() { # install_pkg <command> <package>
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2"
  export DEBIAN_FRONTEND=noninteractive
  local log=/tmp/gantry-apt-install.log
  if [ -z "${_APT_UPDATED:-}" ]; then
    apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
    _APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$2" >"$log" 2>&1 ||
    { tail -n 30 "$log" >&2; die "apt-get install $2 failed"; }
}

install_pkg docker-registry docker-registry
install_pkg curl curl

# answering <port> [curl args...]: the registry's /v2/ gives 200 (with the given credentials)
answering() {
  local port=$1
  shift
  curl -fsS -o /dev/null --max-time 2 "$@" "http://127.0.0.1:$port/v2/" 2>/dev/null
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start <port> [auth]: write config, start in the background, wait for /v2/
start() {
  local port=$1 auth=${2:-} dir="$BASE/$1" i curl_auth=()
  [ -n "$auth" ] && curl_auth=(-u "$USER_NAME:$PASSWORD")
  if answering "$port" "${curl_auth[@]}"; then
    say "registry on 127.0.0.1:$port already answering"
    STARTED=0
    return 0
  fi
  if port_busy "$port"; then
    die "127.0.0.1:$port is in use by something that is not a registry we can use" \
      "(Debian's docker-registry service with its htpasswd config? see: ss -ltnp)"
  fi
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    kill "$(cat "$dir/pid")" 2>/dev/null || true # our own earlier instance, not answering
    sleep 0.5
  fi
  rm -rf "$dir"
  mkdir -p "$dir/data"
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: info"
    echo "  fields:"
    echo "    service: gantry-test-registry-$port"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/data"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    echo "  headers:"
    echo "    X-Content-Type-Options: [nosniff]"
    if [ -n "$auth" ]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: gantry-test-registry"
      echo "    path: $dir/htpasswd"
    fi
  } >"$dir/config.yml"
  if [ -n "$auth" ]; then
    htpasswd -Bbn "$USER_NAME" "$PASSWORD" >"$dir/htpasswd"
  fi
  setsid nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for ((i = 0; i < WAIT * 4; i++)); do
    if answering "$port" "${curl_auth[@]}"; then
      say "registry on 127.0.0.1:$port started${auth:+ (htpasswd auth, user $USER_NAME)} (pid $(cat "$dir/pid"), dir $dir)"
      STARTED=1
      return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.25
  done
  echo "[ensure-registry] ERROR: registry on 127.0.0.1:$port did not answer; last log lines:" >&2
  tail -n 20 "$dir/registry.log" >&2
  exit 1
}

verify_push() {
  local src=gantry-test/busybox:latest ref="127.0.0.1:5000/gantry-verify/busybox:$$" log="$BASE/5000/verify.log"
  if ! docker image inspect "$src" >/dev/null 2>&1; then
    say "skipping push check ($src not built yet; run scripts/test-images.sh)"
    return 0
  fi
  docker tag "$src" "$ref"
  if docker push "$ref" >"$log" 2>&1; then
    say "docker push to 127.0.0.1:5000 works"
  else
    docker rmi "$ref" >/dev/null 2>&1 || true
    cat "$log" >&2
    die "docker push to 127.0.0.1:5000 failed"
  fi
  docker rmi "$ref" >/dev/null 2>&1 || true
  # leave the registry empty for the tests (its storage is ours; blobs stay, unreferenced)
  rm -rf "$BASE/5000/data/docker/registry/v2/repositories/gantry-verify"
}

start 5000
if [ "$STARTED" = 1 ] && [ "$VERIFY" = 1 ]; then
  verify_push
fi

if [ "$AUTH" = 1 ]; then
  install_pkg htpasswd apache2-utils
  start 5001 auth
  # credentials are enforced: no auth -> 401
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:5001/v2/ || true)
  [ "$code" = 401 ] || die "registry on :5001 answered $code without credentials (expected 401)"
fi
