import { channelName, channels, openChannel, search, view } from "../store";
import { renderBody, time } from "./message-list";

/** The search box (sidebar): full-text over every channel you are in. */
export function SearchBox({ onSearch }: { onSearch(q: string): void }) {
  return (
    <form
      role="search"
      aria-label="Search messages"
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        const q = new FormData(e.currentTarget).get("q");
        if (typeof q === "string") onSearch(q);
      }}
    >
      <input name="q" type="search" aria-label="Search messages" placeholder="Search messages" required maxLength={200} />
    </form>
  );
}

/** Search results, newest first; a click opens the channel. */
export function SearchResults() {
  const s = search.value;
  if (!s) return null;
  return (
    <section class="search-results" aria-label="Search results">
      <header class="channel-header">
        <h1>Results for “{s.q}”</h1>
        <button type="button" class="secondary" onClick={() => (view.value = "chat")}>Back</button>
      </header>
      {s.error && <p class="error-text">{s.error}</p>}
      {s.results === null ? (
        <p class="muted center">Searching…</p>
      ) : s.results.length === 0 ? (
        <p class="muted center">No messages found.</p>
      ) : (
        <ul class="result-list">
          {s.results.map((m) => {
            const ch = channels.value.find((c) => c.id === m.channel_id);
            const where = ch ? (ch.type === "dm" ? channelName(ch) : `# ${channelName(ch)}`) : "a channel";
            return (
              <li key={m.id}>
                <button type="button" class="result" onClick={() => void openChannel(m.channel_id)} aria-label={`${m.sender_name} in ${where}: ${m.body}`}>
                  <span class="muted">
                    {where} · {m.sender_name} · {time(m.created_at)}
                    {m.parent_id ? " · in a thread" : ""}
                  </span>
                  <span class="body">{renderBody(m)}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
