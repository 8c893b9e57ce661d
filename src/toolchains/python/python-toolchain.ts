// The Python preset: pip, Black and isort, Flake8, pytest or Django's manage.py test, all under coverage.
import { argument, object, type Directory } from "../../sdk/index.js";
import { Toolchain } from "../core/toolchain.js";
import type { ToolchainOptions } from "../core/toolchain-options.js";
import type { LanguageDefaults } from "../core/toolchain-plan.js";

export type PythonOptions = ToolchainOptions;

/** The test command: Django's runner when there is a manage.py, else pytest; both under coverage. */
export function pythonTestCommand(entries: readonly string[]): string {
  const run = entries.includes("manage.py")
    ? "python3 -m coverage run manage.py test"
    : "python3 -m coverage run -m pytest --junitxml=junit.xml";
  return `${run} && python3 -m coverage report && python3 -m coverage xml -o coverage.xml`;
}

/**
 * Python with pip: Black and isort check the format, Flake8 lints, pytest (or `manage.py test` in a Django
 * project) runs the tests under coverage; Django's `manage.py migrate` is `db migrate`.
 *
 * @example
 * const api = python(source, { name: "api", postgres: true })
 */
@object()
export class PythonToolchain extends Toolchain {
  constructor(@argument({ defaultPath: "/" }) source: Directory, options: PythonOptions = {}) {
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
    const d: LanguageDefaults = {
      language: django ? "python (django)" : "python",
      image: "python:3.12-slim-bookworm",
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
      format: "black --check --diff . && isort --check-only --diff .",
      formatFix: "isort . && black .",
      lint: "flake8",
      test: pythonTestCommand(entries),
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
