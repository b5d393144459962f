import { z } from "@hono/zod-openapi";
import type { MemberRole } from "../../db/schema";
import { UnixSeconds, UserId, seconds } from "../../platform/schemas";
import { ChannelParams } from "../channels/channels.schemas";

export const MemberParams = ChannelParams.extend({
  userID: UserId.openapi({ param: { name: "userID", in: "path" } }),
});

export const Member = z
  .object({
    user_id: z.string().openapi({ example: "bob" }),
    display_name: z.string().openapi({ example: "Bob Chen", description: "The user's current display name" }),
    role: z.enum(["owner", "admin", "member"]).openapi({ example: "member" }),
    joined_at: UnixSeconds,
  })
  .openapi("Member");

/** Opaque member-list cursor: `<joined_at ms>.<user id>`, as handed out in the `Link` header. */
export const ListMembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(1000).openapi({ example: 200 }),
  after: z
    .string()
    .regex(/^\d{1,15}\.[A-Za-z0-9_.@:|+-]{1,128}$/, "use the cursor from the Link header")
    .optional()
    .openapi({ description: "Cursor from the previous page's Link header", example: "1735732800000.bob" }),
});

export const AddMemberBody = z
  .object({
    user_id: UserId.openapi({ example: "bob", description: "The user to add; your own id (or \"me\") joins a room" }),
    role: z.enum(["member", "admin"]).default("member").openapi({ description: "admin: only the owner (or, without one, an admin) may grant it" }),
  })
  .openapi("AddMember");

export const UpdateMemberBody = z
  .object({
    role: z.enum(["owner", "admin", "member"]).openapi({ description: '"owner" transfers ownership', example: "admin" }),
  })
  .openapi("UpdateMember");

export const NotificationLevel = z.enum(["all", "mentions", "none"]).openapi({
  example: "mentions",
  description: "Pushes for this channel: `all` messages, only `mentions` (and replies in your threads), or `none`. Default: `all` in DMs and groups of at most 10 members, else `mentions`",
});

export const UpdateMyMembershipBody = z
  .object({
    hidden: z.boolean().optional().openapi({ example: true, description: "true hides the channel from your list; a new message in a DM unhides it" }),
    notifications: NotificationLevel.nullable().optional().openapi({ description: "Your push level here; null goes back to the channel's default" }),
  })
  .refine((b) => b.hidden !== undefined || b.notifications !== undefined, { message: "Send hidden, notifications, or both" })
  .openapi("UpdateMyMembership", { example: { notifications: "mentions" } });

export const MyMembership = Member.extend({
  hidden: z.boolean(),
  notifications: NotificationLevel.openapi({ description: "Your push level here (the default when you never set one)" }),
  notifications_default: z.boolean().openapi({ example: false, description: "true while you never set a level: `notifications` is the channel's default" }),
}).openapi("MyMembership");

export function memberJson(m: { userId: string; displayName: string; role: MemberRole; joinedAt: number }) {
  return { user_id: m.userId, display_name: m.displayName, role: m.role, joined_at: seconds(m.joinedAt) };
}
