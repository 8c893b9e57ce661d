// node-api-postgres's pipeline, written by `gantry init`: edit it freely.
// gantry functions: the tasks · gantry call ci: the pipeline · gantry check: the checks
import { argument, dag, object, Directory, NodeToolchain } from "gantry";

// Behind a TLS-intercepting proxy, the tasks (npm, bun, the secret scan) trust its CA as the host does.
const extraCa = process.env.NODE_EXTRA_CA_CERTS;

/** node-api-postgres: the node toolchain's tasks. */
@object()
export class NodeApiPostgres extends NodeToolchain {
  constructor(
    @argument({ defaultPath: ".", ignore: [".git", "node_modules", "dist", "coverage"] })
    source: Directory,
    image = "node:22-bookworm-slim",
  ) {
    super(source, {
      name: "node-api-postgres",
      image,
      ...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),
      packageManager: "npm",
      format: false, // no "format:check" or "format-check" or "check-format" script in package.json
      lint: "npm run lint",
      test: "npm test",
      build: "npm run build",
      compile: "npm run build", // TypeScript: every task sees the compiled code
      postgres: { image: "postgres:16-bookworm" }, // the tests get postgres:5432
      db: {
        migrate: "npm run migrate",
        rollback: "npm run migrate:down -- {step}",
        seed: "npm run seed",
      },
    });
  }
}
