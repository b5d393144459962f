import { DrizzleD1Database, SQLiteD1Session } from "drizzle-orm/d1";
import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm/relations";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../env";
import * as directory from "../db/directory";
import * as integration from "../db/integration";

/**
 * `drizzle(d1, { schema })` for a schema whose relational config is worked out once per isolate:
 * Drizzle's own `drizzle()` walks every table again on each call (~30–100 µs), and every request,
 * room change and flush makes its instances over its own metered binding.
 */
export function drizzleFactory<S extends Record<string, unknown>>(fullSchema: S) {
  const dialect = new SQLiteAsyncDialect({ casing: "snake_case" });
  type Relational = ConstructorParameters<typeof DrizzleD1Database<S>>[3];
  let schema: Relational;
  return (d1: D1Database) => {
    if (!schema) {
      const config = extractTablesRelationalConfig(fullSchema, createTableRelationsHelpers);
      schema = { fullSchema, schema: config.tables, tableNamesMap: config.tableNamesMap } as Relational;
    }
    // What drizzle() builds, with the config above (a dialect holds no per-query state).
    const session = new SQLiteD1Session(d1, dialect, schema as never, {}) as unknown as ConstructorParameters<typeof DrizzleD1Database<S>>[2];
    const db = new DrizzleD1Database<S>("async", dialect, session, schema) as DrizzleD1Database<S> & { $client: D1Database };
    db.$client = d1;
    return db;
  };
}

/** Drizzle over the (metered) directory binding; column names in snake_case as in drizzle.config.ts. */
export const createDb: (d1: D1Database) => Db = drizzleFactory({ ...directory, ...integration });
