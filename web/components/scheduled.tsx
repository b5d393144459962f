/**
 * "Send later", the list of your scheduled messages in this channel, and "Remind me" on a message
 * (DESIGN §18). Self-contained: they call the API through the SDK's typed `api` and keep their own
 * state, so the composer and the message list only mount them.
 */
import { useEffect, useState } from "preact/hooks";
import type { Message } from "../../sdk/index";
import { activeId, client, error } from "../store";

interface Scheduled {
  id: string;
  channel_id: string;
  body: string;
  send_at: number;
  status: "pending" | "failed";
  failure_code: string | null;
}

/** `datetime-local` works in local time without a zone: this is its value for a moment `ms` from now. */
const localInput = (ms: number) => {
  const d = new Date(Date.now() + ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
/** The input's local time as RFC 3339 (with the zone, so the server reads the moment the user meant). */
const toIso = (local: string) => new Date(local).toISOString();
const when = (seconds: number) => new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
const failed = (err: unknown) => (error.value = (err as Error).message);

/** A form under the composer: a message and the date and time to send it; then the channel's scheduled list. */
export function SendLater() {
  const channelId = activeId.value;
  const [open, setOpen] = useState(false);
  const [body, setBody] = useState("");
  const [at, setAt] = useState(() => localInput(3600_000));
  const [list, setList] = useState<Scheduled[]>([]);

  const refresh = async () => {
    const res = await client.value!.api.v1.users.me["scheduled-messages"].$get();
    if (res.ok) setList(((await res.json()) as { scheduled_messages: Scheduled[] }).scheduled_messages);
  };
  useEffect(() => void refresh().catch(failed), [channelId]);
  if (!channelId) return null;

  const schedule = async () => {
    if (!body.trim()) return;
    const res = await client.value!.api.v1.channels[":channelID"].messages.$post({ param: { channelID: channelId }, header: {}, json: { body, send_at: toIso(at) } });
    if (res.status !== 202) throw new Error(((await res.json()) as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`);
    setBody("");
    setOpen(false);
    await refresh();
  };
  const cancel = async (id: string) => {
    await client.value!.api.v1.users.me["scheduled-messages"][":scheduledID"].$delete({ param: { scheduledID: id } });
    await refresh();
  };
  const here = list.filter((s) => s.channel_id === channelId);

  return (
    <section class="send-later" aria-label="Scheduled messages">
      {!open && (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          Send later…
        </button>
      )}
      {open && (
        <form onSubmit={(e) => (e.preventDefault(), void schedule().catch(failed))}>
          <textarea aria-label="Scheduled message" rows={2} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          <input type="datetime-local" aria-label="Send at" value={at} min={localInput(60_000)} onInput={(e) => setAt(e.currentTarget.value)} />
          <button type="submit">Schedule</button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      )}
      {here.length > 0 && (
        <ul class="scheduled-list">
          {here.map((s) => (
            <li key={s.id} class={s.status}>
              <span class="muted">{s.status === "failed" ? `Not sent (${s.failure_code})` : `Sends ${when(s.send_at)}`}</span> {s.body}{" "}
              <button type="button" class="link" onClick={() => void cancel(s.id).catch(failed)}>
                {s.status === "failed" ? "Dismiss" : "Cancel"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "Remind me" on a message: in an hour, tomorrow at 9, or a chosen date and time. */
export function RemindMe({ m }: { m: Message }) {
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState(() => localInput(3600_000));
  const [done, setDone] = useState<string | null>(null);
  const remind = async () => {
    const res = await client.value!.api.v1.reminders.$post({ json: { channel_id: m.channel_id, message_id: m.id, text: m.body.slice(0, 200) || undefined, remind_at: toIso(at) } });
    if (res.status !== 201) throw new Error(((await res.json()) as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`);
    setDone(when(Math.floor(new Date(at).getTime() / 1000)));
    setOpen(false);
  };
  if (done) return <span class="muted reminder-set">Reminder {done}</span>;
  if (!open) return <button type="button" onClick={() => setOpen(true)}>Remind me</button>;
  return (
    <form class="remind-me" onSubmit={(e) => (e.preventDefault(), void remind().catch(failed))}>
      <input type="datetime-local" aria-label="Remind me at" value={at} min={localInput(60_000)} onInput={(e) => setAt(e.currentTarget.value)} />
      <button type="submit">Set reminder</button>
      <button type="button" class="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
