import type { Channel } from "../../sdk/index";
import { closeDrawer } from "../layout";
import { activeId, channelName, channels, openChannel, view } from "../store";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * A channel link's accessible name carries its counts ("Design, 3 unread, 1 mention"): a screen
 * reader hears what the badges show. The badges themselves are then hidden from it (no double reading).
 */
export function channelLinkName(ch: Channel): string {
  const parts = [channelName(ch)];
  if (ch.unread_count > 0) parts.push(`${ch.unread_count} unread`);
  if ((ch.mention_count ?? 0) > 0) parts.push(plural(ch.mention_count, "mention"));
  return parts.join(", ");
}

/** The `navigation` "Channels": your channels with live badges, or what to do when there are none. */
export function ChannelList() {
  const list = channels.value;
  return (
    <nav aria-label="Channels">
      {list.length === 0 ? (
        <div class="empty-list">
          <p>
            <strong>No conversations yet.</strong>
          </p>
          <p>Start a direct message or a group below (type a name to find people), or discover public rooms.</p>
        </div>
      ) : (
        <ul>
          {list.map((ch) => (
            <li key={ch.id} class={ch.id === activeId.value && view.value === "chat" ? "active" : ""}>
              <a
                href={`#/c/${ch.id}`}
                aria-label={channelLinkName(ch)}
                aria-current={ch.id === activeId.value ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  closeDrawer();
                  void openChannel(ch.id);
                }}
              >
                <span aria-hidden="true" class="kind">{ch.type === "dm" ? "@" : "#"}</span>
                {channelName(ch)}
              </a>
              {(ch.mention_count ?? 0) > 0 && (
                <span class="mentions" aria-hidden="true" title={`${plural(ch.mention_count, "unread mention")}`}>
                  @{ch.mention_count}
                </span>
              )}
              {ch.unread_count > 0 && <span class="badge" aria-hidden="true" title={`${ch.unread_count} unread`}>{ch.unread_count}</span>}
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
