import { z } from "@hono/zod-openapi";

export const ProvisionUserBody = z
  .object({ display_name: z.string().trim().min(1).max(100) })
  .openapi("ProvisionUser");

export const AdminUser = z
  .object({ id: z.string(), display_name: z.string(), kind: z.enum(["user", "publisher"]) })
  .openapi("AdminUser");

/** `security` of operator routes. */
export const adminSecurity = [{ adminToken: [] }];
