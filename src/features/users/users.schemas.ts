import { z } from "@hono/zod-openapi";

export const Me = z
  .object({
    id: z.string().openapi({ example: "alice", description: "Your user id: the `sub` of your token" }),
    display_name: z.string().openapi({ example: "Alice Martin", description: "The `name` of your latest token (or as provisioned)" }),
    dnd_until: z.string().nullable().openapi({ example: "2026-01-02T08:00:00.000Z", description: "Do not disturb: no pushes until this time (RFC 3339, UTC); null when off. A past time is the same as off" }),
  })
  .openapi("Me");

export const UpdateMeBody = z
  .object({
    dnd_until: z.iso
      .datetime({ offset: true })
      .nullable()
      .openapi({ example: "2026-01-02T08:00:00+01:00", description: "Do not disturb until then (RFC 3339 with Z or an offset; at most a year ahead); null turns it off" }),
  })
  .openapi("UpdateMe");

/** Stored milliseconds → RFC 3339, or null when off. */
export const dndJson = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
