import { describe, expect, it } from "vitest";
import { isId, newId } from "../../src/platform/ids";

describe("snowflake ids", () => {
  it("are 19-digit strings that sort as text in creation order, even within one millisecond", () => {
    const now = Date.now();
    const ids = Array.from({ length: 10_000 }, () => newId(now));
    ids.push(newId(now + 1), newId(now + 60_000));
    for (const id of ids) expect(id).toMatch(/^\d{19}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(BigInt(ids.at(-1)!)).toBeLessThan(2n ** 63n);
  });

  it("recognises well-formed ids only", () => {
    expect(isId(newId())).toBe(true);
    for (const bad of ["", "123", "0123456789012345678", "12345678901234567890", "12345678901234567a"]) {
      expect(isId(bad)).toBe(false);
    }
  });
});
