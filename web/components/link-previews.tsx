// Link previews under a message (DESIGN §18): title, site, description and the image, all as the
// server fetched them; the image is the server's signed copy (a path on this origin), so the linked
// site never learns who reads. Links open in a new tab without a referrer.
import type { Message } from "../../sdk/index";

type Preview = NonNullable<Message["previews"]>[number];

export function LinkPreviews({ previews }: { previews: Message["previews"] | undefined }) {
  if (!previews?.length) return null;
  return (
    <div class="link-previews">
      {previews.map((p) => (
        <PreviewCard key={p.url} p={p} />
      ))}
    </div>
  );
}

function PreviewCard({ p }: { p: Preview }) {
  const host = (() => {
    try {
      return new URL(p.url).host;
    } catch {
      return p.url;
    }
  })();
  return (
    <a class="link-preview" href={p.url} target="_blank" rel="noopener noreferrer" aria-label={`Link preview: ${p.title ?? host}`}>
      {p.image_url && <img src={p.image_url} alt="" loading="lazy" width={72} height={72} />}
      <span class="link-preview-text">
        <span class="site">{p.site_name ?? host}</span>
        {p.title && <strong class="title">{p.title}</strong>}
        {p.description && <span class="description">{p.description}</span>}
      </span>
    </a>
  );
}
