// Mute and ban beside a member in the members panel (DESIGN §15), for the members a moderator may
// act on (the panel decides who: not themselves, not the owner, admins only by the owner).
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import type { Channel, Member } from "../../sdk/index";
import { client, error } from "../store";
import { moderationChanged, until } from "./moderation-panel";

/** A mute from here lasts 10 minutes: long enough to cool down, short enough to need no undo. */
const MUTE_S = 600;

/** What the last action here did ("Bob is banned."), for the panel's status line. */
export const memberNotice = signal<string | null>(null);

/** user id → until when muted (unix seconds), for a moderator; empty for anyone else (they may not list mutes). */
export function useMutes(channelId: string, moderator: boolean): [ReadonlyMap<string, number>, () => void] {
  const [mutes, setMutes] = useState<ReadonlyMap<string, number>>(new Map());
  const load = () => {
    if (!moderator) return setMutes(new Map());
    void client.value!.mutes(channelId).then((list) => setMutes(new Map(list.map((m) => [m.user_id, m.expires_at]))), () => {});
  };
  useEffect(load, [channelId, moderator, moderationChanged.value]);
  useEffect(() => () => void (memberNotice.value = null), [channelId]);
  return [mutes, load];
}

export function MemberModeration({ channel, member, mutedUntil }: { channel: Channel; member: Member; mutedUntil: number | undefined }) {
  const c = client.value!;
  const name = member.display_name;
  const act = (fn: () => Promise<unknown>, said: string) =>
    void fn().then(
      () => ((memberNotice.value = said), moderationChanged.value++),
      (err: Error) => void (error.value = err.message),
    );
  return (
    <>
      {mutedUntil ? (
        <>
          <span class="muted">muted until {until(mutedUntil)}</span>
          <button type="button" class="link" aria-label={`Unmute ${name}`} onClick={() => act(() => c.unmute(channel.id, member.user_id), `${name} may post again.`)}>
            Unmute
          </button>
        </>
      ) : (
        <button type="button" class="link" aria-label={`Mute ${name}`} onClick={() => act(() => c.mute(channel.id, member.user_id, MUTE_S), `${name} is muted for 10 minutes.`)}>
          Mute
        </button>
      )}
      <button type="button" class="link danger" aria-label={`Ban ${name}`} onClick={() => act(() => c.ban(channel.id, member.user_id), `${name} is banned.`)}>
        Ban
      </button>
    </>
  );
}

export function MemberNotice() {
  if (!memberNotice.value) return null;
  return (
    <p class="moderation-done" role="status">
      {memberNotice.value}
    </p>
  );
}
