// Reporting a message to the channel's moderators (DESIGN §15): a reason, an optional note, and a
// thank-you. Reporting the same message twice is harmless (the server answers the first report).
import { useState } from "preact/hooks";
import type { Message, ReportReason } from "../../sdk/index";
import { client } from "../store";

/** The server's reasons, in the words a person would pick (the order people think of them in). */
export const REPORT_REASONS: { value: ReportReason; label: string }[] = [
  { value: "spam", label: "Spam" },
  { value: "harassment", label: "Harassment" },
  { value: "hate", label: "Hate" },
  { value: "sexual", label: "Sexual content" },
  { value: "violence", label: "Violence" },
  { value: "self_harm", label: "Self-harm" },
  { value: "other", label: "Something else" },
];

/** A reason's label as the reason picker shows it ("blocklist" is the server's own flag). */
export const reasonLabel = (reason: string) =>
  REPORT_REASONS.find((r) => r.value === reason)?.label ?? (reason === "blocklist" ? "Blocklist match" : reason);

/**
 * Under a message once "Report" is chosen: the form, then "Reported. Thank you." in its place.
 * `close` hides it (Cancel); after a report the thank-you stays while the message is on screen.
 */
export function ReportForm({ m, close }: { m: Message; close: () => void }) {
  const [reason, setReason] = useState<ReportReason>("spam");
  const [note, setNote] = useState("");
  const [state, setState] = useState<"editing" | "sending" | "done">("editing");
  const [problem, setProblem] = useState<string | null>(null);

  if (state === "done") {
    return (
      <p class="report-done" role="status">
        Reported. Thank you.
      </p>
    );
  }
  const submit = async () => {
    setState("sending");
    setProblem(null);
    try {
      await client.value!.report(m.channel_id, m.id, reason, note.trim() || undefined);
      setState("done");
    } catch (err) {
      setProblem((err as Error).message);
      setState("editing");
    }
  };
  return (
    <form class="report" aria-label={`Report message by ${m.sender_name}`} onSubmit={(e) => (e.preventDefault(), void submit())}>
      <label>
        Reason
        {/* Named explicitly: a label around a select would also read out the chosen option. */}
        <select aria-label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value as ReportReason)}>
          {REPORT_REASONS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note for the moderators (optional)
        <textarea rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {problem && (
        <p class="error-text" role="alert">
          {problem}
        </p>
      )}
      <div class="report-buttons">
        <button type="submit" disabled={state === "sending"}>
          Submit
        </button>
        <button type="button" class="secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
