/** `/admin/v1/dead-letters`: room calls the JOBS queue gave up on, waiting for their room (src/realtime/dead-letters.ts). */
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../app";
import { json } from "../../platform/openapi";
import type { RoomCall } from "../../room/protocol";
import { deadLetterBacklog } from "../../realtime/dead-letters.queries";
import { adminSecurity } from "./admin.schemas";

const age = (since: number | null, now: number) => (since === null ? null : Math.max(0, Math.round((now - since) / 1000)));
const Age = z.number().int().nullable();

const DeadLetters = z
  .object({
    count: z.number().int().openapi({ description: "Room calls waiting, all channels" }),
    oldest_age_seconds: Age.openapi({ description: "How long the oldest has waited since JOBS gave up on it; null when none waits" }),
    channels: z
      .array(z.object({ channel_id: z.string(), count: z.number().int(), oldest_age_seconds: Age }))
      .openapi({ description: "Channels with calls waiting, longest line first (at most 100)" }),
    sample: z
      .array(
        z.object({
          channel_id: z.string(),
          event_id: z.string(),
          kind: z.enum(["publish", "remove", "delete"]),
          type: z.string().nullable().openapi({ description: "The event type of a `publish` (e.g. `channel_update`)" }),
          age_seconds: z.number().int(),
          attempts: z.number().int().openapi({ description: "Failed attempts since it was dead-lettered" }),
          next_attempt_in_seconds: z.number().int().openapi({ description: "0: at the next drain of its channel" }),
          last_error: z.string().nullable(),
        }),
      )
      .openapi({ description: "The oldest waiting calls (at most 10), in the order they will be delivered" }),
  })
  .openapi("DeadLetters", {
    example: {
      count: 3,
      oldest_age_seconds: 420,
      channels: [{ channel_id: "1843027512262930432", count: 3, oldest_age_seconds: 420 }],
      sample: [
        { channel_id: "1843027512262930432", event_id: "4d1c…", kind: "publish", type: "channel_update", age_seconds: 420, attempts: 3, next_attempt_in_seconds: 180, last_error: "Error: room unavailable" },
      ],
    },
  });

const listDeadLetters = createRoute({
  method: "get",
  path: "/admin/v1/dead-letters",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Room calls the JOBS queue gave up on, still waiting for their room",
  description:
    "ADMIN_TOKEN. A state change's room call (an event, a removal, a deletion) that its request and then the `JOBS` queue (about a minute) could not deliver " +
    "waits here, per channel in order, and is retried from the `edge-chat-jobs-dead` queue with a backoff from 1 minute doubling to at most 15 (DEAD_LETTER_RETRY_SECONDS) " +
    "until its room takes it; the channel's later calls wait behind it, so its sockets get every event, in order, once the room is back. " +
    "`count` 0 means nothing waits. A growing count or age means a room cannot be reached: see docs/operations.md.",
  responses: { 200: json(DeadLetters, "The backlog") },
});

export const deadLettersRouter = createRouter().openapi(listDeadLetters, async (c) => {
  const { totals, channels, sample } = await deadLetterBacklog(c.get("db"));
  const now = Date.now();
  return c.json(
    {
      count: totals.count,
      oldest_age_seconds: age(totals.oldest, now),
      channels: channels.map((r) => ({ channel_id: r.channelId, count: r.count, oldest_age_seconds: age(r.oldest, now) })),
      sample: sample.map((r) => {
        const call = r.call as RoomCall;
        return {
          channel_id: r.channelId,
          event_id: r.eventId,
          kind: call.kind,
          type: call.kind === "publish" ? call.type : null,
          age_seconds: age(r.deadSince, now)!,
          attempts: r.attempts,
          next_attempt_in_seconds: Math.max(0, Math.ceil((r.retryAt - now) / 1000)),
          last_error: r.lastError,
        };
      }),
    },
    200,
  );
});
