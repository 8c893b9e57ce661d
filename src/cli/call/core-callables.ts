// The SDK methods a chain may name after a result, with their flags (a table, since SDK classes carry no signatures).
import type { CoreTypeName, ParamSignature, TypeRef } from "../../module/signature.js";
import { hostPathArg, type Callable } from "./callable.js";
import { UsageError } from "../../errors.js";

const STRING: TypeRef = { kind: "string" };
const NUMBER: TypeRef = { kind: "number" };
const STRINGS: TypeRef = { kind: "list", of: STRING };
const BOOLEAN: TypeRef = { kind: "boolean" };
const VOID: TypeRef = { kind: "void" };
// Dagger's ReturnType enum, as `--expect` reads it (the SDK's ReturnType.Success is "SUCCESS")
const RETURN_TYPE: TypeRef = {
  kind: "enum",
  name: "ReturnType",
  members: ["Success", "Failure", "Any"].map((n) => ({ name: n, value: n.toUpperCase() })),
};
const core = (name: CoreTypeName): TypeRef => ({ kind: "core", name });

// A required or optional flag of an SDK method.
function p(name: string, type: TypeRef, doc: string, optional = false): ParamSignature {
  return { name, type, doc, optional };
}

// Shorthand for a table row whose method takes its flags positionally.
function m(
  cliName: string,
  doc: string,
  params: ParamSignature[],
  returns: TypeRef,
  invoke: Callable["invoke"],
): Callable {
  return { cliName, doc, params, returns, invoke };
}

// `8080:80` → frontend 8080 on the host, backend 80 in the service; `8080` → the same port on both.
function portForward(text: string): { frontend: number; backend: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  const [front, back] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
  if (!m || ![front, back].every((n) => n >= 1 && n <= 65535))
    throw new UsageError(
      `--ports expects HOST:SERVICE or PORT with ports 1–65535, like 8080:80, got ${JSON.stringify(text)}`,
    );
  return { frontend: front, backend: back };
}

// Options objects without the flags that were left out, so the SDK's own defaults apply.
function defined(opts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}

type Any = Record<string, (...a: unknown[]) => unknown>;
const call = (t: object, method: string, ...args: unknown[]): unknown =>
  (t as Any)[method]?.(...args);

