import { createApp } from "./app";
import type { Env } from "./env";
import { requireAdmin, requireUser } from "./middleware/auth";
import { rateLimitUser } from "./middleware/rate-limit";
import { chatRouter } from "./integration/chat";
import { filesApiRouter } from "./integration/files";
import { publishersApiRouter } from "./integration/publishers";
import { adminRouter } from "./routes/admin";
import { adminIntegrationRouter } from "./routes/admin-integration";
import { attachmentsRouter } from "./routes/attachments";
import { filesRouter } from "./routes/files";
import { channelsRouter } from "./routes/channels";
import { devRouter } from "./routes/dev";
import { mountDocs } from "./routes/docs";
import { membersRouter } from "./routes/members";
import { messagesRouter } from "./routes/messages";
import { reactionsRouter } from "./routes/reactions";
import { readRouter } from "./routes/read";
import { realtimeRouter, socketRouter } from "./routes/realtime";
import { usersRouter } from "./routes/users";
import { scheduled } from "./scheduled";

const app = createApp();

// Mounted before the auth middleware: the dev login is how a local client gets its first token.
app.route("/", devRouter);
app.route("/", socketRouter);
app.route("/", filesRouter);

app.use("/v1/*", requireUser, rateLimitUser);
app.route("/", channelsRouter);
app.route("/", membersRouter);
app.route("/", usersRouter);
app.route("/", messagesRouter);
app.route("/", reactionsRouter);
app.route("/", readRouter);
app.route("/", realtimeRouter);
app.route("/", attachmentsRouter);

app.use("/admin/v1/*", requireAdmin);
app.route("/", adminRouter);
app.route("/", adminIntegrationRouter);

// The integration API authenticates per route (API key or scoped token; see src/integration/auth.ts).
app.route("/", chatRouter);
app.route("/", filesApiRouter);
app.route("/", publishersApiRouter);

mountDocs(app);

export { ChannelRoom } from "./realtime/channel-room";

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Env>;
