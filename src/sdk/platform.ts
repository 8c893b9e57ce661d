// Dagger names platforms as OCI does (`linux/amd64`); Gantry runs on this machine's, so it answers with that.
const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" };

/** This machine's platform in OCI form. */
export function hostPlatform(): string {
  const os = process.platform === "darwin" ? "linux" : process.platform;
  return `${os}/${ARCH[process.arch] ?? process.arch}`;
}
