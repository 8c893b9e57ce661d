// The Go preset: modules cached, gofmt, go vet, go test with coverage, a binary for each platform asked for.
import { argument, object, type Directory } from "../../sdk/index.js";
import { Toolchain } from "../core/toolchain.js";
import type { ToolchainOptions } from "../core/toolchain-options.js";
import type { LanguageDefaults } from "../core/toolchain-plan.js";

/** The image the preset's tasks run in unless the module names one (`image`). */
export const GO_IMAGE = "golang:1.22-bookworm";

export interface GoOptions extends ToolchainOptions {
  /** `GOOS/GOARCH` pairs `build` makes a binary for (default linux/amd64 and linux/arm64). */
  platforms?: string[];
}

/**
 * The shell line that builds every main package for each platform into dist/<os>-<arch>/. A library (no main
 * package: `go build -o DIR ./...` refuses it) is compiled package by package instead, and dist/ is left empty.
 */
export function goBuildCommand(platforms: readonly string[]): string {
  const list = platforms.join(" ");
  // checked inside the loop, so the step still reads `for p in linux/amd64 …` in progress and traces
  const library =
    `mains=$(go list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' ./...) || exit 1; ` +
    `if [ -z "$mains" ]; then mkdir -p dist && go build ./... && echo "no main package (a library): every package compiles, no binary to build"; exit $?; fi; `;
  return `for p in ${list}; do ${library}os=\${p%/*}; arch=\${p#*/}; mkdir -p dist/$os-$arch && CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -o dist/$os-$arch/ ./... || exit 1; done`;
}

/**
 * Go modules: `gofmt` checks the format, `go vet` lints, `go test` runs with coverage, and `build` cross-compiles
 * with CGO off for each platform.
 *
 * @example
 * const svc = go(source, { name: "svc", platforms: ["linux/amd64", "darwin/arm64"] })
 */
@object()
export class GoToolchain extends Toolchain {
  constructor(@argument({ defaultPath: "." }) source: Directory, options: GoOptions = {}) {
    super(source, options);
  }

  protected override async defaults(): Promise<LanguageDefaults> {
    const opts = this.options as GoOptions;
    const platforms = opts.platforms ?? ["linux/amd64", "linux/arm64"];
    return {
      language: "go",
      image: GO_IMAGE,
      workdir: "/src",
      env: { GOFLAGS: "-buildvcs=false" },
      exclude: ["dist", "vendor/.cache"],
      depsFiles: ["go.mod", "go.sum"],
      caches: [
        { path: "/root/go/pkg/mod", volume: "gantry-go-mod" },
        { path: "/root/.cache/go-build", volume: "gantry-go-build" },
      ],
      install: "go mod download",
      format:
        'out=$(gofmt -l .); if [ -n "$out" ]; then echo "not gofmt-ed:"; echo "$out"; exit 1; fi',
      formatFix: "gofmt -w .",
      // --args reach go vet and go test, before the package pattern (Go's flags must come first)
      lint: 'go vet "$@" ./...',
      test: 'go test -coverprofile=coverage.out "$@" ./... && go tool cover -func=coverage.out',
      reports: ["coverage.out"],
      build: goBuildCommand(platforms),
      buildOutput: "dist",
      audit: "govulncheck ./...",
      db: {},
    };
  }
}

/** A Go toolchain over `source`; see GoToolchain. */
export function go(source: Directory, options: GoOptions = {}): GoToolchain {
  return new GoToolchain(source, options);
}
