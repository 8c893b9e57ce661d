// A secret leaks as much through its encodings as through itself: a step that prints `base64 <<< $TOKEN`, a URL
// with the token in its query, a JSON document holding a multi-line key. Gantry masks the forms GitHub's runner
// masks (its SecretMasker's value encoders), not only the plain value as Dagger does (docs/reliability.md).

/** Encoded forms shorter than this are not masked: they would blank ordinary text. */
const MIN_FORM_LENGTH = 8;

// The encodings of `value` that a step or a tool may print instead of the value itself.
export function encodedForms(value: string): string[] {
  const forms = new Set<string>();
  const uri = encodeURIComponent(value);
  forms.add(uri);
  forms.add(uri.replace(/%20/g, "+")); // form encoding
  forms.add(JSON.stringify(value).slice(1, -1)); // inside a JSON string: \n, \", \\ escaped
  for (const form of base64Forms(Buffer.from(value, "utf8"))) forms.add(form);
  forms.delete(value);
  return [...forms].filter((f) => f.length >= MIN_FORM_LENGTH);
}

// The value's base64 (and base64url) wherever it starts in a longer stream: at each of the three byte offsets, the
// characters that depend on the value alone (the first and last groups also hold neighbouring bytes).
function base64Forms(bytes: Buffer): string[] {
  const out = [bytes.toString("base64"), bytes.toString("base64url")];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const start = [0, 2, 3][offset] as number;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    const core = encoded.slice(start, end);
    out.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}