const CONTAINER: Callable[] = [
  m(
    "from",
    "Start from an image",
    [p("address", STRING, "image reference, e.g. gantry-test/busybox:latest")],
    core("Container"),
    (t, a) => call(t, "from", a[0]),
  ),
  m("sync", "Run the container's steps", [], core("Container"), (t) => call(t, "sync")),
  m("stdout", "Output of the last exec", [], STRING, (t) => call(t, "stdout")),
  m("stderr", "Error output of the last exec", [], STRING, (t) => call(t, "stderr")),
  m("exit-code", "Exit code of the last exec", [], NUMBER, (t) => call(t, "exitCode")),
  m(
    "export",
    "Write the image as a tarball to a host path",
    [p("path", STRING, "host path, relative to the current folder")],
    STRING,
    (t, a, ctx) => call(t, "export", hostPathArg(a[0], ctx)),
  ),
  m(
    "file",
    "A file of the container",
    [p("path", STRING, "path inside the container")],
    core("File"),
    (t, a) => call(t, "file", a[0]),
  ),
  m(
    "directory",
    "A directory of the container",
    [p("path", STRING, "path inside the container")],
    core("Directory"),
    (t, a) => call(t, "directory", a[0]),
  ),
  m(
    "env-variable",
    "Value of an environment variable",
    [p("name", STRING, "variable name")],
    STRING,
    (t, a) => call(t, "envVariable", a[0]),
  ),
  m("workdir", "The working directory", [], STRING, (t) => call(t, "workdir")),
  m(
    "with-exec",
    "Run a command",
    [
      p("args", STRINGS, "command and arguments, comma-separated or repeated"),
      p(
        "expect",
        RETURN_TYPE,
        "which exit codes succeed: SUCCESS (0), FAILURE (not 0) or ANY",
        true,
      ),
      p("useEntrypoint", BOOLEAN, "run the command through the image's entrypoint", true),
      p("stdin", STRING, "text written to the command's standard input", true),
      p(
        "redirectStdout",
        STRING,
        "file inside the container that takes the command's stdout",
        true,
      ),
      p(
        "redirectStderr",
        STRING,
        "file inside the container that takes the command's stderr",
        true,
      ),
      p(
        "insecureRootCapabilities",
        BOOLEAN,
        "every root capability, as docker run --privileged (Docker runtime only)",
        true,
      ),
    ],
    core("Container"),
    (t, a) =>
      call(
        t,
        "withExec",
        a[0],
        defined({
          expect: a[1],
          useEntrypoint: a[2],
          stdin: a[3],
          redirectStdout: a[4],
          redirectStderr: a[5],
          insecureRootCapabilities: a[6],
        }),
      ),
  ),
  m(
    "with-env-variable",
    "Set an environment variable",
    [p("name", STRING, "variable name"), p("value", STRING, "value")],
    core("Container"),
    (t, a) => call(t, "withEnvVariable", a[0], a[1]),
  ),
  m(
    "with-workdir",
    "Set the working directory",
    [p("path", STRING, "path inside the container")],
    core("Container"),
    (t, a) => call(t, "withWorkdir", a[0]),
  ),
  m(
    "with-directory",
    "Copy a host directory into the container",
    [
      p("path", STRING, "path inside the container"),
      p("directory", core("Directory"), "host directory, relative to the current folder"),
      p("exclude", STRINGS, "patterns to leave out, e.g. node_modules", true),
      p("include", STRINGS, "patterns to take (default: everything)", true),
    ],
    core("Container"),
    (t, a) => call(t, "withDirectory", a[0], a[1], defined({ exclude: a[2], include: a[3] })),
  ),
  m(
    "with-file",
    "Copy a host file into the container",
    [
      p("path", STRING, "path inside the container"),
      p("source", core("File"), "host file, relative to the current folder"),
      p("permissions", NUMBER, "mode as a decimal number, e.g. 493 for 0755", true),
    ],
    core("Container"),
    (t, a) => call(t, "withFile", a[0], a[1], defined({ permissions: a[2] })),
  ),
  m(
    "with-new-file",
    "Write a file with the given contents",
    [
      p("path", STRING, "path inside the container"),
      p("contents", STRING, "the file's contents", true),
    ],
    core("Container"),
    (t, a) => call(t, "withNewFile", a[0], a[1] ?? ""),
  ),
  m(
    "without-file",
    "Remove a file",
    [p("path", STRING, "path inside the container")],
    core("Container"),
    (t, a) => call(t, "withoutFile", a[0]),
  ),
  m(
    "without-directory",
    "Remove a directory",
    [p("path", STRING, "path inside the container")],
    core("Container"),
    (t, a) => call(t, "withoutDirectory", a[0]),
  ),
  m(
    "with-mounted-directory",
    "Mount a host directory (not part of the image)",
    [
      p("path", STRING, "mount point inside the container"),
      p("source", core("Directory"), "host directory, relative to the current folder"),
    ],
    core("Container"),
    (t, a) => call(t, "withMountedDirectory", a[0], a[1]),
  ),
  m(
    "with-mounted-file",
    "Mount a host file (not part of the image)",
    [
      p("path", STRING, "mount point inside the container"),
      p("source", core("File"), "host file, relative to the current folder"),
    ],
    core("Container"),
    (t, a) => call(t, "withMountedFile", a[0], a[1]),
  ),
  m(
    "with-mounted-cache",
    "Mount a cache volume, kept between runs",
    [
      p("path", STRING, "mount point inside the container"),
      p("cache", core("CacheVolume"), "the cache volume's name"),
    ],
    core("Container"),
    (t, a) => call(t, "withMountedCache", a[0], a[1]),
  ),
  m(
    "with-mounted-temp",
    "Mount an empty temporary folder",
    [p("path", STRING, "mount point inside the container")],
    core("Container"),
    (t, a) => call(t, "withMountedTemp", a[0]),
  ),
  m(
    "with-secret-variable",
    "Set an environment variable to a secret",
    [
      p("name", STRING, "variable name"),
      p("secret", core("Secret"), "where the value comes from: env:NAME, file:PATH or cmd:COMMAND"),
    ],
    core("Container"),
    (t, a) => call(t, "withSecretVariable", a[0], a[1]),
  ),
  m(
    "with-mounted-secret",
    "Mount a secret as a file",
    [
      p("path", STRING, "file path inside the container"),
      p("source", core("Secret"), "where the value comes from: env:NAME, file:PATH or cmd:COMMAND"),
    ],
    core("Container"),
    (t, a) => call(t, "withMountedSecret", a[0], a[1]),
  ),
  m(
    "without-env-variable",
    "Unset an environment variable",
    [p("name", STRING, "variable name")],
    core("Container"),
    (t, a) => call(t, "withoutEnvVariable", a[0]),
  ),
  m(
    "with-user",
    "Run the next commands as this user",
    [p("name", STRING, "user name or uid[:gid]")],
    core("Container"),
    (t, a) => call(t, "withUser", a[0]),
  ),
  m(
    "with-entrypoint",
    "Set the image's entrypoint",
    [p("args", STRINGS, "entrypoint, comma-separated or repeated")],
    core("Container"),
    (t, a) => call(t, "withEntrypoint", a[0]),
  ),
  m(
    "with-default-args",
    "Set the image's default command",
    [p("args", STRINGS, "command and arguments, comma-separated or repeated")],
    core("Container"),
    (t, a) => call(t, "withDefaultArgs", a[0]),
  ),
  m(
    "with-label",
    "Set an image label",
    [p("name", STRING, "label name"), p("value", STRING, "value")],
    core("Container"),
    (t, a) => call(t, "withLabel", a[0], a[1]),
  ),
  m(
    "with-exposed-port",
    "Expose a port (for services and the image's config)",
    [p("port", NUMBER, "TCP port, 1–65535")],
    core("Container"),
    (t, a) => call(t, "withExposedPort", a[0]),
  ),
  m(
    "with-service-binding",
    "Reach a running service under a host name",
    [
      p("alias", STRING, "host name the container uses"),
      p("service", core("Service"), "the service's address, tcp://HOST:PORT"),
    ],
    core("Container"),
    (t, a) => call(t, "withServiceBinding", a[0], a[1]),
  ),
  m(
    "terminal",
    "Open an interactive shell in the container here; the chain goes on when it exits",
    [p("cmd", STRINGS, "shell to run instead of the default, comma-separated or repeated", true)],
    core("Container"),
    (t, a) => call(t, "terminal", defined({ cmd: a[0] })),
  ),
  m(
    "publish",
    "Push the image to a registry; prints the pushed reference with its digest",
    [p("address", STRING, "image reference, e.g. registry.example.com/app:1.0")],
    STRING,
    (t, a) => call(t, "publish", a[0]),
  ),
  m(
    "up",
    "Run the container as a service and forward its ports to the host until interrupted",
    [p("ports", STRINGS, "ports to forward, HOST:SERVICE or PORT", true)],
    VOID,
    // as Dagger's Container.up: the container's default command as a service (asService()), then up
    (t, a) =>
      call(
        call(t, "asService") as object,
        "up",
        a[0] === undefined ? {} : { ports: (a[0] as string[]).map(portForward) },
      ),
  ),
  m("user", "The user commands run as", [], STRING, (t) => call(t, "user")),
  m("entrypoint", "The image's entrypoint", [], STRINGS, (t) => call(t, "entrypoint")),
  m("default-args", "The image's default command", [], STRINGS, (t) => call(t, "defaultArgs")),
  m("label", "Value of an image label", [p("name", STRING, "label name")], STRING, (t, a) =>
    call(t, "label", a[0]),
  ),
  m("platform", "The image's platform, e.g. linux/amd64", [], STRING, (t) => call(t, "platform")),
  m(
    "as-service",
    "Run the container as a service",
    [p("args", STRINGS, "command to run instead of the default", true)],
    core("Service"),
    (t, a) => call(t, "asService", a[0] === undefined ? {} : { args: a[0] }),
  ),
];

