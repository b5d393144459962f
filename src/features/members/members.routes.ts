import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { AddMemberBody, ListMembersQuery, Member, MemberParams, MyMembership, UpdateMemberBody, UpdateMyMembershipBody } from "./members.schemas";

const tags = ["Members"];

export const listMembers = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/members",
  tags,
  security,
  summary: "List members (rooms: anyone; groups and DMs: members)",
  description: 'Earliest joined first, up to `limit` (default and max 1000). When more follow, a `Link: <…>; rel="next"` header gives the next page.',
  request: { params: ChannelParams, query: ListMembersQuery },
  responses: { 200: json(z.array(Member), "Members, earliest joined first"), ...errorResponses(400, 404) },
});

export const addMember = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/members",
  tags,
  security,
  summary: "Add a member (owner/admins), or join a room by adding yourself",
  request: { params: ChannelParams, body: jsonBody(AddMemberBody) },
  responses: { 201: json(Member, "Added"), ...errorResponses(400, 403, 404, 409) },
});

export const updateMyMembership = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/members/me",
  tags,
  security,
  summary: "Hide or unhide the channel for yourself",
  request: { params: ChannelParams, body: jsonBody(UpdateMyMembershipBody) },
  responses: { 200: json(MyMembership, "Your membership"), ...errorResponses(400, 403, 404) },
});

export const updateMember = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/members/{userID}",
  tags,
  security,
  summary: 'Change a member\'s role (owner only); role "owner" transfers ownership',
  request: { params: MemberParams, body: jsonBody(UpdateMemberBody) },
  responses: { 200: json(Member, "The member"), ...errorResponses(400, 403, 404) },
});

export const removeMember = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/members/{userID}",
  tags,
  security,
  summary: 'Leave (your own id or "me"), or remove a member (admins; admins only by the owner)',
  request: { params: MemberParams },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 403, 404) },
});
