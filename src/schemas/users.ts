import { z } from "@hono/zod-openapi";
import { UnixSeconds, UserId } from "./common";

export const Me = z.object({ id: z.string(), display_name: z.string() }).openapi("Me");

export const BlockParams = z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) });

export const BlockList = z
  .object({
    blocks: z.array(z.object({ user_id: z.string(), display_name: z.string(), created_at: UnixSeconds })),
  })
  .openapi("BlockList");

export const DevTokenBody = z
  .object({ sub: UserId, name: z.string().trim().min(1).max(100).optional() })
  .openapi("DevTokenRequest");

export const DevToken = z.object({ token: z.string(), expires_at: UnixSeconds }).openapi("DevToken");

export const ProvisionUserBody = z
  .object({ display_name: z.string().trim().min(1).max(100) })
  .openapi("ProvisionUser");

export const AdminUser = z
  .object({ id: z.string(), display_name: z.string(), kind: z.enum(["user", "publisher"]) })
  .openapi("AdminUser");
