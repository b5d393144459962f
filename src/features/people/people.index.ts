import { createRouter } from "../../app";
import * as handlers from "./people.handlers";
import * as routes from "./people.routes";

/** Mounted after the users router, so `/v1/users/me` keeps its own route. */
export const peopleRouter = createRouter().openapi(routes.searchPeople, handlers.searchPeople).openapi(routes.getPerson, handlers.getPerson);
