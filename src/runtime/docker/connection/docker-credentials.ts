// Registry credentials as the docker CLI finds them: config.json's credHelpers, its credsStore, then its auths.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RegistryAuth } from "../../runtime.js";
import { ImageError } from "../../../errors.js";

/** The parts of `$DOCKER_CONFIG/config.json` that say where a registry's credentials are. */
interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The key Docker Hub's credentials are stored under, and the server address the engine expects for them. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const HELPER_TIMEOUT_MS = 30_000;

/**
 * The user's own logins (`docker login`), read once per run and per registry, so a pipeline pulls and pushes what
 * its author can without repeating the credentials in code. Values never leave this object but to the engine.
 */
export class DockerCredentials {
  private readonly configDir: string;
  private config?: Promise<DockerConfigFile>;
  private readonly found = new Map<string, Promise<RegistryAuth | undefined>>();

  constructor(configDir: string) {
    this.configDir = configDir;
  }

  // Credentials for a registry host (`127.0.0.1:5001`, `docker.io`), or undefined when the config has none.
  for(registry: string): Promise<RegistryAuth | undefined> {
    const host = hostOf(registry);
    let p = this.found.get(host);
    if (!p) {
      p = this.lookup(host);
      this.found.set(host, p);
    }
    return p;
  }

  private async lookup(host: string): Promise<RegistryAuth | undefined> {
    const config = await (this.config ??= readConfig(path.join(this.configDir, "config.json")));
    const server = host === "docker.io" ? DOCKER_HUB_KEY : host;
    const helper = entryFor(config.credHelpers, host) ?? config.credsStore;
    if (helper) {
      const fromHelper = await runHelper(helper, server, host);
      if (fromHelper) return fromHelper;
    }
    const entry = entryFor(config.auths, host);
    if (!entry) return undefined;
    const pair = entry.auth
      ? decodeAuth(entry.auth, host)
      : entry.username !== undefined && entry.password !== undefined
        ? { username: entry.username, password: entry.password }
        : undefined;
    return pair && { ...pair, serveraddress: server };
  }
}

// A missing or unreadable config means no logins, as for the docker CLI; a config that is not JSON says so.
async function readConfig(file: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as DockerConfigFile) : {};
  } catch (err) {
    throw new ImageError(`the Docker config ${file} is not valid JSON`, {
      cause: err,
      hint: "fix or remove it (docker login rewrites it), or point DOCKER_CONFIG at another folder",
    });
  }
}

// Keys are written as `host`, `https://host` or `https://host/v1/`; any of them names the host.
function entryFor<T>(table: Record<string, T> | undefined, host: string): T | undefined {
  if (!table) return undefined;
  for (const [key, value] of Object.entries(table)) if (hostOf(key) === host) return value;
  return undefined;
}

// A registry address as a bare lower-case host, Docker Hub under one name.
function hostOf(address: string): string {
  const host = (
    address
      .trim()
      .replace(/^[a-z]+:\/\//i, "")
      .split("/")[0] ?? ""
  ).toLowerCase();
  return DOCKER_HUB.has(host) ? "docker.io" : host;
}

// `auth` is base64 of `user:password`; the password may itself hold colons.
function decodeAuth(auth: string, host: string): { username: string; password: string } {
  const plain = Buffer.from(auth, "base64").toString("utf8");
  const colon = plain.indexOf(":");
  if (colon < 0)
    throw new ImageError(`the Docker config's credentials for ${host} are malformed`, {
      hint: `log in again: docker login ${host}`,
    });
  return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
}

// `docker-credential-<helper> get`, the server on stdin, `{Username, Secret}` out; "not found" is no credentials.
async function runHelper(
  helper: string,
  server: string,
  host: string,
): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${helper}`;
  const fail = (why: string, cause?: unknown) =>
    new ImageError(`the Docker credential helper ${program} failed for ${host}: ${why}`, {
      cause,
      hint: `check that ${program} is on PATH and works (echo ${server} | ${program} get), or run docker login ${host}`,
    });
  const { code, stdout, stderr, error } = await runProgram(program, server);
  if (error) throw fail(error.message, error);
  if (code !== 0) {
    const said = (stdout.trim() || stderr.trim()).split("\n")[0] ?? "";
    if (/credentials not found/i.test(said)) return undefined;
    throw fail(`it exited with code ${code}${said ? `: ${said.slice(0, 200)}` : ""}`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout) as typeof answer;
  } catch (err) {
    // never quote the output: it may hold the secret
    throw fail("its answer was not JSON", err);
  }
  if (typeof answer.Username !== "string" || typeof answer.Secret !== "string")
    throw fail("its answer had no Username and Secret");
  if (answer.Secret === "") return undefined;
  return { username: answer.Username, password: answer.Secret, serveraddress: server };
}

// Run a helper with a deadline, collecting its output; a program that cannot start is an `error`, not a throw.
function runProgram(
  program: string,
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(program, ["get"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), HELPER_TIMEOUT_MS);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}
