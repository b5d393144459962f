/**
 * Users' names and kinds read lately, per isolate, so a page of messages usually needs no directory
 * read for its senders. Every write of a name through this isolate forgets it here (it shows at
 * once); a rename through another isolate shows within FRESH_MS (Slack's and Stream's clients cache
 * profiles far longer). Never used for anything that grants access.
 */
export type UserName = { name: string; kind: "user" | "publisher" };

const FRESH_MS = 60_000;
const MAX_USERS = 10_000;
const seen = new Map<string, UserName & { until: number }>();

export function rememberName(id: string, user: UserName) {
  if (seen.size >= MAX_USERS) seen.clear();
  seen.set(id, { ...user, until: Date.now() + FRESH_MS });
}

/** The name when read within FRESH_MS. */
export function recentName(id: string): UserName | undefined {
  const user = seen.get(id);
  return user && user.until > Date.now() ? user : undefined;
}

/** Before a name is written: the next read goes to the directory. */
export const forgetName = (id: string) => seen.delete(id);
