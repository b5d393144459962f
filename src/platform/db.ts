import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../env";
import * as schema from "../db/directory";

/** Drizzle over the (metered) directory binding; column names in snake_case as in drizzle.config.ts. */
export function createDb(d1: D1Database): Db {
  return drizzle(d1, { schema, casing: "snake_case" });
}
