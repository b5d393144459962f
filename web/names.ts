// Display names for user ids the moderation views show: reporters, and banned people, who are no
// longer in the channel's member list. Members come from the store; anyone else's profile is looked
// up once (GET /v1/users/{id}) and the view re-renders when it arrives.
import { signal } from "@preact/signals";
import { client, members } from "./store";

const looked = signal<ReadonlyMap<string, string>>(new Map());
const asked = new Set<string>();

/** The reporters that are not people (DESIGN §15): the blocklist's flags and the app's moderators. */
const NOT_PEOPLE: Record<string, string> = { system: "Blocklist", admin: "App moderators" };

/** A user's display name: the open channel's members first, then a profile lookup; the id until it answers. */
export function nameOf(userId: string): string {
  const member = members.value.find((m) => m.user_id === userId);
  if (member) return member.display_name;
  const known = NOT_PEOPLE[userId] ?? looked.value.get(userId);
  if (known) return known;
  const c = client.value;
  if (c && !asked.has(userId)) {
    asked.add(userId);
    void c.user(userId).then((p) => (looked.value = new Map(looked.value).set(userId, p.display_name)), () => {});
  }
  return userId;
}
