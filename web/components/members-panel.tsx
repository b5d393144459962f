import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import type { Channel, Member, Person } from "../../sdk/index";
import { activeId, channelName, client, error, me, members as mentionable, refreshChannels } from "../store";
import { expectRemoval } from "../moderation";
import { MemberModeration, MemberNotice, useMutes } from "./member-moderation";
import { PeoplePicker } from "./people-picker";

/** Whether the members panel is open (it stays open from one group to the next). */
export const membersOpen = signal(false);

/** The header's toggle, for groups and rooms (a DM's two members are in its name). */
export function MembersButton({ channel }: { channel: Channel }) {
  if (channel.type === "dm") return null;
  return (
    <button type="button" class="secondary header-toggle" aria-expanded={membersOpen.value} onClick={() => (membersOpen.value = !membersOpen.value)}>
      Members
    </button>
  );
}

const act = (fn: () => Promise<unknown>) => fn().catch((err: Error) => void (error.value = err.message));

/**
 * A group's or room's members, live (member_* and channel_update on the channel socket), with what
 * the server lets you do: owner and admins add people (found by name), mute, ban and remove members
 * and rename; anyone but the owner leaves. The server decides; the buttons only follow its rules (members.routes.ts).
 */
export function MembersPanel({ channel }: { channel: Channel }) {
  const [list, setList] = useState<Member[] | null>(null);
  const load = () =>
    client.value!.members(channel.id, { limit: 1000 }).then((all) => {
      setList(all);
      mentionable.value = all; // the composer's @-completion offers whoever is in now
    }, (err: Error) => void (error.value = err.message));

  useEffect(() => {
    void load();
    const c = client.value!;
    const mine = ({ channelId }: { channelId: string }) => channelId === channel.id && void load();
    // Our own removal (leaving, or being removed) ends the view: there is no list left to read.
    const removed = (e: { channelId: string; data: { user_id: string } }) => e.data.user_id !== me.value?.id && mine(e);
    const offs = [c.on("member_add", mine), c.on("member_remove", removed), c.on("member_update", mine)];
    return () => offs.forEach((off) => off());
  }, [channel.id]);

  const myRole = list?.find((m) => m.user_id === me.value?.id)?.role;
  const manages = myRole === "owner" || myRole === "admin";
  // Whom you may remove, mute or ban: not yourself, not the owner, and admins only if you own it.
  const removable = (m: Member) => manages && m.user_id !== me.value?.id && m.role !== "owner" && (myRole === "owner" || m.role !== "admin");
  const [mutes] = useMutes(channel.id, manages);

  return (
    <section class="members" aria-label="Members">
      {list === null ? (
        <p class="muted">Loading members…</p>
      ) : (
        <ul class="member-list">
          {list.map((m) => (
            <li key={m.user_id}>
              <span class="member-name">
                {m.display_name}
                {m.user_id === me.value?.id && " (you)"}
              </span>
              {m.role !== "member" && <span class="muted">{m.role}</span>}
              {removable(m) && <MemberModeration channel={channel} member={m} mutedUntil={mutes.get(m.user_id)} />}
              {removable(m) && (
                <button type="button" class="link" aria-label={`Remove ${m.display_name}`} onClick={() => void act(() => client.value!.removeMember(channel.id, m.user_id).then(load))}>
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <MemberNotice />
      {manages && <AddPeople channel={channel} members={list ?? []} added={load} />}
      {manages && <Rename channel={channel} />}
      {myRole && myRole !== "owner" && <Leave channel={channel} />}
      {myRole === "owner" && <p class="muted">You own this {channel.type}: hand ownership to someone before you can leave it.</p>}
    </section>
  );
}

function AddPeople({ channel, members, added }: { channel: Channel; members: Member[]; added: () => Promise<void> }) {
  const [people, setPeople] = useState<Person[]>([]);
  return (
    <form
      class="members-form"
      aria-label="Add people"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          for (const p of people) await client.value!.addMember(channel.id, p.id);
          setPeople([]);
          await added();
        });
      }}
    >
      <PeoplePicker label="Add people" picked={people} onChange={setPeople} exclude={members.map((m) => m.user_id)} />
      <button type="submit" disabled={people.length === 0}>Add</button>
    </form>
  );
}

function Rename({ channel }: { channel: Channel }) {
  const [name, setName] = useState(channel.name);
  return (
    <form
      class="members-form inline"
      aria-label="Rename"
      onSubmit={(e) => {
        e.preventDefault();
        // The list and the header follow from channel_update on the user socket; refetch in case it trails.
        void act(() => client.value!.rename(channel.id, name.trim()).then(() => refreshChannels()));
      }}
    >
      <label>
        Channel name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} />
      </label>
      <button type="submit" disabled={name.trim() === "" || name.trim() === channel.name}>Rename</button>
    </form>
  );
}

/** Leaving takes a second click: there is no way back in without being added again (or, for a room, joining). */
function Leave({ channel }: { channel: Channel }) {
  const [asking, setAsking] = useState(false);
  const leave = () =>
    act(async () => {
      expectRemoval(channel.id); // your own leaving needs no "you were removed" notice
      await client.value!.leave(channel.id);
      if (activeId.value === channel.id) activeId.value = null;
      await refreshChannels();
    });
  if (!asking) {
    return (
      <button type="button" class="secondary" onClick={() => setAsking(true)}>
        Leave {channel.type}
      </button>
    );
  }
  return (
    <p class="confirm" role="group" aria-label="Confirm leaving">
      Leave “{channelName(channel)}”? You will need to be added again to come back.{" "}
      <button type="button" onClick={() => void leave()}>Leave</button>{" "}
      <button type="button" class="secondary" onClick={() => setAsking(false)}>Stay</button>
    </p>
  );
}
