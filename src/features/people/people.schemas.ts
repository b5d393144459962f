import { z } from "@hono/zod-openapi";
import { UnixSeconds, UserId, seconds } from "../../platform/schemas";
import type { Person } from "./people.queries";

export const PeopleQuery = z.object({
  q: z.string().trim().min(1).max(100).openapi({ example: "smi", description: "The start of a user id, or of any word of a display name (case and accents ignored)" }),
  limit: z.coerce.number().int().min(1).max(50).default(20).openapi({ example: 20 }),
});

export const PersonSummary = z
  .object({ id: z.string().openapi({ example: "anna" }), display_name: z.string().openapi({ example: "Anna Smith" }) })
  .openapi("PersonSummary");

export const PeoplePage = z.object({ users: z.array(PersonSummary) }).openapi("People", { example: { users: [{ id: "anna", display_name: "Anna Smith" }] } });

export const Profile = PersonSummary.extend({ created_at: UnixSeconds }).openapi("Profile", { example: { id: "anna", display_name: "Anna Smith", created_at: 1735732800 } });

export const PersonParams = z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) });

export const personJson = (p: Person) => ({ id: p.id, display_name: p.displayName });
export const profileJson = (p: Person) => ({ ...personJson(p), created_at: seconds(p.createdAt) });
