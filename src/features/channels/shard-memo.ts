/**
 * Which history shard holds a channel, remembered per isolate. A channel's shard is chosen when it
 * is created and never changes, so this is safe to keep without a bound in time; knowing it lets a
 * message page be read while access is checked (one round trip instead of two). Only the shard is
 * remembered: never membership or anything else that can change.
 */
const MAX_CHANNELS = 10_000;
const shards = new Map<string, string>();

export function rememberShard(channelId: string, shard: string) {
  if (shards.size >= MAX_CHANNELS) shards.clear();
  shards.set(channelId, shard);
}

export const knownShard = (channelId: string) => shards.get(channelId);
