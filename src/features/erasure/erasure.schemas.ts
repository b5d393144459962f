import { z } from "@hono/zod-openapi";
import { UserId } from "../../platform/schemas";

export const EraseBody = z
  .object({
    messages: z.enum(["delete", "keep"]).openapi({
      description: '"delete": the user\'s messages go (a thread root with others\' replies stays as a tombstone). "keep": they stay, shown as sent by "Deleted user", without their attachments.',
    }),
  })
  .openapi("EraseUserBody", { example: { messages: "delete" } });

export const Erasure = z
  .object({
    id: z.string().openapi({ description: "The erased user's pseudonym (`erased_…`): what the audit log, kept messages and kept tombstones name from now on" }),
    status: z.enum(["running", "held", "done"]).openapi({
      description: "running: under way (seconds for most users, longer for years of history); held: done except messages under a legal hold, which are kept until it is released; done",
    }),
    messages: z.enum(["delete", "keep"]).openapi({ description: "As first asked (a repeated request does not change it)" }),
  })
  .openapi("Erasure", { example: { id: "erased_3f9a0c6d2b7e41a85c10", status: "running", messages: "delete" } });

export const EraseParams = z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" }, example: "carol" }) });
