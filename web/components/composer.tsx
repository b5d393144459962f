import { useRef, useState } from "preact/hooks";
import type { Attachment } from "../../sdk";
import { activeChannel, client, error, send, typed } from "../store";

interface Upload {
  id: number;
  name: string;
  progress: number;
  preview: string | null;
  done: Attachment | null;
  failed: boolean;
}

let nextUpload = 0;

/** Enter sends, Shift+Enter starts a new line; files upload as soon as they are picked. */
export function Composer() {
  const [body, setBody] = useState("");
  const [uploads, setUploads] = useState<Upload[]>([]);
  const input = useRef<HTMLTextAreaElement>(null);
  const channel = activeChannel.value;
  const busy = uploads.some((u) => !u.done && !u.failed);

  const update = (id: number, patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...patch } : u)));

  const pick = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const id = nextUpload++;
      const preview = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      setUploads((list) => [...list, { id, name: file.name, progress: 0, preview, done: null, failed: false }]);
      client
        .value!.upload(file, { onProgress: ({ loaded, total }) => update(id, { progress: total ? loaded / total : 0 }) })
        .then((done) => update(id, { done, progress: 1 }))
        .catch((err: Error) => {
          update(id, { failed: true });
          error.value = `Upload failed: ${err.message}`;
        });
    }
  };

  const submit = () => {
    const text = body;
    const ready = uploads.filter((u) => u.done);
    if (busy || (!text.trim() && ready.length === 0)) return;
    setBody("");
    setUploads([]);
    for (const u of ready) if (u.preview) URL.revokeObjectURL(u.preview);
    void send(text, ready.map((u) => ({ asset_id: u.done!.asset_id })));
    input.current?.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {uploads.length > 0 && (
        <ul class="uploads" aria-label="Attachments">
          {uploads.map((u) => (
            <li key={u.id} class={u.failed ? "failed" : ""}>
              {u.preview && <img src={u.preview} alt="" />}
              <span>{u.name}</span>
              <progress max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />
              <button type="button" class="link" aria-label={`Remove ${u.name}`} onClick={() => setUploads((l) => l.filter((x) => x.id !== u.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="row">
        <label class="attach" title="Attach files">
          <span aria-hidden="true">📎</span>
          <input type="file" multiple aria-label="Attach files" onChange={(e) => (pick(e.currentTarget.files), (e.currentTarget.value = ""))} />
        </label>
        <textarea
          ref={input}
          aria-label="Message"
          placeholder={channel ? `Message ${channel.type === "dm" ? channel.other_user_name ?? "" : `#${channel.name}`}` : "Message"}
          rows={1}
          value={body}
          onInput={(e) => {
            setBody(e.currentTarget.value);
            typed();
          }}
          onKeyDown={(e) => {
            // isComposing: Enter that confirms an IME composition (Japanese, Chinese…) must not send.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" disabled={busy}>Send</button>
      </div>
    </form>
  );
}
