// A channel's moderation, for its owner and admins (DESIGN §15): slow mode, the open report queue,
// and the bans and mutes in force. The server decides who may act on whom (403 otherwise); the panel
// only offers what it allows, and shows its refusals in the error banner.
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import type { Ban, Channel, Mute, Report, ResolveReport } from "../../sdk/index";
import { nameOf } from "../names";
import { client, error, refreshChannels } from "../store";
import { time } from "./message-list";
import { reasonLabel } from "./report";

/** Whether the panel is open (like the members panel, it stays open from one channel to the next). */
export const moderationOpen = signal(false);
/** Bumped by a ban or mute made elsewhere (the members panel), so the open panel reloads its lists. */
export const moderationChanged = signal(0);

/** The channel's moderators are its owner and admins; DMs have no moderation. */
export const isModerator = (channel: Channel) => channel.type !== "dm" && (channel.role === "owner" || channel.role === "admin");

export function ModerationButton({ channel }: { channel: Channel }) {
  if (!isModerator(channel)) return null;
  return (
    <button type="button" class="secondary header-toggle" aria-expanded={moderationOpen.value} onClick={() => (moderationOpen.value = !moderationOpen.value)}>
      Moderation
    </button>
  );
}

/** A unix time as the panel shows it: the time of day today, the date too when further away. */
export const until = (seconds: number) =>
  seconds * 1000 - Date.now() < 20 * 3600_000 ? time(seconds) : new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

interface Lists {
  reports: Report[];
  bans: Ban[];
  mutes: Mute[];
}

export function ModerationPanel({ channel }: { channel: Channel }) {
  const [lists, setLists] = useState<Lists | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const c = client.value!;
  const load = () =>
    Promise.all([c.channelReports(channel.id, "open"), c.bans(channel.id), c.mutes(channel.id)]).then(
      ([page, bans, mutes]) => setLists({ reports: page.reports, bans, mutes }),
      (err: Error) => void (error.value = err.message),
    );
  useEffect(() => {
    void load();
    // Someone removed or added (a ban from another moderator, a ban lifted and the person back): reload.
    const mine = ({ channelId }: { channelId: string }) => channelId === channel.id && void load();
    const offs = [c.on("member_remove", mine), c.on("member_add", mine)];
    return () => offs.forEach((off) => off());
  }, [channel.id, moderationChanged.value]);

  /** Runs a moderator's action, then says what happened and reloads the lists. */
  const act = (fn: () => Promise<unknown>, said: string) =>
    void fn().then(
      () => (setDone(said), load()),
      (err: Error) => void (error.value = err.message),
    );
  const resolve = (r: Report, resolution: ResolveReport, said: string) => act(() => c.resolveReport(channel.id, r.id, resolution), said);

  return (
    <section class="moderation" aria-label="Moderation">
      <SlowMode channel={channel} />
      {done && (
        <p class="moderation-done" role="status">
          {done}
        </p>
      )}
      {lists === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <h2>Reports</h2>
          {lists.reports.length === 0 ? (
            <p class="muted">No open reports.</p>
          ) : (
            <ul class="report-queue" aria-label="Open reports">
              {lists.reports.map((r) => (
                <ReportItem key={r.id} r={r} resolve={resolve} />
              ))}
            </ul>
          )}
          <StandingList
            title="Banned"
            empty="Nobody is banned."
            rows={lists.bans.map((b) => ({ userId: b.user_id, detail: `${b.expires_at ? `until ${until(b.expires_at)}` : "until lifted"}${b.reason ? ` · ${b.reason}` : ""}` }))}
            lift={(userId) => act(() => c.unban(channel.id, userId), `${nameOf(userId)} may join again.`)}
            what="ban"
          />
          <StandingList
            title="Muted"
            empty="Nobody is muted."
            rows={lists.mutes.map((m) => ({ userId: m.user_id, detail: `until ${until(m.expires_at)}` }))}
            lift={(userId) => act(() => c.unmute(channel.id, userId), `${nameOf(userId)} may post again.`)}
            what="mute"
          />
          <button type="button" class="secondary" onClick={() => void load()}>
            Refresh
          </button>
        </>
      )}
    </section>
  );
}

