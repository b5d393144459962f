/** Types only: the Worker's bindings, the request context, and what domain functions receive. */
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as directoryTables from "./db/directory";
import type * as integrationTables from "./db/integration";
import type * as historySchema from "./db/history";
import type { D1Stats } from "./platform/d1-metering";
import type { ChannelRoomRpc, DirectoryJob, HubCalls, IdNodeRegistryRpc, RoomCall, UserHubRpc } from "./room/wire";
import type { WriteAhead } from "./room/write-ahead";

/** Bindings, vars and secrets, as declared in wrangler.toml and .dev.vars. */
export interface Env {
  DB: D1Database;
  /**
   * History shards: every binding named HISTORY_<n> (wrangler.toml). Adding one moves nothing; new
   * channels go to the open shard with the fewest channels (src/platform/shards.ts).
   */
  HISTORY_0: D1Database;
  HISTORY_1: D1Database;
  CHANNEL_ROOM: DurableObjectNamespace<ChannelRoomRpc>;
  /** One UserHub per user: the user socket (`GET /v1/ws`) and presence. */
  USER_HUB: DurableObjectNamespace<UserHubRpc>;
  ID_NODES: DurableObjectNamespace<IdNodeRegistryRpc>;
  /** Background work: room and hub calls that failed within their request, history purges (src/jobs.ts). */
  JOBS: Queue<Job>;
  /** JOBS' dead-letter queue: drains of the room calls' dead-letter line, and what JOBS gave up on (src/realtime/dead-letters.ts). */
  JOBS_DEAD: Queue<DeadJob>;
  /** Directory updates of room flushes, coalesced across channels by its consumer (src/room/directory-updates.ts). */
  DIRECTORY: Queue<DirectoryJob>;
  /** Outbound webhook deliveries, one message per attempt due (src/webhooks/deliver.ts). */
  WEBHOOKS: Queue<WebhookJob>;
  /** Web Push: who gets a push for a flushed message, coalescing windows, and retried sends (src/push/consume.ts). */
  PUSH: Queue<PushJob>;
  ATTACHMENTS: R2Bucket;
  IMAGES: ImagesBinding;
  USER_RATE_LIMITER: RateLimit;
  /** PUTs to signed upload URLs per uploading user or API key (src/features/files/files.handlers.ts). */
  UPLOAD_RATE_LIMITER: RateLimit;
  /** Failed integration credentials per client address (src/integration/auth.ts). */
  INTEGRATION_AUTH_LIMITER: RateLimit;
  /** Searches per user (src/features/search): 60 a minute, besides the `/v1` budget. */
  SEARCH_RATE_LIMITER: RateLimit;
  /** Wrong ADMIN_TOKENs per client address (src/platform/auth.ts). */
  ADMIN_AUTH_LIMITER: RateLimit;
  /** Workers Static Assets (public/): the docs UI's files; served before the Worker for non-API paths. */
  ASSETS: Fetcher;
  JWT_SECRET: string;
  JWT_JWKS_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  ADMIN_TOKEN: string;
  FILE_URL_SECRET: string;
  DEV_LOGIN?: string;
  /** "shared": the people search finds only users who share a channel with the caller (default: everyone, DESIGN §19). */
  USER_DIRECTORY?: string;
  LOG_LEVEL?: string;
  /** Base delay (seconds) between retries of a queued room call; tests set 0. */
  ROOM_CALL_RETRY_SECONDS?: string;
  /** Dead-letter line: first delay and cap in seconds, "first,cap" (default 60,900); tests set 1,1. */
  DEAD_LETTER_RETRY_SECONDS?: string;
  /** Seconds between webhook attempts 1–5, four comma-separated numbers (default 60,300,900,2400). */
  WEBHOOK_RETRY_DELAYS?: string;
  /** `company` of Connecteam webhook bodies: one deployment is one company (default "default"). */
  COMPANY_ID?: string;
  /** Benches only: every metered D1 call waits this many ms first (a distant primary; src/platform/d1-metering.ts). */
  BENCH_D1_DELAY_MS?: string;
  /** Tests only: lets a test make a room fail its next calls. */
  FAULT_INJECTION?: string;
  /** Browser origins allowed to call the API: comma-separated, or `*`; empty allows none. */
  CORS_ORIGINS?: string;
  /** Secret: the VAPID private key (base64url P-256 scalar) that signs pushes; its public key is derived. Unset: no pushes. */
  VAPID_PRIVATE_KEY?: string;
  /** The VAPID `sub` claim: a `mailto:` or `https:` contact for push services (default mailto:push@example.invalid). */
  VAPID_SUBJECT?: string;
  /** Seconds of a channel's push coalescing window per user (default 30); tests shorten it. */
  PUSH_COALESCE_SECONDS?: string;
  /** First delay in seconds before a push is retried after 429/5xx, doubling per attempt (default 30); tests set 0. */
  PUSH_RETRY_SECONDS?: string;
}

