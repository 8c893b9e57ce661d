// A Python project's own tools, from the files that declare them: the preset runs only what the project has.

/** The checkers and runners a project declares (requirements*.txt, pyproject.toml, setup.cfg, tox.ini). */
export interface PythonTools {
  black: boolean;
  isort: boolean;
  flake8: boolean;
  ruff: boolean;
  pytest: boolean;
  coverage: boolean;
}

/** The files whose text says which tools a project uses. */
export const TOOL_FILES = ["pyproject.toml", "setup.cfg", "tox.ini", "Pipfile"];

/** Which tools the texts name, as a requirement (`black==23.1`) or a config section (`[tool.black]`, `[flake8]`). */
export function declaredPythonTools(texts: readonly string[]): PythonTools {
  const all = texts.join("\n").toLowerCase();
  const has = (name: string): boolean =>
    new RegExp(`(^|[\\s"'\\[.,])${name}([\\s<>=!~\\[\\];,."']|$)`, "m").test(all);
  return {
    black: has("black"),
    isort: has("isort"),
    flake8: has("flake8"),
    ruff: has("ruff"),
    pytest: has("pytest") || has("pytest-cov"),
    coverage: has("coverage") || has("pytest-cov"),
  };
}

/** The commands for the tools a project has; a task with none is left out (it says "not checked"). */
export function pythonCommands(
  tools: PythonTools,
  django: boolean,
): { format?: string; formatFix?: string; lint?: string; test: string } {
  const check = [
    tools.black ? "black --check --diff ." : tools.ruff ? "ruff format --check ." : undefined,
    tools.isort ? "isort --check-only --diff ." : undefined,
  ].filter((c): c is string => c !== undefined);
  const fix = [
    tools.isort ? "isort ." : undefined,
    tools.black ? "black ." : tools.ruff ? "ruff format ." : undefined,
  ].filter((c): c is string => c !== undefined);
  const lint = tools.flake8 ? "flake8" : tools.ruff ? "ruff check ." : undefined;
  // Django's runner, else pytest when declared, else the standard library's unittest (always there)
  const runner = django
    ? "manage.py test"
    : tools.pytest
      ? "-m pytest --junitxml=junit.xml"
      : "-m unittest discover";
  // --args reach the runner (`manage.py test items.tests`), not the coverage report after it
  const test = tools.coverage
    ? `python3 -m coverage run ${runner} "$@" && python3 -m coverage report && python3 -m coverage xml -o coverage.xml`
    : `python3 ${runner}`;
  const out: { format?: string; formatFix?: string; lint?: string; test: string } = { test };
  if (check.length > 0) out.format = check.join(" && ");
  if (fix.length > 0) out.formatFix = fix.join(" && ");
  if (lint) out.lint = lint;
  return out;
}
