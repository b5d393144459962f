// REST types derived from the Worker's routes: nothing here is written by hand, so the SDK cannot
// drift from the API (a changed schema breaks `npm run typecheck`, not a user's app).
import type { hc, InferRequestType, InferResponseType } from "hono/client";
import type { AppType } from "../src/index";

export type Api = ReturnType<typeof hc<AppType>>;
type ChannelApi = Api["v1"]["channels"][":channelID"];

export type Message = InferResponseType<ChannelApi["messages"]["$post"], 201>;
export type MessagePage = InferResponseType<ChannelApi["messages"]["$get"], 200>;
export type Channel = InferResponseType<Api["v1"]["channels"]["$get"], 200>[number];
export type Room = InferResponseType<Api["v1"]["rooms"]["$get"], 200>["rooms"][number];
export type Me = InferResponseType<Api["v1"]["users"]["me"]["$get"], 200>;
/** Someone found by `users(q)` (DESIGN §19): an id and a display name. */
export type Person = InferResponseType<Api["v1"]["users"]["$get"], 200>["users"][number];
/** A user's profile (`user(id)`). */
export type Profile = InferResponseType<Api["v1"]["users"][":userID"]["$get"], 200>;
/** A channel member with role and join time (`members(channelId)`). */
export type Member = InferResponseType<ChannelApi["members"]["$get"], 200>[number];
export type Attachment = InferResponseType<Api["v1"]["attachments"]["$post"], 201>;
export type CreateChannel = InferRequestType<Api["v1"]["channels"]["$post"]>["json"];
/** A send (scheduling with `send_at` is not the SDK's `send`: its answer is a scheduled message, not a message). */
export type SendMessage = Omit<InferRequestType<ChannelApi["messages"]["$post"]>["json"], "send_at">;
/** Moderation (DESIGN §15): a channel's bans and mutes in force, and reports of its messages. */
export type Ban = InferResponseType<ChannelApi["bans"]["$post"], 201>;
export type Mute = InferResponseType<ChannelApi["mutes"]["$post"], 201>;
export type Report = InferResponseType<ChannelApi["messages"][":messageID"]["reports"]["$post"], 201>;
export type ReportPage = InferResponseType<ChannelApi["reports"]["$get"], 200>;
/** Why a message is reported: spam, harassment, hate, sexual, violence, self_harm or other. */
export type ReportReason = InferRequestType<ChannelApi["messages"][":messageID"]["reports"]["$post"]>["json"]["reason"];
/** How a moderator resolves a report: `{ action: "dismiss" | "delete_message" | "mute_user" | "ban_user", duration_s?, note? }`. */
export type ResolveReport = InferRequestType<ChannelApi["reports"][":reportID"]["resolve"]["$post"]>["json"];
export type ThumbnailSize = NonNullable<
  InferRequestType<ChannelApi["messages"][":messageID"]["attachments"][":attachmentID"]["url"]["$get"]>["query"]["size"]
>;

/** Data of the channel socket's sequenced events (README, Real-time). */
export interface ChannelEventMap {
  message: Message;
  message_update: Message;
  message_delete: Message;
  reaction_add: { message_id: string; emote_asset_id: string; user_id: string };
  reaction_remove: { message_id: string; emote_asset_id: string; user_id: string };
  member_add: { user_id: string; role?: string };
  member_update: { user_id: string; role?: string };
  /** `reason` "banned" when a moderator banned them (DESIGN §15); absent when they left or were removed. */
  member_remove: { user_id: string; reason?: "banned" };
  channel_update: Channel;
  channel_delete: { id: string };
  typing: { user_id: string };
  read: { user_id: string; channel_id: string; last_read_message_id: string; updated_at: number };
}
