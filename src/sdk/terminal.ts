// Directory.terminal() and Service.terminal() are not in Gantry (Container.terminal() is): they say so at the call.
import { UnsupportedError } from "../errors.js";

/** The error Directory.terminal() and Service.terminal() throw. */
export function terminalUnsupported(what: string, cmd?: readonly string[]): UnsupportedError {
  const would = cmd?.length ? ` (it would run ${cmd.join(" ")})` : "";
  return new UnsupportedError(
    `${what}.terminal(): Gantry opens terminals in containers only${would}`,
    {
      hint: 'call terminal() on a container instead, e.g. dag.container().from(image).withMountedDirectory("/src", dir).terminal()',
    },
  );
}