/** The bans or the mutes in force, each with its Lift button. */
function StandingList({ title, empty, rows, lift, what }: { title: string; empty: string; rows: { userId: string; detail: string }[]; lift: (userId: string) => void; what: "ban" | "mute" }) {
  return (
    <>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="standing-list" aria-label={title}>
          {rows.map((r) => (
            <li key={r.userId}>
              <span class="member-name">
                {nameOf(r.userId)} <span class="muted">{r.detail}</span>
              </span>
              <button type="button" class="link" aria-label={`Lift ${what} on ${nameOf(r.userId)}`} onClick={() => lift(r.userId)}>
                Lift
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

type Resolve = (r: Report, resolution: ResolveReport, said: string) => void;

/** One open report: who reported what and why, the message as it was reported, and the four ways to close it. */
function ReportItem({ r, resolve }: { r: Report; resolve: Resolve }) {
  const reporter = nameOf(r.reporter_id);
  const sender = r.message.sender_name || nameOf(r.message.sender_id);
  return (
    <li class="report-item" aria-label={`Report by ${reporter}: ${reasonLabel(r.reason)}`}>
      <p class="report-meta">
        <strong>{reporter}</strong> reported a message by <strong>{sender}</strong> for <strong>{reasonLabel(r.reason)}</strong>
        <span class="muted"> · {time(r.created_at)}</span>
      </p>
      <blockquote class="reported-text">{r.message.body || <span class="muted">(no text)</span>}</blockquote>
      {r.note && <p class="muted">Note: {r.note}</p>}
      <div class="report-actions">
        <button type="button" class="secondary" onClick={() => resolve(r, { action: "dismiss" }, "Report dismissed.")}>
          Dismiss
        </button>
        <button type="button" class="secondary" onClick={() => resolve(r, { action: "delete_message" }, "Message deleted.")}>
          Delete message
        </button>
        <button type="button" class="secondary" onClick={() => resolve(r, { action: "mute_user", duration_s: 600 }, `${sender} is muted for 10 minutes.`)}>
          Mute 10 min
        </button>
        <button type="button" class="danger" onClick={() => resolve(r, { action: "ban_user" }, `${sender} is banned.`)}>
          Ban
        </button>
      </div>
    </li>
  );
}

/** Slow mode's choices (seconds); a value set elsewhere (the API) is shown as it is. */
const SLOW_MODES = [
  { s: 0, label: "Off" },
  { s: 10, label: "10 s" },
  { s: 30, label: "30 s" },
  { s: 60, label: "1 min" },
  { s: 300, label: "5 min" },
  { s: 900, label: "15 min" },
  { s: 3600, label: "1 h" },
];

/** A duration as slow mode's picker names it ("30 s", "5 min"). */
export const slowModeLabel = (s: number) => SLOW_MODES.find((m) => m.s === s)?.label ?? (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

function SlowMode({ channel }: { channel: Channel }) {
  const current = channel.slow_mode_s;
  // The select keeps the choice while it is saved; the channel (channel_update) then confirms it.
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  const choices = SLOW_MODES.some((m) => m.s === current) ? SLOW_MODES : [...SLOW_MODES, { s: current, label: slowModeLabel(current) }].sort((a, b) => a.s - b.s);
  const choose = (s: number) => {
    setValue(s);
    void client.value!.setSlowMode(channel.id, s).then(
      () => refreshChannels(),
      (err: Error) => ((error.value = err.message), setValue(current)),
    );
  };
  return (
    <label class="slow-mode">
      Slow mode
      <select aria-label="Slow mode" value={String(value)} onChange={(e) => choose(Number(e.currentTarget.value))}>
        {choices.map((m) => (
          <option key={m.s} value={String(m.s)}>
            {m.label}
          </option>
        ))}
      </select>
    </label>
  );
}
