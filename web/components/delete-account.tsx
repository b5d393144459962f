// "Delete my account" in the user menu (App Store guideline 5.1.1(v); DESIGN §17): DELETE /v1/users/me
// behind a confirmation that says what goes and asks the user to type DELETE, since it cannot be undone.
import { useState } from "preact/hooks";
import { client, signOut } from "../store";

const CONFIRM_WORD = "DELETE";

export function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const [messages, setMessages] = useState<"delete" | "keep">("delete");
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const c = client.value;
  if (!c) return null;
  if (!open) {
    return (
      <button type="button" class="link danger" onClick={() => setOpen(true)}>Delete my account</button>
    );
  }
  const close = () => {
    setOpen(false);
    setTyped("");
    setProblem(null);
  };
  const confirm = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const res = await c.api.v1.users.me.$delete({ json: { messages } });
      // 202: the erasure runs; this token no longer works, so the session ends here.
      if (res.status !== 202) throw new Error(`Could not delete the account (${res.status})`);
      signOut();
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <section class="delete-account" role="dialog" aria-modal="false" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">Delete your account?</h2>
      <p>
        Your profile, memberships, uploads and reactions are removed, and you are signed out everywhere. This cannot be undone.
      </p>
      <fieldset>
        <legend>Your messages</legend>
        <label>
          <input type="radio" name="delete-messages" checked={messages === "delete"} onChange={() => setMessages("delete")} /> Delete them
        </label>
        <label>
          <input type="radio" name="delete-messages" checked={messages === "keep"} onChange={() => setMessages("keep")} /> Keep them, shown as "Deleted user"
        </label>
      </fieldset>
      <label>
        Type {CONFIRM_WORD} to confirm
        <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoComplete="off" />
      </label>
      <div class="actions">
        <button type="button" class="danger" disabled={busy || typed !== CONFIRM_WORD} onClick={() => void confirm()}>
          {busy ? "Deleting…" : "Delete my account"}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={close}>Cancel</button>
      </div>
      {problem && <p role="alert" class="error">{problem}</p>}
    </section>
  );
}
