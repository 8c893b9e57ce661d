// Asking for another platform than this machine's is refused where it is written (Gantry does not emulate).
import { UnsupportedError } from "../errors.js";
import { hostPlatform } from "./platform.js";

/** Another platform's image is not built by Gantry (no emulation): said where it is asked, never ignored. */
export function assertOwnPlatform(where: string, platform: string): void {
  const own = hostPlatform();
  // "linux/amd64" and "linux/amd64/v1"-style variants of this machine's own are the same platform
  if (platform === own || platform.startsWith(`${own}/`)) return;
  throw new UnsupportedError(
    `${where}: ${JSON.stringify(platform)} — Gantry builds for this machine's platform (${own}) only`,
    {
      hint: "leave the platform out, or build the other platform on a machine of that architecture",
    },
  );
}
