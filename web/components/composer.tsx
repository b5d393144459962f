import { useEffect, useRef, useState } from "preact/hooks";
import type { Attachment } from "../../sdk/index";
import { activeChannel, client, error, me, members, send, typed } from "../store";

interface Upload {
  id: number;
  name: string;
  progress: number;
  preview: string | null;
  done: Attachment | null;
  failed: boolean;
  result: Promise<Attachment | null>;
}

let nextUpload = 0;

/** "@que" right before the caret: the query being completed, or null. */
function mentionQuery(text: string, caret: number): string | null {
  return /(?:^|\s)@([^\s@]{0,30})$/.exec(text.slice(0, caret))?.[1] ?? null;
}

/**
 * Enter sends, Shift+Enter starts a new line; files upload as soon as they are picked. Typing "@"
 * offers the channel's members (↑/↓, Enter or Tab picks, Escape closes). In a thread (`parentId`)
 * it sends replies: textbox "Reply", button "Send reply", no attachments.
 */
export function Composer({ parentId }: { parentId?: string } = {}) {
  const [body, setBody] = useState("");
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [query, setQuery] = useState<string | null>(null);
  const [pick_, setPick] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const channel = activeChannel.value;
  useEffect(() => {
    if (parentId) input.current?.focus(); // opening a thread is for replying
  }, [parentId]);
  const candidates =
    query === null
      ? []
      : members.value.filter((m) => m.user_id !== me.value?.id && m.display_name.toLowerCase().startsWith(query.toLowerCase())).slice(0, 6);

  const complete = (name: string) => {
    const el = input.current!;
    const caret = el.selectionStart ?? body.length;
    const before = body.slice(0, caret).replace(/@[^\s@]*$/, `@${name} `);
    const next = before + body.slice(caret);
    setBody(next);
    setQuery(null);
    requestAnimationFrame(() => (el.focus(), el.setSelectionRange(before.length, before.length)));
  };

  const update = (id: number, patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...patch } : u)));

  const pick = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const id = nextUpload++;
      const preview = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      const result = client
        .value!.upload(file, { onProgress: ({ loaded, total }) => update(id, { progress: total ? loaded / total : 0 }) })
        .then((done) => (update(id, { done, progress: 1 }), done))
        .catch((err: Error) => {
          update(id, { failed: true });
          error.value = `Upload failed: ${err.message}`;
          return null;
        });
      setUploads((list) => [...list, { id, name: file.name, progress: 0, preview, done: null, failed: false, result }]);
    }
  };

  // Sending while files still upload is fine: the message goes once they are stored.
  const submit = async () => {
    const text = body;
    const files = uploads.filter((u) => !u.failed);
    if (!text.trim() && files.length === 0) return;
    setBody("");
    setUploads([]);
    input.current?.focus();
    const stored = (await Promise.all(files.map((u) => u.result))).filter((a) => a !== null);
    for (const u of files) if (u.preview) URL.revokeObjectURL(u.preview);
    setQuery(null);
    if (parentId) return void send(text, [], undefined, parentId);
    if (text.trim() || stored.length > 0) void send(text, stored.map((a) => ({ asset_id: a.asset_id })));
  };

  return (
    <form
      class={`composer ${parentId ? "thread-composer" : ""}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {uploads.length > 0 && (
        <ul class="uploads" aria-label="Attachments">
          {uploads.map((u) => (
            <li key={u.id} class={u.failed ? "failed" : ""}>
              {u.preview && <img src={u.preview} alt="" />}
              <span>{u.name}</span>
              {u.done ? <span class="muted">ready</span> : <progress max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />}
              <button type="button" class="link" aria-label={`Remove ${u.name}`} onClick={() => setUploads((l) => l.filter((x) => x.id !== u.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {candidates.length > 0 && (
        <ul class="mention-picker" role="listbox" aria-label="Mention someone">
          {candidates.map((m, i) => (
            <li
              key={m.user_id}
              role="option"
              aria-selected={i === pick_}
              onMouseDown={(e) => (e.preventDefault(), complete(m.display_name))}
            >
              @{m.display_name} <span class="muted">{m.user_id}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="row">
        {!parentId && <label class="attach" title="Attach files">
          <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
            <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 01-7.8-7.8l8.6-8.6a3.7 3.7 0 015.2 5.2l-8.6 8.6a1.8 1.8 0 01-2.6-2.6l7.9-7.9" />
          </svg>
          <input type="file" multiple aria-label="Attach files" onChange={(e) => (pick(e.currentTarget.files), (e.currentTarget.value = ""))} />
        </label>}
        <textarea
          ref={input}
          aria-label={parentId ? "Reply" : "Message"}
          placeholder={parentId ? "Reply in thread" : channel ? `Message ${channel.type === "dm" ? channel.other_user_name ?? "" : `#${channel.name}`}` : "Message"}
          rows={1}
          value={body}
          onInput={(e) => {
            const el = e.currentTarget;
            setBody(el.value);
            const q = mentionQuery(el.value, el.selectionStart ?? el.value.length);
            if (q !== query) setPick(0);
            setQuery(q);
            if (!parentId) typed();
          }}
          onBlur={() => setQuery(null)}
          onKeyDown={(e) => {
            if (candidates.length > 0) {
              if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                e.preventDefault();
                setPick((i) => (i + (e.key === "ArrowDown" ? 1 : candidates.length - 1)) % candidates.length);
                return;
              }
              if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                complete(candidates[Math.min(pick_, candidates.length - 1)]!.display_name);
                return;
              }
              if (e.key === "Escape") return void setQuery(null);
            }
            // isComposing: Enter that confirms an IME composition (Japanese, Chinese…) must not send.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button type="submit">{parentId ? "Send reply" : "Send"}</button>
      </div>
    </form>
  );
}
