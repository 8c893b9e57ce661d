// Reading `flyctl releases --image --json`: the image of the newest release that completed, to go back to.

/** The image of the newest completed release in flyctl's JSON, or undefined (first deploy, or no image field). */
export function previousImage(json: string): string | undefined {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  for (const r of list as Record<string, unknown>[]) {
    const status = String(r.Status ?? r.status ?? "").toLowerCase();
    if (status !== "" && status !== "complete" && status !== "succeeded" && status !== "successful")
      continue;
    const image = r.ImageRef ?? r.imageRef ?? r.image_ref ?? r.Image ?? r.image;
    if (typeof image === "string" && image !== "") return image;
  }
  return undefined;
}
