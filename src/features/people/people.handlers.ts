import type { AppRouteHandler } from "../../platform/openapi";
import { userNotFound } from "../../platform/errors";
import { findPerson, searchPeople as search } from "./people.queries";
import type * as routes from "./people.routes";
import { personJson, profileJson } from "./people.schemas";

export const searchPeople: AppRouteHandler<typeof routes.searchPeople> = async (c) => {
  const { q, limit } = c.req.valid("query");
  const people = await search(c.get("db"), c.get("user").id, q, limit, c.env.USER_DIRECTORY === "shared");
  return c.json({ users: people.map(personJson) }, 200);
};

export const getPerson: AppRouteHandler<typeof routes.getPerson> = async (c) => {
  const { userID } = c.req.valid("param");
  const person = await findPerson(c.get("db"), c.get("user").id, userID, c.env.USER_DIRECTORY === "shared");
  if (!person) throw userNotFound(userID);
  return c.json(profileJson(person), 200);
};
