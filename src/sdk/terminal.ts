// Interactive terminals are not in Gantry yet: every terminal() says so, by name, at the call.
import { UnsupportedError } from "../errors.js";

/** The error every `terminal()` throws until the toolchains issue brings interactive shells. */
export function terminalUnsupported(what: string, cmd?: readonly string[]): UnsupportedError {
  const would = cmd?.length ? ` (it would run ${cmd.join(" ")})` : "";
  return new UnsupportedError(
    `${what}.terminal(): interactive terminals are not available in Gantry yet; they come with the toolchains issue${would}`,
    {
      hint: "remove the .terminal() call to run the pipeline; to look inside a container, publish or export it and run it with docker run -it",
    },
  );
}
