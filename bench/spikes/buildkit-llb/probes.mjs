// Functional probes of the BuildKit spike: what Status says for failures, cache hits and big output; expect ANY
// through a shim; bare exec cost; cache mounts.
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { solve } from "./control.mjs";
import { Graph, PLATFORM, execOp, input, sourceOp } from "./llb.mjs";
import { EMPTY, msg, num, str } from "./protobuf.mjs";
import { openSession, untar } from "./session.mjs";

const time = async (fn) => {
  const t = performance.now();
  const r = await fn();
  return { ms: performance.now() - t, r };
};

export async function probes(IMAGE) {
  const out = [];
  const g1 = new Graph();
  const base = g1.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const fail = g1.add(
    execOp(base, ["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]),
    "fails",
  );
  const r1 = await solve(g1.definition(fail));
  const v1 = r1.vx.get(fail);
  out.push(
    `- failing exec: Solve grpc-status ${r1.status}, message \`${r1.message}\`; vertex error \`${v1?.error}\`; ` +
      `stdout ${JSON.stringify(v1?.stdout)}, stderr ${JSON.stringify(v1?.stderr)}`,
  );

  const nonce = randomBytes(4).toString("hex");
  const g2 = new Graph();
  const b2 = g2.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const echo = g2.add(execOp(b2, ["sh", "-c", `echo hello ${nonce}; echo warn >&2`]), "echo");
  const def2 = g2.definition(echo);
  const first = (await solve(def2)).vx.get(echo);
  const again = (await solve(def2)).vx.get(echo);
  out.push(
    `- same exec solved twice: first cached=${first.cached} stdout ${JSON.stringify(first.stdout)} stderr ` +
      `${JSON.stringify(first.stderr)}; second cached=${again.cached} stdout ${JSON.stringify(again.stdout)} ` +
      `stderr ${JSON.stringify(again.stderr)} (both found under the op digest we computed: ${first !== undefined && again !== undefined})`,
  );

  const g3 = new Graph();
  const b3 = g3.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
  const big = g3.add(
    execOp(b3, ["sh", "-c", `head -c 600000 /dev/zero | tr '\\0' x | fold -w 99; echo ${nonce}`]),
    "600 kB of stdout",
  );
  const v3 = (await solve(g3.definition(big))).vx.get(big);
  out.push(
    `- an exec writing 600,000 bytes of stdout at once: the Status stream delivered ${v3.stdout.length} bytes` +
      (v3.stdout.includes("clipped")
        ? ` (with \`${v3.stdout.match(/\[output clipped[^\]]*\]/)?.[0]}\`)`
        : ""),
  );

  // expect: ANY without failing the solve: a shell wrapper writes the exit code (and output) into a /meta mount
  // (output 1 of the exec); a FileOp collects every step's /meta into one tree, exported through the tar exporter.
  const session = await openSession({}, "gantry-spike-meta");
  try {
    const g4 = new Graph();
    const b4 = g4.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
    const wrap = (cmd) => [
      "sh",
      "-c",
      'sh -c "$1" >/meta/stdout 2>/meta/stderr; echo $? >/meta/exit',
      "shim",
      cmd,
    ];
    const steps = [`echo out ${nonce}; exit 3`, "echo fine"].map((c, i) =>
      g4.add(execOp(b4, wrap(c), { mounts: [{ dest: "/meta", output: true }] }), `step ${i}`),
    );
    let acc;
    steps.forEach((d, i) => {
      const dest = `/step${i}`;
      const op = Buffer.concat([
        ...(acc ? [input(acc)] : []),
        input(d, 1),
        msg(
          4,
          msg(
            2,
            num(1, acc ? 0 : -1),
            num(2, acc ? 1 : 0),
            msg(4, str(1, "/"), str(2, dest), num(4, -1), num(6, 1), num(8, 1), num(11, -1)),
          ),
        ),
        PLATFORM,
      ]);
      acc = g4.add(op, `collect ${dest}`);
    });
    const t0 = performance.now();
    const r4 = await solve(g4.definition(acc), { session: session.id, exporter: "tar" });
    const ms = performance.now() - t0;
    const files = untar(session.stats.exported[0] ?? EMPTY);
    out.push(
      `- expect ANY via a shim + /meta mount, collected by FileOp and exported with the tar exporter ` +
        `(${Math.round(ms)} ms, grpc-status ${r4.status}${r4.message ? ` ${r4.message}` : ""}): ` +
        JSON.stringify(files),
    );
  } finally {
    session.close();
  }

  // Bare exec cost: three parallel `true` execs on a cached base, then one after them; bridge network vs none.
  for (const [label, network] of [
    ["bridge (default sandbox)", 0],
    ["network none", 2],
  ]) {
    const g = new Graph();
    const b = g.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
    const env = (i) => ({ env: [`N=${nonce}${i}`], network });
    const trues = [1, 2, 3].map((i) => g.add(execOp(b, ["true"], env(i)), `true ${i}`));
    const mounts = trues.map((digest, i) => ({ digest, dest: `/t${i}`, readonly: true }));
    const after = g.add(execOp(b, ["true"], { ...env(0), mounts }), "true after");
    const t = await time(() => solve(g.definition(after)));
    const ds = [...trues, after].map((d) => {
      const v = t.r.vx.get(d);
      return Math.round(v.completed - v.started);
    });
    out.push(
      `- bare execs (\`true\`), ${label}: three in parallel then one: vertex times ${ds.join(", ")} ms; whole solve ${Math.round(t.ms)} ms`,
    );
  }

  out.push(await serviceProbe(IMAGE, nonce));

  // Cache mount: two solves append to the same cache mount id; the second sees the first one's line.
  const lines = [];
  for (const n of [1, 2]) {
    const g5 = new Graph();
    const b5 = g5.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
    const e = g5.add(
      execOp(b5, ["sh", "-c", `echo run${n}-${nonce} >> /cache/log; cat /cache/log | wc -l`], {
        mounts: [{ dest: "/cache", cache: `gantry-spike-${nonce}` }],
      }),
      `cache mount ${n}`,
    );
    lines.push((await solve(g5.definition(e))).vx.get(e)?.stdout.trim());
  }
  out.push(
    `- cache mount (type=cache, id per volume): lines in the mount after solve 1 and 2: ${lines.join(", ")}`,
  );
  return out;
}

// A service container on the default bridge, reached from a BuildKit exec by name through Meta.extraHosts.
async function serviceProbe(IMAGE, nonce) {
  const name = `gantry-bk-spike-svc-${nonce}`;
  const docker = (...a) => spawnSync("docker", a, { encoding: "utf8" });
  const page = "mkdir -p /www && echo svc-ok > /www/index.html && httpd -f -p 8080 -h /www";
  docker("run", "-d", "--rm", "--name", name, IMAGE, "sh", "-c", page);
  try {
    const ip = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name).stdout.trim();
    const g = new Graph();
    const b = g.add(sourceOp(`docker-image://docker.io/${IMAGE}`));
    // nc, not wget: busybox wget segfaults (exit 139) in the BuildKit sandbox here, even on an IP literal.
    const cmd = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc db 8080 | tail -1; echo ${nonce} >/dev/null`;
    const e = g.add(execOp(b, ["sh", "-c", cmd], { hosts: { db: ip } }), "reach db");
    const r = await solve(g.definition(e));
    return `- a service container (default bridge, ${ip}) named \`db\` through Meta.extraHosts: exec printed ${JSON.stringify(r.vx.get(e)?.stdout)}`;
  } finally {
    docker("rm", "-f", name);
  }
}
