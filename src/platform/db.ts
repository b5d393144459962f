import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../env";
import * as schema from "../db/schema";

/** Drizzle over a (metered) D1 binding; column names in snake_case as in drizzle.config.ts. */
export function createDb(d1: D1Database): Db {
  return drizzle(d1, { schema, casing: "snake_case" });
}
