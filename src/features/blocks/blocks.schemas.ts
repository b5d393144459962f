import { z } from "@hono/zod-openapi";
import { UnixSeconds, UserId } from "../../platform/schemas";

export const BlockParams = z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) });

export const BlockList = z
  .object({
    blocks: z.array(
      z.object({
        user_id: z.string().openapi({ example: "mallory" }),
        display_name: z.string().openapi({ example: "Mallory Stone" }),
        created_at: UnixSeconds.openapi({ description: "When you blocked them" }),
      }),
    ),
    has_more: z.boolean().openapi({ description: "More blocks follow: ask again with `before` = next_cursor" }),
    next_cursor: z.string().nullable().openapi({ example: null, description: "Pass as `before` for the next page; null on the last page" }),
  })
  .openapi("BlockList");

export const ListBlocksQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(1000).openapi({ example: 100 }),
  before: z
    .string()
    .regex(/^\d{1,15}\.[A-Za-z0-9_.@:|+-]{1,128}$/, "use next_cursor from the previous page")
    .optional()
    .openapi({ description: "next_cursor of the previous page", example: "1735732800000.mallory" }),
});
