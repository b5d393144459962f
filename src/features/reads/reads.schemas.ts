import { z } from "@hono/zod-openapi";
import { Snowflake, UnixSeconds } from "../../platform/schemas";
import { MessageId } from "../messages/messages.schemas";

export const ReadBody = z.object({ last_read_message_id: MessageId }).openapi("UpdateReadCursor");

export const ReadCursor = z
  .object({ channel_id: Snowflake, last_read_message_id: Snowflake, updated_at: UnixSeconds })
  .openapi("ReadCursor");

