import { createRoute, z } from "@hono/zod-openapi";
import {
  Channel,
  ChannelParams,
  ChannelListItem,
  CreateChannelBody,
  ListChannelsQuery,
  ListRoomsQuery,
  RoomList,
  UpdateChannelBody,
} from "./channels.schemas";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";

const tags = ["Channels"];

// Realistic examples for the documentation, kept beside the routes (the schemas stay shape-only here).
const group = {
  id: "1234567890123456789",
  type: "group",
  name: "Project Team",
  owner_id: "alice",
  created_at: 1735732800,
  broadcast: false,
  archived: false,
};
const dm = { ...group, id: "1234567890123456795", type: "dm", name: "", owner_id: null, other_user_id: "bob", other_user_name: "Bob Chen" };
const listItem = { ...group, unread_count: 3, last_message_at: 1735736400, last_read_message_id: "1234567890123456812", hidden: false, role: "owner" };
const room = { ...group, id: "1234567890123456800", type: "room", name: "Announcements", broadcast: true, member_count: 42, is_member: false };

/** A JSON response whose schema is the component and whose example is `example`. */
const jsonExample = <T extends z.ZodType>(schema: T, description: string, example: unknown) => ({
  description,
  content: { "application/json": { schema, example } },
});

export const listChannels = createRoute({
  method: "get",
  path: "/v1/channels",
  tags,
  security,
  summary: "List the channels you are a member of, latest activity first",
  description:
    "Your DMs, groups and rooms, sorted by the latest message (or creation), each with your `role`, `unread_count` (messages after your read cursor, not yours, not deleted), " +
    "`last_message_at` and `last_read_message_id`; DMs add `other_user_id`/`other_user_name`. Hidden and archived channels are left out unless `include_hidden=true`. " +
    'Up to `limit` (default and max 200). When more follow, a `Link: <…>; rel="next"` header gives the next page.',
  request: { query: ListChannelsQuery },
  responses: { 200: jsonExample(z.array(ChannelListItem), "Your channels", [listItem, { ...dm, unread_count: 0, last_message_at: 1735734000, last_read_message_id: "1234567890123456799", hidden: false, role: "member" }]), ...errorResponses(400) },
});

export const createChannel = createRoute({
  method: "post",
  path: "/v1/channels",
  tags,
  security,
  summary: "Create a DM, group or room (an existing DM is returned with 200)",
  description:
    'Any signed-in user may create one. `{"type":"dm","user_id"}` opens the DM with that user: one per pair, so an existing DM is answered 200 (and unhidden for you); ' +
    "yourself is 400 `CHAT_CANNOT_DM_SELF`, an unknown user 404 `CHAT_USER_NOT_FOUND`, a block either way 403 `CHAT_DM_BLOCKED_USER`. " +
    "A group (private: visible to members only) or room (public: anyone may find and join it) needs a `name` (trimmed, 1–100 characters) and is owned by you; " +
    "`member_ids` (up to 100 known users; none who blocked you: 403 `CHAT_DM_BLOCKED_USER`) are added as members, and `broadcast: true` lets only owner and admins post.",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: CreateChannelBody,
          examples: {
            dm: { summary: "Open the DM with bob", value: { type: "dm", user_id: "bob" } },
            group: { summary: "A private group with two members", value: { type: "group", name: "Project Team", member_ids: ["bob", "carol"] } },
            room: { summary: "A public room where only admins post", value: { type: "room", name: "Announcements", broadcast: true } },
          },
        },
      },
    },
  },
  responses: {
    200: jsonExample(Channel, "The existing DM with that user", dm),
    201: jsonExample(Channel, "Created", group),
    ...errorResponses(400, 403, 404),
  },
});

export const getChannel = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}",
  tags,
  security,
  summary: "Get a channel (rooms are visible to everyone)",
  description:
    "Any signed-in user may get a room; groups and DMs exist only for their members — anyone else gets 404 `CHAT_CHANNEL_NOT_FOUND`, so their existence does not leak. " +
    "A DM adds the other member's `other_user_id` and `other_user_name`; its `name` is empty and `owner_id` null. " +
    "`muted_until` is yours: until when a moderator muted you here (unix seconds), null when you are not muted.",
  request: { params: ChannelParams },
  responses: { 200: jsonExample(Channel, "The channel", group), ...errorResponses(404) },
});

export const updateChannel = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}",
  tags,
  security,
  summary: "Rename, archive/unarchive, set broadcast or slow mode (owner/admins; not DMs)",
  description:
    "Owner and admins change the name, `archived` and `broadcast` (give at least one); plain members get 403 `CHAT_NOT_ADMIN`, a room's non-members 403 `CHAT_NOT_MEMBER`. " +
    "An archived channel leaves everyone's list and room discovery and nobody can post in it (403 `CHAT_CHANNEL_ARCHIVED`); `{\"archived\": false}` restores it. " +
    "`slow_mode_s` (0–21600, 0 = off) makes plain members wait that long between top-level messages (429 `CHAT_SLOW_MODE` with `Retry-After`; owner, admins and publishers are exempt); each change is in the audit log. " +
    "DMs cannot be changed (400 `CHAT_CANNOT_MODIFY_DM`). Members' sockets get a `channel_update` event.",
  request: {
    params: ChannelParams,
    body: { ...jsonBody(UpdateChannelBody), content: { "application/json": { schema: UpdateChannelBody, example: { name: "Project Team (2025)", archived: false } } } },
  },
  responses: { 200: jsonExample(Channel, "The updated channel", { ...group, name: "Project Team (2025)" }), ...errorResponses(400, 403, 404) },
});

export const deleteChannel = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}",
  tags,
  security,
  summary: "Delete a group or room (owner only)",
  description:
    "Only the owner deletes a channel (others 403 `CHAT_NOT_ADMIN`); DMs cannot be deleted (400 `CHAT_CANNOT_MODIFY_DM`). " +
    "Every socket gets `channel_delete` and is closed with code 4004; the history and its messages' files are purged in the background (signed file URLs handed out before then answer 404). Of racing deletes one wins; the others get 404.",
  request: { params: ChannelParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 403, 404) },
});

export const listRooms = createRoute({
  method: "get",
  path: "/v1/rooms",
  tags,
  security,
  summary: "Discover public rooms, newest first",
  description:
    "Every room that is not archived, newest first, with its `member_count` and whether you are a member (`is_member`); join one with `POST /v1/channels/{id}/members` and your own id. " +
    "Up to `limit` (default 50, max 100) a page; while `has_more`, ask again with `before` = the last room's id. Groups and DMs are never listed.",
  request: { query: ListRoomsQuery },
  responses: { 200: jsonExample(RoomList, "A page of rooms", { rooms: [room], has_more: false }), ...errorResponses(400) },
});
