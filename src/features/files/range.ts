/** HTTP Range for downloads: one range only, as browsers and media players ask for it. */
/** `bytes=a-b`, `bytes=a-` or `bytes=-n` (one range); undefined for none or several. */
export function parseRange(header: string | undefined, size: number): { offset: number; length: number } | "unsatisfiable" | undefined {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return "unsatisfiable";
  return { offset: start, length: end - start + 1 };
}
