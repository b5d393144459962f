import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Message } from "../../sdk";
import { activeId, client, error, hasMore, loadingOlder, loadOlder, me, messages, pending, send } from "../store";
import { AttachmentView } from "./attachment";

/** Emotes offered for reactions (asset ids are the app's own; these four stand in for a picker). */
export const EMOTES: Record<string, string> = { "1": "👍", "2": "❤️", "3": "😂", "4": "🎉" };

export function MessageList() {
  const ref = useRef<HTMLDivElement>(null);
  const pinnedToBottom = useRef(true);
  const heightBefore = useRef<number | null>(null);
  const list = messages.value;
  const mine = pending.value.filter((p) => p.channelId === activeId.value);

  // Keep the view at the bottom as messages arrive, unless the reader scrolled up; after older
  // messages are prepended, keep the same message under the reader's eyes.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (heightBefore.current !== null) {
      el.scrollTop += el.scrollHeight - heightBefore.current;
      heightBefore.current = null;
    } else if (pinnedToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    if (list.length > 0 && performance.getEntriesByName("first-message").length === 0) performance.mark("first-message");
  }, [list, mine.length]);

  useEffect(() => {
    pinnedToBottom.current = true;
  }, [activeId.value]);

  const onScroll = () => {
    const el = ref.current!;
    pinnedToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 120 && hasMore.value && !loadingOlder.value) {
      heightBefore.current = el.scrollHeight;
      void loadOlder().catch(() => (heightBefore.current = null));
    }
  };

  return (
    <div class="log" role="log" aria-label="Messages" ref={ref} onScroll={onScroll} tabIndex={0}>
      {hasMore.value && <div class="muted center">{loadingOlder.value ? "Loading older messages…" : "Scroll up for older messages"}</div>}
      {!hasMore.value && list.length > 0 && <div class="muted center">This is the beginning of the conversation.</div>}
      {list.map((m, i) => (
        <MessageItem key={m.id} m={m} grouped={i > 0 && list[i - 1]!.sender_id === m.sender_id && m.created_at - list[i - 1]!.created_at < 300} />
      ))}
      {mine.map((p) => (
        <article key={p.key} class={`message pending ${p.failed ? "failed" : ""}`} aria-label={`${me.value?.display_name}, ${p.failed ? "not sent" : "sending"}`}>
          <div class="meta">
            <strong>{me.value?.display_name}</strong> <span class="muted">{p.failed ? "Not sent" : "Sending…"}</span>
          </div>
          <div class="body">{p.body}</div>
          {p.failed && <button type="button" onClick={() => void send(p.body, [], p.key)}>Retry</button>}
        </article>
      ))}
    </div>
  );
}

function time(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function MessageItem({ m, grouped }: { m: Message; grouped: boolean }) {
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const own = m.sender_id === me.value?.id;
  const c = client.value!;
  const act = (fn: () => Promise<unknown>) => void fn().catch((err: Error) => (error.value = err.message));

  if (m.deleted) {
    return (
      <article class="message deleted" aria-label={`${m.sender_name}, deleted message`}>
        <span class="muted">Message deleted</span>
      </article>
    );
  }
  return (
    <article class={`message ${grouped ? "grouped" : ""}`} aria-label={`${m.sender_name} at ${time(m.created_at)}`}>
      {!grouped && (
        <div class="meta">
          <strong>{m.sender_name}</strong> <time dateTime={new Date(m.created_at * 1000).toISOString()}>{time(m.created_at)}</time>
        </div>
      )}
      {editing ? (
        <EditBox m={m} done={() => setEditing(false)} />
      ) : (
        // Extension point: mentions and inline emotes render here (renderBody).
        m.body && (
          <div class="body">
            {m.body}
            {m.edited_at && <span class="muted"> (edited)</span>}
          </div>
        )
      )}
      {m.attachments.length > 0 && (
        <div class="attachments">
          {m.attachments.map((a) => (
            <AttachmentView key={a.asset_id} channelId={m.channel_id} messageId={m.id} attachment={a} />
          ))}
        </div>
      )}
      {m.reactions.length > 0 && (
        <div class="reactions">
          {m.reactions.map((r) => {
            const mineToo = r.user_ids.includes(me.value?.id ?? "");
            return (
              <button
                type="button"
                key={r.emote_asset_id}
                class="reaction"
                aria-pressed={mineToo}
                aria-label={`${EMOTES[r.emote_asset_id] ?? r.emote_asset_id} ${r.count}`}
                onClick={() => act(() => (mineToo ? c.unreact(m.channel_id, m.id, r.emote_asset_id) : c.react(m.channel_id, m.id, r.emote_asset_id)))}
              >
                {EMOTES[r.emote_asset_id] ?? `:${r.emote_asset_id}:`} {r.count}
              </button>
            );
          })}
        </div>
      )}
      {/* Extension point: reply in thread (reply_count), pin, and read receipts go with these actions. */}
      <div class="actions">
        <button type="button" onClick={() => setPicking(!picking)} aria-expanded={picking}>React</button>
        {own && <button type="button" onClick={() => setEditing(true)}>Edit</button>}
        {own && <button type="button" onClick={() => act(() => c.delete(m.channel_id, m.id))}>Delete</button>}
        {picking && (
          <span class="picker">
            {Object.entries(EMOTES).map(([id, emoji]) => (
              <button type="button" key={id} aria-label={`React with ${emoji}`} onClick={() => (setPicking(false), act(() => c.react(m.channel_id, m.id, id)))}>
                {emoji}
              </button>
            ))}
          </span>
        )}
      </div>
    </article>
  );
}

function EditBox({ m, done }: { m: Message; done: () => void }) {
  const [body, setBody] = useState(m.body);
  const save = () => void client.value!.edit(m.channel_id, m.id, body).then(done, (err: Error) => (error.value = err.message));
  return (
    <form class="edit" onSubmit={(e) => (e.preventDefault(), save())}>
      <textarea
        aria-label="Edit message"
        value={body}
        onInput={(e) => setBody(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) (e.preventDefault(), save());
          if (e.key === "Escape") done();
        }}
        ref={(el) => el?.focus()}
      />
      <button type="submit">Save</button>
      <button type="button" class="secondary" onClick={done}>Cancel</button>
    </form>
  );
}
