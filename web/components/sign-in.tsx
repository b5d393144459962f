import { useState } from "preact/hooks";
import { devLogin, saveSession } from "../session";
import { start } from "../store";

export function SignIn() {
  const [userId, setUserId] = useState("");
  const [name, setName] = useState("");
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const go = async (make: () => Promise<{ token: string; dev?: { sub: string; name: string } }>) => {
    setBusy(true);
    setProblem(null);
    try {
      const session = await make();
      saveSession(session);
      await start(session);
    } catch (err) {
      saveSession(null);
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sign-in">
      <form
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          void go(() => devLogin(userId.trim(), name.trim()));
        }}
      >
        <h1>💬 Edge Chat</h1>
        <p class="muted">Development sign-in (the server must run with DEV_LOGIN=true).</p>
        <label>
          User id
          <input value={userId} onInput={(e) => setUserId(e.currentTarget.value)} required autoComplete="username" pattern="[A-Za-z0-9_.@:\|+\-]{1,128}" />
        </label>
        <label>
          Display name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="name" />
        </label>
        <button type="submit" disabled={busy}>Sign in</button>
        {problem && <p role="alert" class="error-text">{problem}</p>}
        <details>
          <summary>Use a token instead</summary>
          <label>
            Token
            <textarea value={token} onInput={(e) => setToken(e.currentTarget.value)} rows={3} />
          </label>
          <button type="button" disabled={busy || !token.trim()} onClick={() => void go(async () => ({ token: token.trim() }))}>
            Use token
          </button>
        </details>
      </form>
    </div>
  );
}