const DIRECTORY: Callable[] = [
  m(
    "entries",
    "Names of the entries",
    [p("path", STRING, "sub-directory to list", true)],
    STRINGS,
    (t, a) => call(t, "entries", a[0] === undefined ? {} : { path: a[0] }),
  ),
  m(
    "glob",
    "Paths matching a pattern",
    [p("pattern", STRING, "glob pattern, e.g. **/*.ts")],
    STRINGS,
    (t, a) => call(t, "glob", a[0]),
  ),
  m(
    "file",
    "A file in the directory",
    [p("path", STRING, "path inside the directory")],
    core("File"),
    (t, a) => call(t, "file", a[0]),
  ),
  m(
    "directory",
    "A sub-directory",
    [p("path", STRING, "path inside the directory")],
    core("Directory"),
    (t, a) => call(t, "directory", a[0]),
  ),
  m(
    "export",
    "Write the directory to a host path",
    [p("path", STRING, "host path, relative to the current folder")],
    STRING,
    (t, a, ctx) => call(t, "export", hostPathArg(a[0], ctx)),
  ),
  m("digest", "Content digest", [], STRING, (t) => call(t, "digest")),
  m(
    "with-new-file",
    "Add a file with the given contents",
    [
      p("path", STRING, "path inside the directory"),
      p("contents", STRING, "the file's contents", true),
    ],
    core("Directory"),
    (t, a) => call(t, "withNewFile", a[0], a[1] ?? ""),
  ),
  m(
    "with-file",
    "Add a host file",
    [
      p("path", STRING, "path inside the directory"),
      p("source", core("File"), "host file, relative to the current folder"),
    ],
    core("Directory"),
    (t, a) => call(t, "withFile", a[0], a[1]),
  ),
  m(
    "with-directory",
    "Add a host directory",
    [
      p("path", STRING, "path inside the directory"),
      p("directory", core("Directory"), "host directory, relative to the current folder"),
      p("exclude", STRINGS, "patterns to leave out", true),
      p("include", STRINGS, "patterns to take (default: everything)", true),
    ],
    core("Directory"),
    (t, a) => call(t, "withDirectory", a[0], a[1], defined({ exclude: a[2], include: a[3] })),
  ),
  m(
    "without-file",
    "Remove a file",
    [p("path", STRING, "path inside the directory")],
    core("Directory"),
    (t, a) => call(t, "withoutFile", a[0]),
  ),
  m(
    "without-directory",
    "Remove a sub-directory",
    [p("path", STRING, "path inside the directory")],
    core("Directory"),
    (t, a) => call(t, "withoutDirectory", a[0]),
  ),
  m(
    "with-new-directory",
    "Add an empty sub-directory",
    [p("path", STRING, "path inside the directory")],
    core("Directory"),
    (t, a) => call(t, "withNewDirectory", a[0]),
  ),
  m(
    "filter",
    "Keep only the entries that match",
    [
      p("exclude", STRINGS, "patterns to leave out", true),
      p("include", STRINGS, "patterns to take (default: everything)", true),
    ],
    core("Directory"),
    (t, a) => call(t, "filter", defined({ exclude: a[0], include: a[1] })),
  ),
  m(
    "docker-build",
    "Build the directory's Dockerfile",
    [
      p("dockerfile", STRING, "Dockerfile path inside the directory (default: Dockerfile)", true),
      p("target", STRING, "build stage to stop at", true),
    ],
    core("Container"),
    (t, a) => call(t, "dockerBuild", defined({ dockerfile: a[0], target: a[1] })),
  ),
];

