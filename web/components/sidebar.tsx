import { useState } from "preact/hooks";
import { activeId, channelName, channels, client, error, me, openChannel, refreshChannels, runSearch, signOut, view } from "../store";
import { SearchBox } from "./search";
import { NotificationsMenu } from "./push-controls";
import { DeleteAccount } from "./delete-account";

export function Sidebar() {
  return (
    <aside class="sidebar">
      <div class="me">
        <span class="avatar" aria-hidden="true">{(me.value?.display_name ?? "?").slice(0, 1).toUpperCase()}</span>
        <span class="me-name">{me.value?.display_name}</span>
        <button type="button" class="link" onClick={signOut}>Sign out</button>
      </div>
      <NotificationsMenu />
      <DeleteAccount />
      <SearchBox onSearch={(q) => void runSearch(q)} />
      <nav aria-label="Channels">
        <ul>
          {channels.value.map((ch) => (
            <li key={ch.id} class={ch.id === activeId.value && view.value === "chat" ? "active" : ""}>
              <a
                href={`#/c/${ch.id}`}
                aria-current={ch.id === activeId.value ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  void openChannel(ch.id);
                }}
              >
                <span aria-hidden="true" class="kind">{ch.type === "dm" ? "@" : "#"}</span>
                {channelName(ch)}
              </a>
              {(ch.mention_count ?? 0) > 0 && (
                <span class="mentions" role="img" aria-label={`${ch.mention_count} mention${ch.mention_count === 1 ? "" : "s"}`} title={`${ch.mention_count} unread mentions`}>
                  @{ch.mention_count}
                </span>
              )}
              {ch.unread_count > 0 && <span class="badge" title={`${ch.unread_count} unread`}>{ch.unread_count}</span>}
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" class="secondary" onClick={() => (view.value = "rooms")}>Discover rooms</button>
      <NewDm />
      <NewGroup />
    </aside>
  );
}

function NewDm() {
  const [userId, setUserId] = useState("");
  return (
    <form
      class="new"
      aria-label="New direct message"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const ch = await client.value!.createDm(userId.trim());
          setUserId("");
          await refreshChannels();
          await openChannel(ch.id);
        } catch (err) {
          error.value = (err as Error).message;
        }
      }}
    >
      <label>
        Direct message to (user id)
        <input value={userId} onInput={(e) => setUserId(e.currentTarget.value)} required />
      </label>
      <button type="submit">Start DM</button>
    </form>
  );
}

function NewGroup() {
  const [name, setName] = useState("");
  const [members, setMembers] = useState("");
  return (
    <form
      class="new"
      aria-label="New group"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const ids = members.split(/[\s,]+/).filter(Boolean);
          const ch = await client.value!.createGroup(name.trim(), ids);
          setName("");
          setMembers("");
          await refreshChannels();
          await openChannel(ch.id);
        } catch (err) {
          error.value = (err as Error).message;
        }
      }}
    >
      <label>
        Group name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      <label>
        Members (user ids)
        <input value={members} onInput={(e) => setMembers(e.currentTarget.value)} placeholder="bob, carol" />
      </label>
      <button type="submit">Create group</button>
    </form>
  );
}
