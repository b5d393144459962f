import { z } from "@hono/zod-openapi";
import { Snowflake, UnixSeconds } from "../../platform/schemas";
import { MessageId } from "../messages/messages.schemas";

export const ReadBody = z.object({ last_read_message_id: MessageId }).openapi("UpdateReadCursor");

export const ReadCursor = z
  .object({ channel_id: Snowflake, last_read_message_id: Snowflake, updated_at: UnixSeconds })
  .openapi("ReadCursor");


export const ReadReceipt = z
  .object({
    user_id: z.string(),
    last_read_message_id: Snowflake.nullable().openapi({ description: "null: never read" }),
    updated_at: UnixSeconds.nullable().openapi({ description: "When the cursor last moved; null: never" }),
  })
  .openapi("ReadReceipt");

export const ReadReceipts = z.object({ reads: z.array(ReadReceipt) }).openapi("ReadReceipts");
