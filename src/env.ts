import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./db/schema";
import type { D1Stats } from "./lib/d1-metering";
import type { Principal } from "./integration/auth";
import type { ChannelRoom } from "./realtime/channel-room";

/** Bindings, vars and secrets, as declared in wrangler.toml and .dev.vars. */
export interface Env {
  DB: D1Database;
  CHANNEL_ROOM: DurableObjectNamespace<ChannelRoom>;
  ATTACHMENTS: R2Bucket;
  IMAGES: ImagesBinding;
  USER_RATE_LIMITER: RateLimit;
  INTEGRATION_RATE_LIMITER: RateLimit;
  /** Workers Static Assets (public/): the docs UI's files; served before the Worker for non-API paths. */
  ASSETS: Fetcher;
  JWT_SECRET: string;
  JWT_JWKS_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  ADMIN_TOKEN: string;
  FILE_URL_SECRET: string;
  DEV_LOGIN?: string;
  LOG_LEVEL?: string;
  /** Browser origins allowed to call the API: comma-separated, or `*`; empty allows none. */
  CORS_ORIGINS?: string;
}

export type Db = DrizzleD1Database<typeof schema>;

/** The signed-in user of a `/v1` request. */
export interface AuthUser {
  id: string;
  name: string;
}

export interface AppVariables {
  requestId: string;
  db: Db;
  d1Stats: D1Stats;
  user: AuthUser;
  /** The integration API's caller (API key or scoped token). */
  principal: Principal;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
