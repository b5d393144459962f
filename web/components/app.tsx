import { useEffect, useState } from "preact/hooks";
import { ChannelNotifications } from "./push-controls";
import { closeDrawer, drawerOpen } from "../layout";
import { loadSession } from "../session";
import type { Channel } from "../../sdk/index";
import { activeChannel, channelName, connection, error, me, online, pins, start, thread, togglePins, view } from "../store";
import { Composer } from "./composer";
import { SendLater } from "./scheduled";
import { MessageItem, MessageList } from "./message-list";
import { SearchResults } from "./search";
import { MembersButton, MembersPanel, membersOpen } from "./members-panel";
import { ModerationButton, ModerationPanel, isModerator, moderationOpen } from "./moderation-panel";
import { MutedLine, SlowModeLine, mutedIn } from "./standing";
import { removal } from "../moderation";
import { ThreadPane } from "./thread";
import { Rooms } from "./rooms";
import { Sidebar } from "./sidebar";
import { SignIn } from "./sign-in";
import { TypingLine } from "./typing-line";

export function App() {
  const [booting, setBooting] = useState(() => loadSession() !== null);
  useEffect(() => {
    const session = loadSession();
    if (session) start(session).catch(() => {}).finally(() => setBooting(false));
  }, []);
  if (booting) return <p class="boot">Loading…</p>;
  if (!me.value) return <SignIn />;
  const channel = activeChannel.value;
  const muted = channel && mutedIn(channel);
  return (
    <div class={`shell ${drawerOpen.value ? "drawer-open" : ""}`} onKeyDown={(e) => e.key === "Escape" && drawerOpen.value && closeDrawer()}>
      <Sidebar />
      {drawerOpen.value && <div class="backdrop" aria-hidden="true" onClick={closeDrawer} />}
      <main class="main">
        <TopBar />
        {connection.value === "reconnecting" && (
          <div class="banner" role="status">
            Reconnecting… messages sent meanwhile will appear when we are back.
          </div>
        )}
        {error.value && (
          <div class="banner error" role="alert">
            {error.value} <button type="button" onClick={() => (error.value = null)}>Dismiss</button>
          </div>
        )}
        {removal.value && (
          <div class="banner" role="status">
            {removal.value.text} <button type="button" onClick={() => (removal.value = null)}>Dismiss</button>
          </div>
        )}
        {view.value === "rooms" ? (
          <Rooms />
        ) : view.value === "search" ? (
          <SearchResults />
        ) : channel ? (
          <div class={`channel ${thread.value ? "with-thread" : ""}`}>
            <div class="channel-main">
              <header class="channel-header">
                <h1>{channel.type === "dm" ? channelName(channel) : `# ${channelName(channel)}`}</h1>
                <span class="muted">{channel.type === "dm" ? "Direct message" : channel.type}</span>
                <Presence channel={channel} />
                <ChannelNotifications channel={channel} />
                <button type="button" class="secondary pins-toggle" aria-expanded={pins.value !== null} onClick={() => void togglePins()}>
                  Pinned messages
                </button>
                <MembersButton channel={channel} />
                <ModerationButton channel={channel} />
              </header>
              {membersOpen.value && channel.type !== "dm" && <MembersPanel key={channel.id} channel={channel} />}
              {moderationOpen.value && isModerator(channel) && <ModerationPanel key={channel.id} channel={channel} />}
              {pins.value !== null && <PinsPanel />}
              <MessageList />
              <TypingLine />
              <SlowModeLine channel={channel} />
              {/* Muted: nothing to send now or later (a scheduled send would be refused when due). */}
              {muted ? <MutedLine channelId={channel.id} mutedUntil={muted} /> : (
                <>
                  <Composer />
                  <SendLater />
                </>
              )}
            </div>
            <ThreadPane />
          </div>
        ) : (
          <div class="empty">
            <h1>Welcome, {me.value.display_name}</h1>
            <p>
              Start a direct message or a group from the channel list
              <span class="narrow-only"> (the “Channels” button above)</span>, or discover rooms.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}

/** Only in the narrow layout (web/layout.css): the button that opens the sidebar as a drawer. */
function TopBar() {
  return (
    <div class="topbar">
      <button type="button" class="secondary" aria-expanded={drawerOpen.value} aria-controls="sidebar" onClick={() => (drawerOpen.value = !drawerOpen.value)}>
        <span aria-hidden="true">☰ </span>Channels
      </button>
    </div>
  );
}

/** Presence from the channel socket (DMs and groups ≤ 100): a dot for the other person, or a count. */
function Presence({ channel }: { channel: Channel }) {
  const set = online.value;
  if (!set || channel.type === "room") return null;
  if (channel.type === "dm") {
    const on = !!channel.other_user_id && set.has(channel.other_user_id);
    return (
      <span class="presence" role="status" aria-label={`${channelName(channel)} is ${on ? "online" : "offline"}`}>
        <span class={`dot ${on ? "on" : ""}`} aria-hidden="true" /> {on ? "Online" : "Offline"}
      </span>
    );
  }
  const others = [...set].filter((id) => id !== me.value?.id).length;
  return (
    <span class="presence" role="status" aria-label={`${others} other member${others === 1 ? "" : "s"} online`}>
      <span class={`dot ${others ? "on" : ""}`} aria-hidden="true" /> {others} online
    </span>
  );
}

function PinsPanel() {
  const list = pins.value ?? [];
  return (
    <section class="pins" aria-label="Pinned messages">
      {list.length === 0 ? <p class="muted center">No pinned messages.</p> : list.map((m) => <MessageItem key={m.id} m={m} grouped={false} inThread />)}
    </section>
  );
}
