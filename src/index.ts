import { createApp } from "./app";
import type { DeadJob, Env, Job } from "./env";
import { adminRouter } from "./features/admin/admin.index";
import { shardsRouter } from "./features/admin/shards";
import { deadLettersRouter } from "./features/admin/dead-letters";
import { retentionRouter } from "./features/retention/retention.index";
import { legalHoldsRouter } from "./features/retention/holds";
import { adminErasureRouter, selfErasureRouter } from "./features/erasure/erasure.index";
import { attachmentsRouter } from "./features/attachments/attachments.index";
import { blocksRouter } from "./features/blocks/blocks.index";
import { channelsRouter } from "./features/channels/channels.index";
import { devRouter } from "./features/dev/dev.index";
import { filesRouter } from "./features/files/files.index";
import { mentionsRouter } from "./features/mentions/mentions.index";
import { membersRouter } from "./features/members/members.index";
import { adminModerationRouter, moderationRouter } from "./features/moderation/moderation.index";
import { messagesRouter } from "./features/messages/messages.index";
import { previewsRouter } from "./features/previews/previews.index";
import { scheduledRouter } from "./features/scheduled/scheduled.index";
import { remindersRouter } from "./features/reminders/reminders.index";
import { pinsRouter } from "./features/pins/pins.index";
import { reactionsRouter } from "./features/reactions/reactions.index";
import { readsRouter } from "./features/reads/reads.index";
import { searchRouter } from "./features/search/search.index";
import { socketRouter, socketTicketRouter } from "./features/sockets/sockets.index";
import { threadsRouter } from "./features/threads/threads.index";
import { typingRouter } from "./features/typing/typing.index";
import { usersRouter } from "./features/users/users.index";
import { peopleRouter } from "./features/people/people.index";
import { webhooksRouter } from "./features/webhooks/webhooks.index";
import { chatRouter } from "./integration/chat";
import { INTEGRATION_PATH, integrationError } from "./integration/envelope";
import { filesApiRouter } from "./integration/files";
import { publishersApiRouter } from "./integration/publishers";
import { settingsRouter } from "./integration/webhooks";
import { requireAdmin, requireUser } from "./platform/auth";
import { rateLimitUser } from "./platform/rate-limit";
import { adminIntegrationRouter } from "./integration/admin";
import { mountDocs } from "./features/docs/docs";
import { deadJobs, jobs } from "./jobs";
import { scheduled } from "./scheduled";
import { consumeDeliveries } from "./webhooks/deliver";
import type { WebhookJob } from "./webhooks/dispatch";
import { consumePush } from "./push/consume";
import type { PushJob } from "./env";
import { pushRouter } from "./features/push/push.index";
import { adminExportsRouter, exportFilesRouter, selfExportsRouter } from "./features/exports/exports.index";

// The integration API answers errors in Connecteam's shapes; everything else in `/v1`'s.
const app = createApp([
  { path: INTEGRATION_PATH, format: (c, e) => integrationError(c, e.status, e.code, e.message, e.details, e.headers) },
]);

// Mounted before the auth middleware: the dev login is how a local client gets its first token;
// sockets and signed file URLs authenticate themselves.
const routes = app
  .route("/", devRouter)
  .route("/", socketRouter)
  .route("/", filesRouter)
  .route("/", exportFilesRouter)
  .use("/v1/*", requireUser, rateLimitUser)
  .route("/", channelsRouter)
  .route("/", membersRouter)
  .route("/", moderationRouter)
  .route("/", usersRouter)
  .route("/", selfErasureRouter)
  .route("/", selfExportsRouter)
  .route("/", blocksRouter)
  .route("/", peopleRouter)
  .route("/", messagesRouter)
  .route("/", previewsRouter)
  .route("/", scheduledRouter)
  .route("/", remindersRouter)
  .route("/", threadsRouter)
  .route("/", pinsRouter)
  .route("/", reactionsRouter)
  .route("/", readsRouter)
  .route("/", mentionsRouter)
  .route("/", searchRouter)
  .route("/", socketTicketRouter)
  .route("/", typingRouter)
  .route("/", attachmentsRouter)
  .route("/", pushRouter)
  .use("/admin/v1/*", requireAdmin)
  .route("/", adminRouter)
  .route("/", shardsRouter)
  .route("/", deadLettersRouter)
  .route("/", retentionRouter)
  .route("/", legalHoldsRouter)
  .route("/", adminErasureRouter)
  .route("/", adminExportsRouter)
  .route("/", adminModerationRouter)
  .route("/", adminIntegrationRouter)
  .route("/", webhooksRouter)
  // The integration API authenticates per route (API key or scoped token; see src/integration/auth.ts).
  .route("/", chatRouter)
  .route("/", filesApiRouter)
  .route("/", publishersApiRouter)
  .route("/", settingsRouter);

mountDocs(app);

/** The app's type, for typed clients (test/helpers, the SDK). */
export type AppType = typeof routes;

export { IdNodeRegistry } from "./platform/id-registry";
export { ChannelRoom } from "./room/channel-room";
import { type DirectoryJob, consumeDirectoryUpdates } from "./room/directory-updates";
export { UserHub } from "./realtime/user-hub";

/** The webhooks', the directory's, JOBS' dead-letter and the push queue names in wrangler.toml; every other queue is JOBS. */
const WEBHOOKS_QUEUE = "edge-chat-webhooks";
const DIRECTORY_QUEUE = "edge-chat-directory";
const JOBS_DEAD_QUEUE = "edge-chat-jobs-dead";
const PUSH_QUEUE = "edge-chat-push";

export default {
  fetch: app.fetch,
  scheduled,
  queue: (batch, env) =>
    batch.queue === WEBHOOKS_QUEUE
      ? consumeDeliveries(batch as MessageBatch<WebhookJob>, env)
      : batch.queue === PUSH_QUEUE
        ? consumePush(batch as MessageBatch<PushJob>, env)
      : batch.queue === DIRECTORY_QUEUE
        ? consumeDirectoryUpdates(batch as MessageBatch<DirectoryJob>, env)
        : batch.queue === JOBS_DEAD_QUEUE
          ? deadJobs(batch as MessageBatch<DeadJob>, env)
          : jobs(batch as MessageBatch<Job>, env),
} satisfies ExportedHandler<Env, DeadJob | WebhookJob | DirectoryJob | PushJob>;
