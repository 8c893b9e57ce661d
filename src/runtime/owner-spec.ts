// `owner: "user[:group]"` as both runtimes read it: numbers as given, names looked up in a passwd/group text.

/** The two halves of an owner; `group` undefined or "" means the user's own number (docker's --chown rule). */
export function splitOwner(owner: string): { user: string; group: string | undefined } {
  const [user = "", group] = owner.split(":", 2);
  return { user, group };
}

/** A number as is (no file needed); undefined when `name` is a name, to be looked up with idInDatabase. */
export function numericId(name: string): number | undefined {
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

/** The id of `name` in a passwd or group file's text (its third field), or undefined when it is not there. */
export function idInDatabase(text: string, name: string): number | undefined {
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name && fields[2] !== undefined && /^\d+$/.test(fields[2]))
      return Number(fields[2]);
  }
  return undefined;
}
