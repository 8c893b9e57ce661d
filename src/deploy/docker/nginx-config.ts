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

/** A shell loop listing nginx worker processes as `pid title` (from /proc: the image needs no ps). */
export const LIST_WORKERS = [
  "/bin/sh",
  "-c",
  `for d in /proc/[0-9]*; do c=$(tr '\\000' ' ' < "$d/cmdline" 2>/dev/null) || continue; case "$c" in "nginx: worker process"*) echo "\${d#/proc/} $c";; esac; done`,
];
