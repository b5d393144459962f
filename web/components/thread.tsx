import { useLayoutEffect, useRef } from "preact/hooks";
import { activeChannel, thread } from "../store";
import { Composer } from "./composer";
import { MessageItem } from "./message-list";
import { MutedLine, mutedIn } from "./standing";

/** A thread beside the channel: the root, its replies (live), and a composer that replies. */
export function ThreadPane() {
  const t = thread.value;
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [t?.replies.length]);
  if (!t) return null;
  const channel = activeChannel.value;
  const muted = channel && mutedIn(channel); // replies are refused too
  return (
    <aside class="thread" aria-label="Thread">
      <header class="thread-header">
        <h2>Thread</h2>
        <button type="button" class="link" aria-label="Close thread" onClick={() => (thread.value = null)}>
          ✕
        </button>
      </header>
      <div class="thread-root">
        <MessageItem m={t.root} grouped={false} inThread />
        <div class="muted thread-count">
          {t.root.reply_count} {t.root.reply_count === 1 ? "reply" : "replies"}
        </div>
      </div>
      <div class="log" role="log" aria-label="Replies" ref={ref} tabIndex={0}>
        {t.loading && t.replies.length === 0 && <div class="muted center">Loading replies…</div>}
        {t.replies.map((r, i) => (
          <MessageItem key={r.id} m={r} inThread grouped={i > 0 && t.replies[i - 1]!.sender_id === r.sender_id && r.created_at - t.replies[i - 1]!.created_at < 300} />
        ))}
      </div>
      {muted && channel ? <MutedLine channelId={channel.id} mutedUntil={muted} /> : <Composer key={t.root.id} parentId={t.root.id} />}
    </aside>
  );
}
