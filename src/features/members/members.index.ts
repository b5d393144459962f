import { createRouter } from "../../app";
import * as handlers from "./members.handlers";
import * as routes from "./members.routes";

export const membersRouter = createRouter()
  .openapi(routes.listMembers, handlers.listMembers)
  .openapi(routes.addMember, handlers.addMember)
  .openapi(routes.getMyMembership, handlers.getMyMembership)
  .openapi(routes.updateMyMembership, handlers.updateMyMembership)
  .openapi(routes.updateMember, handlers.updateMember)
  .openapi(routes.removeMember, handlers.removeMember);
