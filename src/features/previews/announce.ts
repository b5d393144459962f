import type { Deps } from "../../env";
import * as history from "../../history";
import type { MessageRow } from "../../history";
import { publish } from "../../realtime/notify";
import { messageJson } from "../messages/messages.schemas";
import { withSenders } from "../messages/senders";

/** The message as it is now, with its previews, to every subscriber. */
export async function announcePreviews(deps: Deps, channelId: string, db: ReturnType<Deps["history"]>, row: MessageRow) {
  const [reactions, [named]] = await Promise.all([history.reactionsFor(db, [row.id]), withSenders(deps.db, [row])]);
  const message = messageJson(named!, reactions.get(row.id));
  await publish(deps, channelId, "message_update", message);
  return message;
}
