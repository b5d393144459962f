import { UserId } from "../../platform/schemas";
import { z } from "@hono/zod-openapi";

export const ProvisionUserBody = z
  .object({ display_name: z.string().trim().min(1).max(100).openapi({ example: "Carol Jones", description: "Trimmed, 1–100 characters" }) })
  .openapi("ProvisionUser");

export const ProvisionUsersBody = z
  .object({
    users: z
      .array(z.object({ id: UserId, display_name: ProvisionUserBody.shape.display_name }))
      .min(1)
      .max(1000)
      .openapi({ description: "1–1,000 users; an id given twice counts once (its last name wins)" }),
  })
  .openapi("ProvisionUsers", { example: { users: [{ id: "anna", display_name: "Anna Smith" }, { id: "dave", display_name: "Dave Jones" }] } });

export const AdminUser = z
  .object({
    id: z.string().openapi({ example: "carol" }),
    display_name: z.string().openapi({ example: "Carol Jones" }),
    kind: z.enum(["user", "publisher"]).openapi({ description: "\"publisher\": an integration API sender (id pub_<n>)" }),
  })
  .openapi("AdminUser");

/** `security` of operator routes. */
export const adminSecurity = [{ adminToken: [] }];
