import { z } from "@hono/zod-openapi";

export const Me = z.object({ id: z.string(), display_name: z.string() }).openapi("Me");
