import { z } from "@hono/zod-openapi";

export const Me = z
  .object({
    id: z.string().openapi({ example: "alice", description: "Your user id: the `sub` of your token" }),
    display_name: z.string().openapi({ example: "Alice Martin", description: "The `name` of your latest token (or as provisioned)" }),
  })
  .openapi("Me");
