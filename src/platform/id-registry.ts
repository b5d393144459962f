import { DurableObject } from "cloudflare:workers";
import { NODE_BITS, idLease, useIdNode } from "./ids";
import type { IdNodeRegistryRpc } from "../room/wire";

/** How long a node number stays an isolate's; renewed when less than half is left. */
export const LEASE_MS = 10 * 60 * 1000;
const NODES = 2 ** NODE_BITS;

/**
 * Hands out id node numbers (one global instance): a number is leased to one holder at a time,
 * so two isolates never mint ids under the same node. Holders renew before expiry; a holder that
 * vanishes frees its number when the lease runs out.
 */
export class IdNodeRegistry extends DurableObject<object> implements IdNodeRegistryRpc {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: object) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS leases (node INTEGER PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL)");
  }

  /** Renews `holder`'s lease on `preferred` when it is still theirs or free; else leases a free number. */
  async lease(holder: string, preferred?: number): Promise<{ node: number; until: number }> {
    const now = Date.now();
    const until = now + LEASE_MS;
    if (preferred !== undefined) {
      const row = this.sql.exec<{ holder: string; until: number }>("SELECT holder, until FROM leases WHERE node = ?", preferred).toArray()[0];
      if (!row || row.holder === holder || row.until <= now) return this.take(preferred, holder, until);
    }
    // A number never leased, else the one whose lease ended longest ago.
    const fresh = this.sql.exec<{ n: number }>("SELECT coalesce(max(node) + 1, 0) AS n FROM leases").one().n;
    if (fresh < NODES) return this.take(fresh, holder, until);
    const expired = this.sql.exec<{ node: number }>("SELECT node FROM leases WHERE until <= ? ORDER BY until LIMIT 1", now).toArray()[0];
    if (!expired) throw new Error(`all ${NODES} id nodes are leased`);
    return this.take(expired.node, holder, until);
  }

  private take(node: number, holder: string, until: number) {
    this.sql.exec("INSERT INTO leases (node, holder, until) VALUES (?, ?, ?) ON CONFLICT(node) DO UPDATE SET holder = excluded.holder, until = excluded.until", node, holder, until);
    return { node, until };
  }
}

/** Random per isolate: who holds a lease. Chosen on first use (Workers forbid randomness at load). */
let holder: string | undefined;

/**
 * Makes sure this isolate may mint ids: costs nothing while the lease has more than half its time
 * left, one registry call otherwise. Run before any work that creates rows.
 */
export async function ensureIdNode(env: { ID_NODES: DurableObjectNamespace<IdNodeRegistryRpc> }) {
  const current = idLease();
  if (current && Date.now() < current.until - LEASE_MS / 2) return;
  holder ??= crypto.randomUUID();
  const granted = await env.ID_NODES.getByName("global").lease(holder, current?.node);
  useIdNode(granted.node, granted.until);
}
