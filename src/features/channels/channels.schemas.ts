import { z } from "@hono/zod-openapi";
import type { ChannelRow } from "../../db/schema";
import { QueryBool, Snowflake, UnixSeconds, UserId, codePoints, seconds } from "../../platform/schemas";

export const ChannelParams = z.object({
  channelID: Snowflake.openapi({ param: { name: "channelID", in: "path" } }),
});

/** A channel name: trimmed, 1–100 characters, no control characters. */
export const ChannelName = z
  .string()
  .trim()
  .refine((s) => codePoints(s) >= 1 && codePoints(s) <= 100, "name must be 1-100 characters")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "name must not contain control characters")
  .openapi({ example: "Project Team" });

export const Channel = z
  .object({
    id: Snowflake,
    type: z.enum(["dm", "group", "room"]),
    name: z.string().openapi({ description: '"" for a DM' }),
    owner_id: z.string().nullable(),
    created_at: UnixSeconds,
    broadcast: z.boolean().openapi({ description: "Only the owner, admins and publishers may post" }),
    archived: z.boolean(),
    slow_mode_s: z.number().int().openapi({ example: 0, description: "Slow mode: seconds a plain member waits between top-level messages (0 = off; moderators and publishers are exempt)" }),
    muted_until: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ example: null, description: "Yours: until when you are muted here (unix seconds), null when you are not (in the channel list, GET and PUT of one channel; not in events)" }),
    other_user_id: z.string().optional().openapi({ description: "DMs only" }),
    other_user_name: z.string().optional().openapi({ description: "DMs only" }),
  })
  .openapi("Channel");

export const ChannelListItem = Channel.extend({
  unread_count: z.number().int().openapi({ description: "Messages after your read cursor, not yours, not deleted" }),
  mention_count: z
    .number()
    .int()
    .openapi({ description: "Messages (replies included) after your read cursor, not yours, not deleted, that mention you" }),
  last_message_at: z.number().int().nullable(),
  last_read_message_id: z.string().nullable(),
  hidden: z.boolean(),
  role: z.enum(["owner", "admin", "member"]),
}).openapi("ChannelListItem");

export const Room = Channel.extend({
  member_count: z.number().int(),
  is_member: z.boolean(),
}).openapi("Room");

export const ListChannelsQuery = z.object({
  include_hidden: QueryBool.optional().openapi({ type: "boolean", description: "Include hidden and archived channels" }),
  limit: z.coerce.number().int().min(1).max(200).default(200),
  before: z
    .string()
    .regex(/^\d{1,15}\.[1-9]\d{18}$/, "use the cursor from the Link header")
    .optional()
    .openapi({ description: "Cursor from the previous page's Link header" }),
});

export const CreateChannelBody = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("dm"), user_id: UserId }),
    z.object({
      type: z.enum(["group", "room"]),
      name: ChannelName,
      broadcast: z.boolean().default(false),
      member_ids: z.array(UserId).max(100).default([]).openapi({ description: "Initial members besides the creator" }),
    }),
  ])
  .openapi("CreateChannel");

/** Slow mode's bounds (DESIGN §15): off, or up to 6 hours. */
export const MAX_SLOW_MODE_S = 21_600;

export const UpdateChannelBody = z
  .object({
    name: ChannelName.optional(),
    archived: z.boolean().optional(),
    broadcast: z.boolean().optional(),
    slow_mode_s: z.number().int().min(0).max(MAX_SLOW_MODE_S).optional().openapi({ example: 30, description: "Slow mode in seconds, 0–21600 (0 = off)" }),
  })
  .refine((b) => b.name !== undefined || b.archived !== undefined || b.broadcast !== undefined || b.slow_mode_s !== undefined, {
    message: "give at least one of name, archived, broadcast, slow_mode_s",
  })
  .openapi("UpdateChannel");

export const ListRoomsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: Snowflake.optional().openapi({ description: "Room id cursor: rooms created before it" }),
});

export const RoomList = z.object({ rooms: z.array(Room), has_more: z.boolean() }).openapi("RoomList");

/** The seed's channel object (+ broadcast/archived; DM partner when known). */
export function channelJson(channel: ChannelRow, dmPartner?: { id: string; displayName: string } | null) {
  return {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    owner_id: channel.ownerId,
    created_at: seconds(channel.createdAt),
    broadcast: channel.broadcast,
    archived: channel.archived,
    slow_mode_s: channel.slowModeS,
    ...(channel.type === "dm" && dmPartner ? { other_user_id: dmPartner.id, other_user_name: dmPartner.displayName } : {}),
  };
}