/** The directory database (DB): users, channels, members, uploads, keys. */
export type Db = DrizzleD1Database<typeof directoryTables & typeof integrationTables>;
/** One history shard (a HISTORY_* database): messages and what hangs off them. */
export type HistoryDb = DrizzleD1Database<typeof historySchema>;

/** Purge a deleted channel's history, one bounded chunk per job. */
export interface PurgeJob {
  kind: "purge";
  channelId: string;
}

/** A WEBHOOKS queue message: which delivery to attempt next. The body and target are read from D1. */
export interface WebhookJob {
  deliveryId: string;
  webhookId: number;
}

/** What a push needs of a message: taken from the message JSON when it reached D1 (src/push/schedule.ts). */
export interface PushMessage {
  id: string;
  channel_id: string;
  parent_id: string | null;
  sender_id: string;
  sender_name: string;
  body: string;
  attachments: number;
  mentioned_user_ids: string[];
}

/** A notification as it is encrypted and sent: the payload of DESIGN §16 and its request headers. */
export interface PushNotification {
  payload: string;
  urgency: "high" | "normal";
  topic: string;
}

/**
 * What travels through the PUSH queue: a flushed message (who gets a push?), the end of coalescing
 * windows (send what they held back), and a retried send to one subscription.
 */
export type PushJob =
  | { kind: "message"; message: PushMessage }
  | { kind: "window"; channelId: string; userIds: string[] }
  | { kind: "send"; subscriptionId: string; notification: PushNotification; attempt: number }
  /** A reminder that fired (src/realtime/reminders.ts): a push to its owner's browsers when they are offline. */
  | { kind: "reminder"; userId: string; reminder: { id: string; channel_id: string; message_id: string | null; text: string | null } };

/** Erase one user (src/features/erasure/erase.ts): one time-bounded run per message. */
export interface EraseJob {
  kind: "erase";
  pseudonym: string;
}

/** Write the next part of an export (src/features/exports/run.ts): one bounded run per message. */
export interface ExportJob {
  kind: "export";
  id: string;
}

/** What travels through the JOBS queue. */
export type Job = RoomCall | HubCalls | PurgeJob | EraseJob | ExportJob;

/** "Try this channel's dead-letter line now" (src/realtime/dead-letters.ts). */
export interface DrainJob {
  kind: "drain";
  channelId: string;
}

/** What travels through the JOBS_DEAD queue: drains, and any JOBS message the queue dead-lettered itself. */
export type DeadJob = Job | DrainJob;

/** The signed-in user of a `/v1` request. */
export interface AuthUser {
  id: string;
  name: string;
}

/** Who is calling the integration API: an API key, or a token bound to one. */
export interface Principal {
  /** `apikey_<key id>`: owner of the files it uploads (a key's tokens share its files). */
  id: string;
  keyId: string;
  scopes: string[];
  via: "apiKey" | "oauth";
}

/**
 * What domain functions need, as plain values (never a Hono Context), so REST handlers, the
 * WebSocket send, the integration API and queue consumers can all call them.
 */
export interface Deps {
  db: Db;
  /** The history shard named by a channel's `shard` (metered like `db` within a request). */
  history: (shard: string) => HistoryDb;
  env: Env;
  /** For log lines about work done on behalf of a request. */
  requestId?: string;
  /** Work the answer does not wait for (ExecutionContext.waitUntil). */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * Set when the caller runs inside a channel's room (a socket send): that channel's room calls go
   * to the room directly rather than through its own stub (src/realtime/notify.ts).
   */
  localRoom?: LocalRoom;
  /** Set inside a channel's room: its write-ahead step, for changes that must wait for a flush (src/room/write-ahead.ts). */
  writeAhead?: WriteAhead;
  /** Where work done for this request elsewhere (a send runs in the channel's room) reports its D1 cost and bookmarks. */
  remote?: RemoteWork;
}

export interface RemoteWork {
  /** The bookmarks the client sent, for the other side's sessions. */
  sent: Record<string, string>;
  absorb(d1: D1Stats, bookmarks: Record<string, string>): void;
}

/** The state-changing calls a room takes (its stub's, or the room object's own methods). */
export type RoomCalls = Pick<ChannelRoomRpc, "publish" | "removeMember" | "deleteChannel" | "sendTo" | "sendToAll">;
export interface LocalRoom {
  channelId: string;
  room: RoomCalls;
}

export interface AppVariables {
  requestId: string;
  db: Db;
  history: (shard: string) => HistoryDb;
  d1Stats: D1Stats;
  remote: RemoteWork;
  user: AuthUser;
  /** The integration API's caller (an API key, directly or through its OAuth token). */
  principal: Principal;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
