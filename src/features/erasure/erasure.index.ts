import { createRouter } from "../../app";
import { requestErasure } from "./request";
import * as routes from "./erasure.routes";

/** `DELETE /admin/v1/users/{id}` (behind ADMIN_TOKEN). */
export const adminErasureRouter = createRouter().openapi(routes.eraseUser, async (c) => {
  const answer = await requestErasure(c.env, c.get("db"), c.req.valid("param").userID, c.req.valid("json").messages, "admin");
  return c.json(answer, 202);
});

/** `DELETE /v1/users/me` (a user token). */
export const selfErasureRouter = createRouter().openapi(routes.deleteMe, async (c) => {
  const answer = await requestErasure(c.env, c.get("db"), c.get("user").id, c.req.valid("json").messages, "self");
  return c.json(answer, 202);
});
