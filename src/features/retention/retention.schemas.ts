import { z } from "@hono/zod-openapi";
import { Snowflake } from "../../platform/schemas";

const Days = z
  .number()
  .int()
  .min(1)
  .max(36500)
  .nullable()
  .openapi({ description: "Days messages are kept, 1–36,500; `null`: the app default for a channel, forever for the app", example: 90 });

export const RetentionBody = z.object({ days: Days }).openapi("RetentionBody", { example: { days: 365 } });

export const SweepReport = z
  .object({
    started_at: z.number().int().openapi({ description: "Unix seconds" }),
    finished_at: z.number().int().openapi({ description: "Unix seconds" }),
    complete: z.boolean().openapi({ description: "False when the sweep's time budget ran out: the next hourly run resumes where it stopped" }),
    channels: z.number().int().openapi({ description: "Channels that lost messages" }),
    messages: z.number().int().openapi({ description: "Messages removed (replies and tombstones included)" }),
    attachments: z.number().int().openapi({ description: "Uploads removed with them (bytes and thumbnails deleted from R2)" }),
    attachment_bytes: z.number().int(),
  })
  .openapi("RetentionSweep");

export const AppRetention = z
  .object({
    days: Days,
    last_sweep: SweepReport.nullable().openapi({ description: "The last hourly sweep; null before the first" }),
  })
  .openapi("AppRetention", {
    example: { days: 365, last_sweep: { started_at: 1767225420, finished_at: 1767225423, complete: true, channels: 3, messages: 1204, attachments: 12, attachment_bytes: 5242880 } },
  });

export const ChannelRetention = z
  .object({
    channel_id: Snowflake,
    days: Days.openapi({ description: "The channel's own limit; null: it inherits the app default" }),
    effective_days: z.number().int().nullable().openapi({ description: "The limit the sweep applies: the channel's own, else the app default; null: kept forever" }),
    on_hold: z.boolean().openapi({ description: "A legal hold covers the channel: the sweep removes nothing of it while it lasts" }),
  })
  .openapi("ChannelRetention", { example: { channel_id: "1843027512262930432", days: 30, effective_days: 30, on_hold: false } });
