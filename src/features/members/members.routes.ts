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
  description:
    "Lists the members with their role and join time, earliest joined first, up to `limit` (default and max 1000). " +
    'When more follow, a `Link: <…>; rel="next"` header gives the next page. ' +
    "Anyone signed in may list a room's members; a group's or DM's members see theirs, and for anyone else the channel does not exist (404 `CHAT_CHANNEL_NOT_FOUND`).",
  request: { params: ChannelParams, query: ListMembersQuery },
  responses: { 200: json(z.array(Member), "Members, earliest joined first"), ...errorResponses(400, 404) },
});

export const addMember = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/members",
  tags,
  security,
  summary: "Add a member (owner/admins), or join a room by adding yourself",
  description:
    "Owner and admins add members (plain members get 403 `CHAT_NOT_ADMIN`); only the owner, or an admin of a channel without owner, may add someone as `admin`. " +
    "Anyone signed in joins a room by adding themselves (`user_id` = their id or `\"me\"`, role member). The user must exist (404 `CHAT_USER_NOT_FOUND`; operators can provision users first) and not be a member yet (409 `CHAT_ALREADY_MEMBER`); someone who blocked you cannot be added by you (403 `CHAT_DM_BLOCKED_USER`). " +
    "DMs cannot gain members (400 `CHAT_CANNOT_MODIFY_DM`). Members' sockets get a `member_add` event.",
  request: { params: ChannelParams, body: jsonBody(AddMemberBody) },
  responses: { 201: json(Member, "Added"), ...errorResponses(400, 403, 404, 409) },
});

export const getMyMembership = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/members/me",
  tags,
  security,
  summary: "Your membership and settings",
  description:
    "Your role, whether you hid the channel, and your notification level (`notifications`: the level in force; `notifications_default`: true while you have not chosen one, " +
    "so the channel's default applies: `all` in DMs and groups of at most 10, else `mentions`). Members only.",
  request: { params: ChannelParams },
  responses: { 200: json(MyMembership, "Your membership"), ...errorResponses(403, 404) },
});

export const updateMyMembership = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/members/me",
  tags,
  security,
  summary: "Hide or unhide the channel for yourself",
  description:
    "Hiding is per member: the channel leaves your `GET /v1/channels` list (unless `include_hidden=true`) and nobody else notices. " +
    "A new message in a DM unhides it for both members; opening an existing DM again unhides it for you. Only members may hide a channel.",
  request: { params: ChannelParams, body: jsonBody(UpdateMyMembershipBody) },
  responses: { 200: json(MyMembership, "Your membership"), ...errorResponses(400, 403, 404) },
});

export const updateMember = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/members/{userID}",
  tags,
  security,
  summary: 'Change a member\'s role (owner only); role "owner" transfers ownership',
  description:
    "Only the owner grants or revokes admin (in a channel without owner, created by an integration, its admins do, but nobody makes an owner there: only `PUT /admin/v1/channels/{id}/owner`); others get 403 `CHAT_NOT_ADMIN`. " +
    "`role: \"owner\"` transfers ownership: the old owner becomes an admin and members get a `channel_update` event with the new `owner_id`; other changes send `member_update`. " +
    "The owner cannot drop their own role before transferring (403 `CHAT_CANNOT_REMOVE_OWNER`); a user who is not a member is 404 `CHAT_USER_NOT_FOUND`. Not for DMs (400).",
  request: { params: MemberParams, body: jsonBody(UpdateMemberBody) },
  responses: { 200: json(Member, "The member"), ...errorResponses(400, 403, 404) },
});

export const removeMember = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/members/{userID}",
  tags,
  security,
  summary: 'Leave (your own id or "me"), or remove a member (admins; admins only by the owner)',
  description:
    "Any member may leave (`me` or their own id); owner and admins remove members, and only the owner removes admins (403 `CHAT_NOT_ADMIN`). " +
    "The owner can be neither removed nor leave before transferring ownership (403 `CHAT_CANNOT_REMOVE_OWNER`). Removing someone who is not a member is 404 `CHAT_USER_NOT_FOUND`; DMs cannot be left (400 `CHAT_CANNOT_MODIFY_DM`). " +
    "The removed member's sockets get `member_remove` and are then closed with code 4003.",
  request: { params: MemberParams },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 403, 404) },
});
