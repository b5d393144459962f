import { createRouter } from "../../app";
import * as handlers from "./sockets.handlers";
import * as routes from "./sockets.routes";

/** The WebSocket upgrade authenticates itself (Bearer or ticket), so it is mounted before `/v1/*` auth. */
export const socketRouter = createRouter().openapi(routes.openSocket, handlers.openSocket).openapi(routes.openUserSocket, handlers.openUserSocket);

export const socketTicketRouter = createRouter().openapi(routes.socketTicket, handlers.socketTicket).openapi(routes.userSocketTicket, handlers.userSocketTicket);
