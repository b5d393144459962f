// The service worker (served as /sw.js): shows a push as a notification (title, "sender: body") and,
// when it is clicked, focuses an open tab of the app and opens the channel there, or opens a new one
// at the channel's link (#/c/<id>, which the app opens on start). Nothing else: no caching.
// WebWorker's lib types `self` as a plain worker; this file runs as a service worker.
const sw = self as unknown as ServiceWorkerGlobalScope;
export {};

interface Payload {
  type: string;
  channel_id: string;
  message_id: string;
  sender_name: string;
  title: string;
  body: string;
}

sw.addEventListener("install", () => void sw.skipWaiting());
sw.addEventListener("activate", (event) => event.waitUntil(sw.clients.claim()));

sw.addEventListener("push", (event) => {
  let p: Payload;
  try {
    p = event.data?.json() as Payload;
  } catch {
    return;
  }
  if (p?.type !== "message") return;
  // In a DM the title is the sender already.
  const body = p.title === p.sender_name ? p.body : `${p.sender_name}: ${p.body}`;
  event.waitUntil(
    sw.registration.showNotification(p.title, { body, tag: `channel-${p.channel_id}`, data: { channel_id: p.channel_id, message_id: p.message_id } }),
  );
});

sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const channelId = (event.notification.data as { channel_id?: string } | null)?.channel_id;
  if (!channelId) return;
  const url = new URL(`/#/c/${channelId}`, sw.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
      const tab = windows.find((w) => new URL(w.url).origin === sw.location.origin);
      if (tab) {
        // The message first: focusing can be refused (no user activation), the channel still opens.
        tab.postMessage({ type: "open-channel", channel_id: channelId });
        await tab.focus().catch(() => undefined);
        return;
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
