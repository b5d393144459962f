import { LinkPreviews } from "./link-previews";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Message } from "../../sdk/index";
import type { ComponentChildren } from "preact";
import { activeChannel, activeId, client, error, hasMore, loadingOlder, loadOlder, me, members, messages, openThread, otherRead, pending, send } from "../store";
import { AttachmentView } from "./attachment";
import { RemindMe } from "./scheduled";
import { ReportForm } from "./report";

/** Quick reactions: emoji are valid `emote_asset_id`s themselves (one RGI emoji each). */
export const QUICK_REACTIONS = ["👍", "❤️", "😂"];
/** Older messages may carry the numeric asset ids this client used before emoji reactions. */
const LEGACY_EMOTES: Record<string, string> = { "1": "👍", "2": "❤️", "3": "😂", "4": "🎉" };
const emoji = (id: string) => LEGACY_EMOTES[id] ?? (/^\d+$/.test(id) ? `:${id}:` : id);

export function MessageList() {
  const ref = useRef<HTMLDivElement>(null);
  const pinnedToBottom = useRef(true);
  const heightBefore = useRef<number | null>(null);
  const list = messages.value;
  const mine = pending.value.filter((p) => p.channelId === activeId.value);
  // Read receipts in DMs: "Seen" under your last message the other member has read.
  const cursor = activeChannel.value?.type === "dm" ? otherRead.value : null;
  const seenId = cursor ? list.findLast((m) => m.sender_id === me.value?.id && !m.deleted && m.id <= cursor)?.id : undefined;

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
        <MessageItem
          key={m.id}
          m={m}
          seen={m.id === seenId}
          grouped={i > 0 && list[i - 1]!.sender_id === m.sender_id && m.created_at - list[i - 1]!.created_at < 300}
        />
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

export function time(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** The body with "@Name" of each mentioned member highlighted (yours more strongly). */
export function renderBody(m: Message): ComponentChildren {
  const mentioned = members.value.filter((x) => m.mentioned_user_ids?.includes(x.user_id));
  if (mentioned.length === 0) return m.body;
  const names = mentioned.map((x) => x.display_name).sort((a, b) => b.length - a.length);
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp("(@(?:" + escaped.join("|") + "))", "g");
  return m.body.split(pattern).map((part, i) => {
    if (i % 2 === 0) return part;
    const mine = part === `@${me.value?.display_name}`;
    return (
      // "mine", not "me": the sidebar's `.me` (a flex row) would match it and break the body into lines.
      <span key={i} class={mine ? "mention mine" : "mention"}>
        {part}
      </span>
    );
  });
}

export function MessageItem({ m, grouped, seen = false, inThread = false }: { m: Message; grouped: boolean; seen?: boolean; inThread?: boolean }) {
  const [editing, setEditing] = useState(false);
  const [reporting, setReporting] = useState(false);
  const own = m.sender_id === me.value?.id;
  const c = client.value!;
  const act = (fn: () => Promise<unknown>) => void fn().catch((err: Error) => (error.value = err.message));
  const replies = !inThread && m.reply_count > 0 && (
    <button type="button" class="replies" onClick={() => act(() => openThread(m))} aria-label={`${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`}>
      {m.reply_count} {m.reply_count === 1 ? "reply" : "replies"}
    </button>
  );

  if (m.deleted) {
    return (
      <article class="message deleted" aria-label={`${m.sender_name}, deleted message`}>
        <span class="muted">{m.deleted_by === "moderator" ? "Message removed by a moderator" : "Message deleted"}</span>
        {replies}
      </article>
    );
  }
  return (
    <article class={`message ${grouped ? "grouped" : ""} ${m.pinned_at ? "pinned" : ""}`} aria-label={`${m.sender_name} at ${time(m.created_at)}`}>
      {!grouped && (
        <div class="meta">
          <strong>{m.sender_name}</strong> <time dateTime={new Date(m.created_at * 1000).toISOString()}>{time(m.created_at)}</time>
          {m.pinned_at && <span class="pin-mark" title="Pinned"> 📌 Pinned</span>}
        </div>
      )}
      {grouped && m.pinned_at && <div class="pin-mark">📌 Pinned</div>}
      {editing ? (
        <EditBox m={m} done={() => setEditing(false)} />
      ) : (
        m.body && (
          <div class="body">
            {renderBody(m)}
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
      <LinkPreviews previews={m.previews} />
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
                aria-label={`${emoji(r.emote_asset_id)} ${r.count}`}
                onClick={() => act(() => (mineToo ? c.unreact(m.channel_id, m.id, r.emote_asset_id) : c.react(m.channel_id, m.id, r.emote_asset_id)))}
              >
                {emoji(r.emote_asset_id)} {r.count}
              </button>
            );
          })}
        </div>
      )}
      {replies}
      {reporting && <ReportForm m={m} close={() => setReporting(false)} />}
      {seen && <div class="seen muted">Seen</div>}
      {/* Not while editing: the toolbar floats over the message's first line, where Save and Cancel are. */}
      {!editing && (
      <div class="actions">
        {QUICK_REACTIONS.map((e) => (
          <button type="button" key={e} aria-label={`React with ${e}`} onClick={() => act(() => c.react(m.channel_id, m.id, e))}>
            {e}
          </button>
        ))}
        {!inThread && <button type="button" onClick={() => act(() => openThread(m))}>Reply</button>}
        <button type="button" onClick={() => act(() => (m.pinned_at ? c.unpin(m.channel_id, m.id) : c.pin(m.channel_id, m.id)))}>
          {m.pinned_at ? "Unpin" : "Pin"}
        </button>
        <RemindMe m={m} />
        {own && <button type="button" onClick={() => setEditing(true)}>Edit</button>}
        {own && <button type="button" onClick={() => act(() => c.delete(m.channel_id, m.id))}>Delete</button>}
        {!own && !reporting && <button type="button" onClick={() => setReporting(true)}>Report</button>}
      </div>
      )}
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
