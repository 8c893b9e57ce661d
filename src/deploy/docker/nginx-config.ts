// The proxy's whole nginx.conf, written by Gantry (not a snippet in the image's config), so the stock nginx image and
// Debian's nginx behave the same: one upstream (the live release), graceful reloads, logs to the container's output.

/** Where the config lives in the proxy container, and how nginx is started and reloaded with it. */
export const NGINX_CONF = "/etc/gantry-deploy/nginx.conf";
export const NGINX_START = ["nginx", "-c", NGINX_CONF, "-g", "daemon off;"];
export const NGINX_TEST = ["nginx", "-t", "-q", "-c", NGINX_CONF];
export const NGINX_RELOAD = ["nginx", "-s", "reload", "-c", NGINX_CONF];
/** Old workers finish their requests within this, then are closed (the deploy waits for them before stopping a release). */
export const WORKER_SHUTDOWN_SEC = 30;

/** Config that sends every request to `upstream` (`name:port` on the deployment network). */
export function nginxConfig(opts: { app: string; release: string; upstream: string }): string {
  return `# Written by Gantry's docker deploy target; replaced at every switch. app=${opts.app} release=${opts.release}
worker_processes 1;
pid /tmp/gantry-nginx.pid;
error_log stderr warn;
worker_shutdown_timeout ${WORKER_SHUTDOWN_SEC}s;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  client_max_body_size 64m;
  upstream gantry_release {
    server ${opts.upstream} max_fails=0;
  }
  server {
    listen 80 default_server;
    location / {
      proxy_pass http://gantry_release;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Gantry-Release ${opts.release};
      proxy_read_timeout 300s;
    }
  }
}
`;
}

/**
 * Reload nginx and watch its workers from inside the proxy, in one exec (no round trip per look): prints
 * `<t0> <new workers up> <old workers gone>` in seconds of /proc/uptime (10 ms steps). Needs only sh, tr and cut.
 */
export function reloadAndWatch(timeoutSec: number): string[] {
  const script = `
list() { for d in /proc/[0-9]*; do c=$(tr '\\000' ' ' < "$d/cmdline" 2>/dev/null) || continue; case "$c" in "nginx: worker process"*) echo "\${d#/proc/}";; esac; done; }
up() { cut -d' ' -f1 /proc/uptime; }
old=" $(list | tr '\\n' ' ')"
t0=$(up)
${NGINX_RELOAD.join(" ")} || exit 10
tnew=""; i=0
while [ "$i" -lt ${timeoutSec * 100} ]; do
  fresh=0; stale=0
  for p in $(list); do case "$old" in *" $p "*) stale=1;; *) fresh=1;; esac; done
  if [ -z "$tnew" ] && [ "$fresh" = 1 ]; then tnew=$(up); fi
  if [ -n "$tnew" ] && [ "$stale" = 0 ]; then echo "$t0 $tnew $(up)"; exit 0; fi
  sleep 0.01; i=$((i+1))
done
echo "$t0 \${tnew:-none} timeout"; exit 11
`;
  return ["/bin/sh", "-c", script];
}
