// inventory's pipeline, written by `gantry init`, plus the image argument and psql for the db scripts.
// gantry functions: the tasks · gantry call ci: the pipeline · gantry check: the checks
import { argument, dag, object, Directory, ElixirToolchain } from "gantry";

// Behind a TLS-intercepting proxy, the tasks (npm, bun, the secret scan) trust its CA as the host does.
const extraCa = process.env.NODE_EXTRA_CA_CERTS;

/** inventory: the elixir toolchain's tasks. */
@object()
export class Inventory extends ElixirToolchain {
  constructor(
    @argument({ defaultPath: ".", ignore: [".git", "deps", "_build", "cover"] }) source: Directory,
    image = "elixir:1.17",
  ) {
    super(source, {
      name: "inventory",
      image,
      ...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),
      systemPackages: ["postgresql-client"], // psql, for the db scripts in priv/db
      postgres: { image: "postgres:16-bookworm" }, // the db tasks' server
      db: { migrate: "mix db.migrate", rollback: "mix db.rollback {step}", seed: "mix db.seed" }, // the mix aliases
    });
  }
}
