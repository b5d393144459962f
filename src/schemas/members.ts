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

/** Opaque member-list cursor: `<joined_at ms>.<user id>`, as handed out in the `Link` header. */
export const ListMembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
  after: z
    .string()
    .regex(/^\d{1,15}\.[A-Za-z0-9_.@:|+-]{1,128}$/, "use the cursor from the Link header")
    .optional()
    .openapi({ description: "Cursor from the previous page's Link header" }),
});

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
