import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { PeoplePage, PeopleQuery, PersonParams, Profile } from "./people.schemas";

const tags = ["Users"];

export const searchPeople = createRoute({
  method: "get",
  path: "/v1/users",
  tags,
  security,
  summary: "Find people to message or add",
  description:
    "Users whose id, or any word of whose display name, starts with `q` — case- and accent-insensitive (\"smi\" and \"SMÍ\" find \"Anna Smith\"); several words must all match. " +
    "Best matches first (an exact id, ids starting with `q`, names starting with it, then names with a later word starting with it); you are left out; at most `limit` (1–50, default 20). " +
    "One deployment is one organization, so everyone who has signed in or been provisioned is findable; with `USER_DIRECTORY=shared` only users who share a channel with you are.",
  request: { query: PeopleQuery },
  responses: { 200: json(PeoplePage, "Matching people"), ...errorResponses(400) },
});

export const getPerson = createRoute({
  method: "get",
  path: "/v1/users/{userID}",
  tags,
  security,
  summary: "A user's profile",
  description:
    "`{\"id\",\"display_name\",\"created_at\"}`. A user exists once they have signed in or been provisioned; otherwise (and, with `USER_DIRECTORY=shared`, for someone who shares no channel with you) 404 `CHAT_USER_NOT_FOUND`.",
  request: { params: PersonParams },
  responses: { 200: json(Profile, "The user"), ...errorResponses(400, 404) },
});
