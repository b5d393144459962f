import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../env";
import * as directory from "../db/directory";
import * as integration from "../db/integration";

/** Drizzle over the (metered) directory binding; column names in snake_case as in drizzle.config.ts. */
export function createDb(d1: D1Database): Db {
  return drizzle(d1, { schema: { ...directory, ...integration }, casing: "snake_case" });
}
