// The Python preset: pip, Black and isort, Flake8, pytest or Django's manage.py test, all under coverage.
import { argument, object, type Directory } from "../../sdk/index.js";
import { Toolchain } from "../core/toolchain.js";
import type { ToolchainOptions } from "../core/toolchain-options.js";
import type { LanguageDefaults } from "../core/toolchain-plan.js";
import { declaredPythonTools, pythonCommands, TOOL_FILES } from "./python-tools.js";

/** The image the preset's tasks run in unless the module names one (`image`). */
export const PYTHON_IMAGE = "python:3.12-slim-bookworm";

export type PythonOptions = ToolchainOptions;

/**
 * Python with pip: the tools the project declares (requirements*.txt, pyproject.toml, setup.cfg) and only those —
 * Black/Ruff and isort check the format, Flake8 or Ruff lints, pytest (or `manage.py test` in a Django project,
 * else unittest) runs the tests, under coverage when declared; Django's `manage.py migrate` is `db migrate`.
 *
 * @example
 * const api = python(source, { name: "api", postgres: true })
 */
@object()
export class PythonToolchain extends Toolchain {
  constructor(@argument({ defaultPath: "." }) source: Directory, options: PythonOptions = {}) {
    super(source, options);
  }

  protected override async defaults(): Promise<LanguageDefaults> {
    const entries = await this.source.entries();
    const django = entries.includes("manage.py");
    const reqs = entries.filter((e) => /^requirements.*\.txt$/.test(e));
    let install: string | undefined;
    if (reqs.length > 0) install = `pip install ${reqs.map((r) => `-r ${r}`).join(" ")}`;
    else if (entries.includes("pyproject.toml") || entries.includes("setup.py"))
      install = "pip install -e .";
    const texts = await Promise.all(
      [...reqs, ...TOOL_FILES.filter((f) => entries.includes(f))].map((f) =>
        this.source.file(f).contents(),
      ),
    );
    const commands = pythonCommands(declaredPythonTools(texts), django);
    const d: LanguageDefaults = {
      language: django ? "python (django)" : "python",
      image: PYTHON_IMAGE,
      workdir: "/app",
      env: { PYTHONDONTWRITEBYTECODE: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" },
      exclude: [
        "__pycache__",
        ".venv",
        "venv",
        ".pytest_cache",
        ".coverage",
        "htmlcov",
        "dist",
        "build",
        "*.egg-info",
      ],
      depsFiles: [...reqs, "pyproject.toml", "setup.py", "setup.cfg"],
      caches: [{ path: "/root/.cache/pip", volume: "gantry-pip" }],
      ...commands,
      reports: ["coverage.xml", "junit.xml"],
      audit: reqs.length > 0 ? `pip-audit ${reqs.map((r) => `-r ${r}`).join(" ")}` : "pip-audit",
      db: django ? { migrate: "python3 manage.py migrate --noinput" } : {},
    };
    if (install) d.install = install;
    return d;
  }
}

/** A Python toolchain over `source`; see PythonToolchain. */
export function python(source: Directory, options: PythonOptions = {}): PythonToolchain {
  return new PythonToolchain(source, options);
}
