/** Push levels per membership (DESIGN §16), and the default of a member who never chose one. */
export type NotificationLevel = "all" | "mentions" | "none";

/** Groups of at most this many members default to `all`, like DMs; larger groups and rooms to `mentions`. */
export const SMALL_GROUP = 10;

export const defaultsToAll = (channel: { type: string; memberCount: number }) => channel.type === "dm" || (channel.type === "group" && channel.memberCount <= SMALL_GROUP);

export const defaultLevel = (channel: { type: string; memberCount: number }): NotificationLevel => (defaultsToAll(channel) ? "all" : "mentions");
