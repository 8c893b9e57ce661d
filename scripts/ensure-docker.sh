#!/usr/bin/env bash
# Make sure a Docker Engine answers on /var/run/docker.sock, and that the host tools the
# test-image and registry scripts need are installed.
#
# Idempotent and fast when everything is already there: package presence is checked with
# dpkg-query, `apt-get update` runs at most once and only if something is missing, and dockerd
# is started only if `docker version` does not answer.
#
# Packages (Debian bookworm):
#   docker.io        the engine (dockerd, containerd, runc) and a docker CLI
#   mmdebstrap       builds the Debian rootfs for gantry-test/debian:bookworm
#   busybox-static   the static /bin/busybox for gantry-test/busybox:latest
#   bubblewrap       bwrap, used by Gantry's native (host) runner
#   docker-registry  /usr/bin/docker-registry, a real OCI registry for publish tests
#   docker-compose   compose v1, for the compose-import tests' reference behaviour
#   curl             readiness checks
#   chromium         headless browser for the HTML report tests
#   golang-go        Go on the host: the go-service example on the host runtime (--runtime=host)
#   tmux             a real pseudo-terminal for the interactive shell tests (gantry call -i, terminal())
#   musl-tools       musl-gcc, for the build's static exec shim (native/exec-shim.c; BuildKit execs' live output)
#
# Env:
#   GANTRY_DOCKERD_LOG   dockerd log file (default /tmp/gantry-dockerd.log)
#   GANTRY_DOCKER_WAIT   seconds to wait for the engine (default 60)
set -euo pipefail

LOG=${GANTRY_DOCKERD_LOG:-/tmp/gantry-dockerd.log}
WAIT=${GANTRY_DOCKER_WAIT:-60}
PACKAGES=(docker.io mmdebstrap busybox-static bubblewrap docker-registry docker-compose curl chromium golang-go tmux musl-tools)

say() { echo "[ensure-docker] $*"; }
die() { echo "[ensure-docker] ERROR: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    die "need root (or sudo) to run: $*"
  fi
}

# --- packages --------------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_log=/tmp/gantry-apt-install.log
  as_root apt-get update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; die "apt-get update failed"; }
  as_root apt-get install -y -qq "${missing[@]}" >"$apt_log" 2>&1 ||
    { tail -n 30 "$apt_log" >&2; die "apt-get install failed"; }
  say "installed: ${missing[*]}"
fi

# --- engine ----------------------------------------------------------------------------------
docker_ok() { docker version >/dev/null 2>&1; }

if docker_ok; then
  say "docker answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

dockerd_running() { # without procps: read /proc/*/comm
  local f c
  for f in /proc/[0-9]*/comm; do
    { read -r c <"$f"; } 2>/dev/null || continue
    [ "$c" = dockerd ] && return 0
  done
  return 1
}

if dockerd_running; then
  say "dockerd is running but not answering yet; waiting"
else
  command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"
  say "starting dockerd (log: $LOG)"
  # setsid + nohup: dockerd must outlive this script and the CI step that ran it.
  as_root setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
  started=1
fi

for ((i = 0; i < WAIT * 2; i++)); do
  if [ -S /var/run/docker.sock ] && docker_ok; then
    say "docker answers after $((i / 2))s ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  if [ -n "${started:-}" ] && [ "$i" -ge 4 ] && ! dockerd_running; then
    echo "[ensure-docker] ERROR: dockerd exited." >&2
    break
  fi
  sleep 0.5
done

echo "[ensure-docker] ERROR: docker did not answer (waited $((i / 2))s of ${WAIT}s)." >&2
if [ -n "${started:-}" ] && [ -f "$LOG" ]; then
  echo "[ensure-docker] last lines of $LOG:" >&2
  tail -n 30 "$LOG" >&2
else
  echo "[ensure-docker] (dockerd was already running, not started by this script; see its own log)" >&2
fi
docker version >&2 || true
exit 1
