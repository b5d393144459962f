// Web Push in the page: register the service worker (public/sw.js, built from web/push/sw.ts),
// subscribe with the server's VAPID key, hand the subscription to the API, and undo it at sign-out.
// Kept apart from the store: the rest of the client only calls these.
import type { ChatClient } from "../../sdk/index";

const SW_URL = "/sw.js";
/** The subscription id the API gave this browser, so sign-out can delete exactly it. */
const KEY = "edge-chat.push-subscription";

export const pushSupported = () => typeof navigator !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

const base64urlToBytes = (text: string) => {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};

/** The worker, registered (idempotent); it only shows notifications and opens channels. */
export const registerWorker = () => navigator.serviceWorker.register(SW_URL, { scope: "/" });

/** Asks permission, subscribes this browser, and tells the API. Throws with a reason a person can read. */
export async function enableNotifications(client: ChatClient): Promise<void> {
  if (!pushSupported()) throw new Error("This browser cannot show push notifications");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site: allow them in the browser's settings");
  const registration = await registerWorker();
  await navigator.serviceWorker.ready;
  const res = await client.api.v1.push["vapid-public-key"].$get();
  if (!res.ok) throw new Error("This server does not send push notifications");
  const { public_key } = await res.json();
  const existing = await registration.pushManager.getSubscription();
  const subscription = existing ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64urlToBytes(public_key) }));
  const json = subscription.toJSON() as { endpoint: string; expirationTime: number | null; keys: { p256dh: string; auth: string } };
  const saved = await client.api.v1.push.subscriptions.$post({ json: { endpoint: json.endpoint, expirationTime: json.expirationTime, keys: json.keys } });
  if (saved.status !== 201 && saved.status !== 200) throw new Error("The server refused this browser's subscription");
  localStorage.setItem(KEY, (await saved.json()).id);
}

export const notificationsEnabled = () => pushSupported() && Notification.permission === "granted" && localStorage.getItem(KEY) !== null;

/** Sign-out: this browser's subscription goes, server side and browser side (best effort: signing out must not fail). */
export async function disableNotifications(client: ChatClient): Promise<void> {
  const id = localStorage.getItem(KEY);
  localStorage.removeItem(KEY);
  try {
    if (id) await client.api.v1.push.subscriptions[":subscriptionID"].$delete({ param: { subscriptionID: id } });
    const registration = pushSupported() ? await navigator.serviceWorker.getRegistration("/") : undefined;
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
  } catch {
    // Offline or already gone: the push service's 410 removes it server side later.
  }
}

/** A click on a notification in an open tab: the worker asks the page to open the channel. */
export function onOpenChannel(open: (channelId: string) => void): () => void {
  if (!pushSupported()) return () => {};
  const listener = (e: MessageEvent) => {
    if (e.data?.type === "open-channel" && typeof e.data.channel_id === "string") open(e.data.channel_id);
  };
  navigator.serviceWorker.addEventListener("message", listener);
  return () => navigator.serviceWorker.removeEventListener("message", listener);
}
