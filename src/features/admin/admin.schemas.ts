import { z } from "@hono/zod-openapi";

export const ProvisionUserBody = z
  .object({ display_name: z.string().trim().min(1).max(100).openapi({ example: "Carol Jones", description: "Trimmed, 1–100 characters" }) })
  .openapi("ProvisionUser");

export const AdminUser = z
  .object({
    id: z.string().openapi({ example: "carol" }),
    display_name: z.string().openapi({ example: "Carol Jones" }),
    kind: z.enum(["user", "publisher"]).openapi({ description: "\"publisher\": an integration API sender (id pub_<n>)" }),
  })
  .openapi("AdminUser");

/** `security` of operator routes. */
export const adminSecurity = [{ adminToken: [] }];
