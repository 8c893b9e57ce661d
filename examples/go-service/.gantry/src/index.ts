// go-service's pipeline, written by `gantry init`: edit it freely.
// gantry functions: the tasks · gantry call ci: the pipeline · gantry check: the checks
import { argument, dag, object, Directory, GoToolchain } from "gantry";

// Behind a TLS-intercepting proxy, the tasks (npm, bun, the secret scan) trust its CA as the host does.
const extraCa = process.env.NODE_EXTRA_CA_CERTS;

/** go-service: the go toolchain's tasks. */
@object()
export class GoService extends GoToolchain {
  constructor(
    @argument({ defaultPath: ".", ignore: [".git", "dist"] }) source: Directory,
    image = "golang:1.22-bookworm",
  ) {
    super(source, {
      name: "go-service",
      image,
      ...(extraCa ? { caCerts: dag.host().file(extraCa) } : {}),
      platforms: ["linux/amd64", "linux/arm64"], // build makes a binary for each
    });
  }
}
