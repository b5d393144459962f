// Why you cannot post right now (DESIGN §15), said where you would type: muted until a time (in
// place of the composer), or slow mode's wait after a refused send (above it), counting down.
import { useEffect, useState } from "preact/hooks";
import type { Channel } from "../../sdk/index";
import { mutedNow, setMuted, slowWait } from "../moderation";
import { slowModeLabel, until } from "./moderation-panel";

/** In place of the composer while you are muted here; the composer comes back when the mute ends. */
export function MutedLine({ channelId, mutedUntil }: { channelId: string; mutedUntil: number }) {
  useEffect(() => {
    const timer = setTimeout(() => setMuted(channelId, null), Math.max(0, mutedUntil * 1000 - Date.now()) + 500);
    return () => clearTimeout(timer);
  }, [channelId, mutedUntil]);
  return (
    <p class="standing composer-blocked" role="status">
      You are muted in this channel until {until(mutedUntil)}
    </p>
  );
}

/** Above the composer: slow mode's countdown after a refused send, else (for plain members) that it is on. */
export function SlowModeLine({ channel }: { channel: Channel }) {
  const [, tick] = useState(0);
  const wait = slowWait.value?.channelId === channel.id ? slowWait.value : null;
  const left = wait ? Math.ceil((wait.until - Date.now()) / 1000) : 0;
  useEffect(() => {
    if (!wait) return;
    if (left <= 0) return void (slowWait.value = null);
    const timer = setTimeout(() => tick((n) => n + 1), 1000);
    return () => clearTimeout(timer);
  });
  if (left > 0) {
    return (
      <p class="standing" role="status">
        Slow mode: you can send again in {left} s
      </p>
    );
  }
  // Moderators are exempt, so only plain members are told.
  if (channel.slow_mode_s > 0 && channel.role === "member") return <p class="standing muted">Slow mode is on: one message every {slowModeLabel(channel.slow_mode_s)}.</p>;
  return null;
}

/** Until when you are muted in this channel, or null (DMs have no mutes): the composer or MutedLine. */
export function mutedIn(channel: Channel): number | null {
  return channel.type === "dm" ? null : mutedNow(channel.id);
}
