import { z } from "@hono/zod-openapi";
import { UnixSeconds, UserId } from "./common";

export const Member = z
  .object({
    user_id: z.string(),
    display_name: z.string(),
    role: z.enum(["owner", "admin", "member"]),
    joined_at: UnixSeconds,
  })
  .openapi("Member");

export const AddMemberBody = z
  .object({ user_id: UserId, role: z.enum(["member", "admin"]).default("member") })
  .openapi("AddMember");

export const UpdateMemberBody = z
  .object({
    role: z.enum(["owner", "admin", "member"]).openapi({ description: '"owner" transfers ownership' }),
  })
  .openapi("UpdateMember");

export const UpdateMyMembershipBody = z.object({ hidden: z.boolean() }).openapi("UpdateMyMembership");

export const MyMembership = Member.extend({ hidden: z.boolean() }).openapi("MyMembership");
