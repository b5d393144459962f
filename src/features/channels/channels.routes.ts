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

export const listChannels = createRoute({
  method: "get",
  path: "/v1/channels",
  tags,
  security,
  summary: "List the channels you are a member of, latest activity first",
  description: 'Up to `limit` (default and max 200). When more follow, a `Link: <…>; rel="next"` header gives the next page.',
  request: { query: ListChannelsQuery },
  responses: { 200: json(z.array(ChannelListItem), "Your channels"), ...errorResponses(400) },
});

export const createChannel = createRoute({
  method: "post",
  path: "/v1/channels",
  tags,
  security,
  summary: "Create a DM, group or room (an existing DM is returned with 200)",
  request: { body: jsonBody(CreateChannelBody) },
  responses: {
    200: json(Channel, "The existing DM with that user"),
    201: json(Channel, "Created"),
    ...errorResponses(400, 403, 404),
  },
});

export const getChannel = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}",
  tags,
  security,
  summary: "Get a channel (rooms are visible to everyone)",
  request: { params: ChannelParams },
  responses: { 200: json(Channel, "The channel"), ...errorResponses(404) },
});

export const updateChannel = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}",
  tags,
  security,
  summary: "Rename, archive/unarchive or set broadcast (owner/admins; not DMs)",
  request: { params: ChannelParams, body: jsonBody(UpdateChannelBody) },
  responses: { 200: json(Channel, "The updated channel"), ...errorResponses(400, 403, 404) },
});

export const deleteChannel = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}",
  tags,
  security,
  summary: "Delete a group or room (owner only)",
  request: { params: ChannelParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 403, 404) },
});

export const listRooms = createRoute({
  method: "get",
  path: "/v1/rooms",
  tags,
  security,
  summary: "Discover public rooms, newest first",
  request: { query: ListRoomsQuery },
  responses: { 200: json(RoomList, "A page of rooms"), ...errorResponses(400) },
});
