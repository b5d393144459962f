import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { IdGenerator } from "../../src/platform/ids";

const registry = () => env.ID_NODES.getByName("global");

describe("id node leases", () => {
  it("never give one node number to two live holders, even when 300 isolates ask at once", async () => {
    const grants = await Promise.all(Array.from({ length: 300 }, (_, i) => registry().lease(`isolate-${i}`)));
    expect(new Set(grants.map((g) => g.node)).size).toBe(300);
    for (const g of grants) expect(g.until).toBeGreaterThan(Date.now());
  });

  it("renew a holder's own number and refuse to hand it to another holder while live", async () => {
    const first = await registry().lease("holder-a");
    expect((await registry().lease("holder-a", first.node)).node).toBe(first.node);
    expect((await registry().lease("holder-b", first.node)).node).not.toBe(first.node);
  });

  it("make ids that are unique across generators minting in the same millisecond", async () => {
    const grants = await Promise.all(Array.from({ length: 200 }, (_, i) => registry().lease(`gen-${i}`)));
    const generators = grants.map((g) => new IdGenerator(g.node));
    const now = Date.now();
    const ids = generators.flatMap((g) => Array.from({ length: 600 }, () => g.next(now)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[1-9]\d{18}$/);
    // Time-sortable: every id of a later millisecond sorts after the ones of this one (generator 0 borrowed at most one ms).
    const later = new IdGenerator(grants[0]!.node).next(now + 5);
    expect(ids.every((id) => id < later)).toBe(true);
  });
});
