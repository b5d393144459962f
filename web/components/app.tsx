import { useEffect, useState } from "preact/hooks";
import { loadSession } from "../session";
import { activeChannel, channelName, connection, error, me, start, view } from "../store";
import { Composer } from "./composer";
import { MessageList } from "./message-list";
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
  return (
    <div class="shell">
      <Sidebar />
      <main class="main">
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
        {view.value === "rooms" ? (
          <Rooms />
        ) : channel ? (
          <>
            <header class="channel-header">
              <h1>{channel.type === "dm" ? channelName(channel) : `# ${channelName(channel)}`}</h1>
              <span class="muted">{channel.type === "dm" ? "Direct message" : channel.type}</span>
              {/* Extension point: search, pins and presence go in this header. */}
            </header>
            <MessageList />
            <TypingLine />
            <Composer />
          </>
        ) : (
          <div class="empty">
            <h1>Welcome, {me.value.display_name}</h1>
            <p>Start a direct message or a group on the left, or discover rooms.</p>
          </div>
        )}
      </main>
    </div>
  );
}
