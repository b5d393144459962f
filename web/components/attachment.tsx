import { useEffect, useState } from "preact/hooks";
import type { Attachment } from "../../sdk/index";
import { client } from "../store";

const kb = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/** An image as its 256 px WebP thumbnail (a signed URL, 1 h) linking to the original; a file as a link. */
export function AttachmentView({ channelId, messageId, attachment: a }: { channelId: string; messageId: string; attachment: Attachment }) {
  // The server decides image/* from the bytes (a fake image is stored as application/octet-stream).
  const image = a.content_type.startsWith("image/");
  const [thumb, setThumb] = useState<string | null>(null);
  const [full, setFull] = useState<string | null>(null);
  useEffect(() => {
    const c = client.value!;
    if (image) void c.attachmentUrl(channelId, messageId, a.asset_id, "256").then(setThumb, () => {});
    void c.attachmentUrl(channelId, messageId, a.asset_id, "full").then(setFull, () => {});
  }, [a.asset_id]);

  if (image) {
    const scale = Math.min(1, 256 / Math.max(a.width ?? 256, a.height ?? 256));
    return (
      <a class="thumb" href={full ?? undefined} target="_blank" rel="noopener">
        {thumb ? (
          <img
            src={thumb}
            alt={a.filename}
            width={a.width ? Math.round(a.width * scale) : undefined}
            height={a.height ? Math.round(a.height * scale) : undefined}
            // No thumbnail (e.g. a format the resizer cannot read): show the original, scaled by CSS.
            onError={() => full && thumb !== full && setThumb(full)}
          />
        ) : (
          <span class="thumb-placeholder" style={{ width: Math.round((a.width ?? 160) * scale), height: Math.round((a.height ?? 120) * scale) }} />
        )}
      </a>
    );
  }
  return (
    <a class="file" href={full ?? undefined} target="_blank" rel="noopener" download={a.filename}>
      📄 {a.filename} <span class="muted">{kb(a.size_bytes)}</span>
    </a>
  );
}
