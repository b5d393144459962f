// Push notification controls, kept in one file: "Enable notifications" and do-not-disturb in the user
// menu, and the notification level in a channel's header. The API does the deciding (DESIGN §16).
import { useEffect, useState } from "preact/hooks";
import type { Channel } from "../../sdk/index";
import { client, me, openChannel } from "../store";
import { enableNotifications, notificationsEnabled, onOpenChannel, pushSupported, registerWorker } from "../push/push";

const DND_CHOICES = [
  { label: "Off", hours: 0 },
  { label: "1 hour", hours: 1 },
  { label: "8 hours", hours: 8 },
  { label: "24 hours", hours: 24 },
];

/** In the user menu: turn pushes on for this browser; silence them for a while. */
export function NotificationsMenu() {
  const [enabled, setEnabled] = useState(notificationsEnabled());
  const [problem, setProblem] = useState<string | null>(null);
  const [dnd, setDnd] = useState<string | null>((me.value as { dnd_until?: string | null } | null)?.dnd_until ?? null);

  // A click on a notification while the app is open opens the channel here.
  useEffect(() => {
    if (pushSupported() && notificationsEnabled()) void registerWorker().catch(() => {});
    return onOpenChannel((id) => void openChannel(id));
  }, []);

  const c = client.value;
  if (!c) return null;
  const enable = async () => {
    setProblem(null);
    try {
      await enableNotifications(c);
      setEnabled(true);
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  const silence = async (hours: number) => {
    const until = hours ? new Date(Date.now() + hours * 3600_000).toISOString() : null;
    const res = await c.api.v1.users.me.$put({ json: { dnd_until: until } });
    if (res.ok) setDnd((await res.json()).dnd_until);
  };
  const dndActive = dnd !== null && Date.parse(dnd) > Date.now();
  return (
    <div class="push-menu">
      {enabled ? (
        <span class="muted">Notifications on</span>
      ) : (
        <button type="button" class="link" onClick={() => void enable()}>Enable notifications</button>
      )}
      <label>
        Do not disturb{" "}
        <select aria-label="Do not disturb" onChange={(e) => void silence(Number((e.target as HTMLSelectElement).value))}>
          {DND_CHOICES.map((d) => (
            <option key={d.hours} value={d.hours} selected={d.hours === 0 ? !dndActive : false}>{d.label}</option>
          ))}
        </select>
      </label>
      {dndActive && <span class="muted" title={dnd!}> until {new Date(dnd!).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>}
      {problem && <p role="alert" class="error">{problem}</p>}
    </div>
  );
}

/** In a channel's header: this member's push level (the server answers the level in force). */
export function ChannelNotifications({ channel }: { channel: Pick<Channel, "id"> }) {
  const [level, setLevel] = useState<string>("");
  const c = client.value;
  // The level in force when the channel opens (GET …/members/me), so the select shows it.
  useEffect(() => {
    setLevel("");
    if (!c) return;
    let current = true;
    void c.api.v1.channels[":channelID"].members.me.$get({ param: { channelID: channel.id } }).then(async (res) => {
      if (!res.ok || !current) return;
      const body = await res.json();
      setLevel(body.notifications_default ? "default" : body.notifications);
    });
    return () => void (current = false);
  }, [channel.id, c]);
  if (!c) return null;
  const choose = async (value: string) => {
    const res = await c.api.v1.channels[":channelID"].members.me.$put({ param: { channelID: channel.id }, json: { notifications: value === "default" ? null : (value as "all" | "mentions" | "none") } });
    if (res.ok) {
      const body = await res.json();
      setLevel(body.notifications_default ? "default" : body.notifications);
    }
  };
  return (
    <select class="channel-notifications" aria-label="Notifications for this channel" value={level} onChange={(e) => void choose((e.target as HTMLSelectElement).value)}>
      <option value="" disabled>Notifications…</option>
      <option value="default">Default</option>
      <option value="all">All messages</option>
      <option value="mentions">Mentions only</option>
      <option value="none">Nothing</option>
    </select>
  );
}
