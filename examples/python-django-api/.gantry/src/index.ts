// python-django-api's pipeline, written by `gantry init` and then edited: the image, the system packages
// psycopg2 builds against, the Dockerfile and its smoke test.
// gantry functions: the tasks · gantry call ci: the pipeline · gantry check: the checks
import { argument, dag, object, Directory, PythonToolchain } from "gantry";

// Behind a TLS-intercepting proxy, the tasks (npm, bun, the secret scan) trust its CA as the host does.
const extraCa = process.env.NODE_EXTRA_CA_CERTS;

/** python-django-api: the python toolchain's tasks. */
@object()
export class PythonDjangoApi extends PythonToolchain {
  constructor(
    @argument({ defaultPath: ".", ignore: [".git", "__pycache__", ".venv", ".coverage"] })
    source: Directory,
    image = "python:3.12-slim-bookworm",
  ) {
    super(source, {
      name: "django_api",
      image,
      ...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),
      systemPackages: ["gcc", "libpq-dev"], // pip builds psycopg2 against libpq
      format: "black --check --diff . && isort --check-only --diff .",
      lint: "flake8",
      postgres: { image: "postgres:16-bookworm" }, // the tests get postgres:5432
      db: { migrate: "python3 manage.py migrate --noinput" },
      dockerfile: "Dockerfile", // gantry call image; ci builds it too
      smoke: { port: 8000, paths: ["/health", "/api/items"] }, // the built image, started and called
    });
  }
}
