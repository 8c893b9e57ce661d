// bun-cli's pipeline: the Bun preset over the project's own scripts (package.json) and justfile.
// gantry functions: the tasks · gantry call ci: the pipeline · gantry check: the checks
import { argument, dag, object, BunToolchain, Directory } from "gantry";

// Behind a TLS-intercepting proxy, `bun install` in the container must trust its CA as the host does.
const extraCa = process.env.NODE_EXTRA_CA_CERTS;

/** bun-cli: wordstat, a Bun TypeScript CLI, with Bun's tasks. */
@object()
export class BunCli extends BunToolchain {
  constructor(
    @argument({ defaultPath: ".", ignore: [".git", "node_modules", "dist"] }) source: Directory,
    image = "oven/bun:1-debian",
  ) {
    super(source, {
      name: "bun-cli",
      image,
      ...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),
    });
  }
}
