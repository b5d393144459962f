import { useState } from "preact/hooks";
import type { Person } from "../../sdk/index";
import { closeDrawer } from "../layout";
import { client, error, openChannel, refreshChannels } from "../store";
import { PeoplePicker } from "./people-picker";

/** Opens a channel just made (or reopened) and closes the drawer on a phone. */
async function opened(channelId: string) {
  await refreshChannels();
  await openChannel(channelId);
  closeDrawer();
}

export function NewDm() {
  const [to, setTo] = useState<Person[]>([]);
  return (
    <form
      class="new"
      aria-label="New direct message"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!to[0]) return void (error.value = "Pick someone to message first: type a name or user id.");
        try {
          const ch = await client.value!.createDm(to[0].id);
          setTo([]);
          await opened(ch.id);
        } catch (err) {
          error.value = (err as Error).message;
        }
      }}
    >
      <PeoplePicker label="Direct message to" picked={to} onChange={setTo} single />
      <button type="submit">Start DM</button>
    </form>
  );
}

export function NewGroup() {
  const [name, setName] = useState("");
  const [members, setMembers] = useState<Person[]>([]);
  return (
    <form
      class="new"
      aria-label="New group"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const ch = await client.value!.createGroup(name.trim(), members.map((p) => p.id));
          setName("");
          setMembers([]);
          await opened(ch.id);
        } catch (err) {
          error.value = (err as Error).message;
        }
      }}
    >
      <label>
        Group name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      <PeoplePicker label="Members" picked={members} onChange={setMembers} />
      <button type="submit">Create group</button>
    </form>
  );
}
