import { z } from "@hono/zod-openapi";
import { Snowflake, UnixSeconds, UserId } from "../../platform/schemas";

export const ExportBody = z
  .object({
    channel_ids: z
      .array(Snowflake)
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, "channel_ids must not repeat")
      .optional()
      .openapi({ description: "Channels to export (their records, members, messages, reactions). With `user_id`, only that user's messages in them." }),
    user_id: UserId.optional().openapi({ description: "Without `channel_ids`: everything about this user (their channels and memberships, the messages they sent anywhere, their reactions)." }),
    from: UnixSeconds.min(0).optional().openapi({ description: "Only messages sent at or after this time" }),
    to: UnixSeconds.min(0).optional().openapi({ description: "Only messages sent at or before this time (never later than the request)" }),
  })
  .refine((b) => b.channel_ids !== undefined || b.user_id !== undefined, { message: "Give channel_ids, user_id or both" })
  .refine((b) => b.from === undefined || b.to === undefined || b.from <= b.to, { message: "from must not be after to", path: ["from"] })
  .openapi("ExportBody", { example: { channel_ids: ["1234567890123456789"], from: 1735689600, to: 1767225599 } });

export const Export = z
  .object({
    id: Snowflake,
    status: z.enum(["queued", "running", "done", "failed"]).openapi({ description: "queued → running → done (or failed: see `error`)" }),
    messages: z.number().int().openapi({ description: "Messages written so far" }),
    parts: z.number().int().openapi({ description: "NDJSON parts written so far (one per job run)" }),
    url: z.string().nullable().openapi({ description: "When done: the signed URL of part 1 (of `urls`); null before" }),
    urls: z.array(z.string()).openapi({ description: "When done: a signed URL per part, in order; concatenated they are the whole export. Empty before" }),
    expires_at: UnixSeconds.nullable().openapi({ description: "When the URLs stop working (ask again for fresh ones)" }),
    error: z.string().nullable(),
  })
  .openapi("Export", {
    example: {
      id: "1234567890123456795",
      status: "done",
      messages: 12034,
      parts: 3,
      url: "https://chat.example.com/exports/1234567890123456795/1?exp=1735819200&sig=q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E",
      urls: ["https://chat.example.com/exports/1234567890123456795/1?exp=1735819200&sig=q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E"],
      expires_at: 1735819200,
      error: null,
    },
  });

export const ExportParams = z.object({ exportID: Snowflake.openapi({ param: { name: "exportID", in: "path" }, example: "1234567890123456795" }) });
