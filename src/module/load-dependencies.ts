// A module's dagger.json dependencies, loaded as modules of their own and offered to its code as `dag.<name>()`,
// with Dagger's client calling convention (required constructor arguments in order, then an options object).
import path from "node:path";
import { GantryError, ModuleError } from "../errors.js";
import type { DependencyType, DependencyTypes, ModuleInfo } from "../sdk/index.js";
import { loadModule, type SdkModule } from "./load-module.js";
import { resolveDefaultPath } from "./default-path.js";
import { findModule, type ModuleLocation } from "./find-module.js";
import { loadSignature } from "./signature-cache.js";
import {
  mainObjectOf,
  spreadVariadic,
  type ModuleSignature,
  type ObjectSignature,
  type ParamSignature,
  type TypeRef,
} from "./signature.js";
import { installModulePackages } from "./install-packages.js";
import { daggerCompat } from "./dagger-compat.js";
import { toCamelCase } from "./names.js";

export interface DependencyContext {
  stateDir: string;
  cwd: string;
  sdkEntry: string;
  sdk: SdkModule;
  say: (line: string) => void;
}

/** `dag.<name>` factories for each dependency of `mod`, loaded (with their own dependencies) before any call. */
export async function loadDependencies(
  mod: ModuleLocation,
  ctx: DependencyContext,
  chain: readonly string[] = [mod.rootDir],
): Promise<Map<string, (...args: unknown[]) => unknown>> {
  const out = new Map<string, (...args: unknown[]) => unknown>();
  for (const dep of mod.dependencies) {
    // loaded on use: only a module with dependencies needs it (and git dependencies the git mirror)
    const { dependencyDir } = await import("./dependency-source.js");
    const dir = await dependencyDir(dep, mod.rootDir, ctx.stateDir);
    const depMod = inDependency(dep.name, dep.source, () => findModule({ cwd: dir, modDir: dir }));
    if (chain.includes(depMod.rootDir))
      throw new ModuleError(
        `module dependencies form a cycle: ${[...chain, depMod.rootDir].map((d) => path.relative(ctx.cwd, d) || ".").join(" → ")}`,
      );
    const { signature, digest } = await loadSignature(depMod, { stateDir: ctx.stateDir });
    const nodePaths = await installModulePackages(depMod, ctx.stateDir, ctx.say);
    const loaded = await loadModule({
      mod: depMod,
      digest: digest.digest,
      signature,
      sdkEntry: ctx.sdkEntry,
      sdk: ctx.sdk,
      stateDir: ctx.stateDir,
      cwd: ctx.cwd,
      nodePaths,
    });
    const info: ModuleInfo = {
      name: depMod.name,
      sourceDir: depMod.sourceDir,
      workdir: ctx.cwd,
      compat: daggerCompat(depMod),
      dependencies: await loadDependencies(depMod, ctx, [...chain, depMod.rootDir]),
    };
    const types = dependencyTypes(signature);
    out.set(toCamelCase(dep.name), (...args) =>
      construct(ctx.sdk, loaded.mainClass, signature, info, types, args, (p) =>
        defaultFor(ctx.sdk, depMod, p),
      ),
    );
  }
  return out;
}

// A dependency that cannot load says which dependency it is, with the reason.
function inDependency<T>(name: string, source: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof GantryError)) throw e;
    throw new ModuleError(
      `dependency ${name} (${source}) of this module cannot load: ${e.message}`,
      {
        cause: e,
        ...(e.hint ? { hint: e.hint } : {}),
      },
    );
  }
}

// Dagger's generated client takes the required constructor arguments in order and the optional ones by name.
function construct(
  sdk: SdkModule,
  cls: new (...a: unknown[]) => unknown,
  sig: ModuleSignature,
  info: ModuleInfo,
  types: DependencyTypes,
  args: unknown[],
  fallback: (p: ParamSignature) => unknown,
): unknown {
  const params = mainObjectOf(sig).constructorParams;
  const required = params.filter((p) => !p.optional && p.defaultPath === undefined);
  const opts = (args[required.length] ?? {}) as Record<string, unknown>;
  let next = 0;
  const values = params.map((p) =>
    required.includes(p)
      ? args[next++]
      : p.variadic
        ? (opts[p.name] ?? [])
        : (opts[p.name] ?? fallback(p)),
  );
  const instance = sdk.runInModule(info, () => new cls(...spreadVariadic(params, values)));
  return sdk.dependencyObject(instance, info, sig.mainObject, types);
}

// A Directory/File constructor argument with a defaultPath comes from the dependency's own folder, as in Dagger.
function defaultFor(sdk: SdkModule, mod: ModuleLocation, p: ParamSignature): unknown {
  if (p.defaultPath === undefined || p.type.kind !== "core") return undefined;
  const at = resolveDefaultPath(mod, p.defaultPath);
  if (p.type.name === "File") return sdk.dag.host().file(at);
  return sdk.dag.host().directory(at, p.ignore ? { exclude: p.ignore } : {});
}

// What the caller's wrappers need of each of the dependency's objects: which members are fields (read with a call in
// Dagger's client, `await dag.dep().version()`) and which return its objects, to wrap those in turn.
function dependencyTypes(sig: ModuleSignature): DependencyTypes {
  return new Map(sig.objects.map((o) => [o.name, dependencyType(o)]));
}

function dependencyType(o: ObjectSignature): DependencyType {
  const results = new Map<string, string>();
  for (const f of o.functions) {
    const name = objectTypeName(f.returns);
    if (name) results.set(f.name, name);
  }
  return {
    fields: new Set(o.functions.filter((f) => f.kind === "field").map((f) => f.name)),
    results,
    objects: new Set(
      o.functions
        .filter((f) => f.returns.kind === "object" || f.returns.kind === "core")
        .map((f) => f.name),
    ),
  };
}

// The module object type a result is, or lists.
function objectTypeName(t: TypeRef): string | undefined {
  if (t.kind === "list") return objectTypeName(t.of);
  return t.kind === "object" ? t.name : undefined;
}