const FILE: Callable[] = [
  m("contents", "The file's contents", [], STRING, (t) => call(t, "contents")),
  m("size", "Size in bytes", [], NUMBER, (t) => call(t, "size")),
  m("name", "The file's name", [], STRING, (t) => call(t, "name")),
  m(
    "export",
    "Write the file to a host path",
    [p("path", STRING, "host path, relative to the current folder")],
    STRING,
    (t, a, ctx) => call(t, "export", hostPathArg(a[0], ctx)),
  ),
  m("digest", "Content digest", [], STRING, (t) => call(t, "digest")),
];

const SERVICE: Callable[] = [
  m(
    "up",
    "Start the service and forward its ports to the host until interrupted",
    [p("ports", STRINGS, "ports to forward, HOST:SERVICE or PORT", true)],
    VOID,
    (t, a) =>
      call(t, "up", a[0] === undefined ? {} : { ports: (a[0] as string[]).map(portForward) }),
  ),
  m(
    "endpoint",
    "Address of the running service",
    [
      p("port", NUMBER, "port (default: the first exposed)", true),
      p("scheme", STRING, "URL scheme, e.g. http", true),
    ],
    STRING,
    (t, a) => call(t, "endpoint", defined({ port: a[0], scheme: a[1] })),
  ),
  m("hostname", "Hostname of the running service", [], STRING, (t) => call(t, "hostname")),
];

const SECRET: Callable[] = [
  m("name", "The secret's name (never its value)", [], STRING, (t) => call(t, "name")),
];

const TABLE: Partial<Record<CoreTypeName, Callable[]>> = {
  Container: CONTAINER,
  Directory: DIRECTORY,
  File: FILE,
  Service: SERVICE,
  Secret: SECRET,
};

/** What a chain can call on an SDK object of this type. */
export function coreCallables(type: CoreTypeName): Callable[] {
  return TABLE[type] ?? [];
}
