// Who is signed in: the token (and, for the dev login, what it takes to mint a new one), kept in
// localStorage so a reload stays signed in.
import { ChatClient } from "../sdk/index";

const KEY = "edge-chat.session";

export interface Session {
  token: string;
  /** Set for the dev login: the token is refreshed by logging in again. */
  dev?: { sub: string; name: string };
}

export function loadSession(): Session | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

export async function devLogin(sub: string, name: string): Promise<Session> {
  const { token } = await ChatClient.devLogin(location.origin, sub, name || undefined);
  return { token, dev: { sub, name } };
}

/** A client for the session; a 401 re-runs the dev login (pasted tokens cannot be refreshed). */
export function clientFor(session: Session): ChatClient {
  const client = new ChatClient({
    baseUrl: location.origin,
    token: session.token,
    backoff: { baseMs: 500, maxMs: 10_000 }, // a chat window should not wait long to come back
    refreshToken: async () => {
      if (!session.dev) throw new Error("token expired: sign in again");
      const fresh = await devLogin(session.dev.sub, session.dev.name);
      saveSession(fresh);
      return fresh.token;
    },
  });
  return client;
}
