import { closeDrawer } from "../layout";
import { me, runSearch, signOut, view } from "../store";
import { ChannelList } from "./channel-list";
import { NewDm, NewGroup } from "./new-conversation";
import { SearchBox } from "./search";
import { NotificationsMenu } from "./push-controls";
import { DeleteAccount } from "./delete-account";

export function Sidebar() {
  return (
    <aside class="sidebar" id="sidebar">
      <div class="me">
        <span class="avatar" aria-hidden="true">{(me.value?.display_name ?? "?").slice(0, 1).toUpperCase()}</span>
        <span class="me-name">{me.value?.display_name}</span>
        <button type="button" class="link" onClick={signOut}>Sign out</button>
        {/* Only in the narrow layout, where the sidebar is a drawer (web/layout.css). */}
        <button type="button" class="link drawer-close" aria-label="Close the channel list" onClick={closeDrawer}>
          ×
        </button>
      </div>
      <NotificationsMenu />
      <DeleteAccount />
      <SearchBox onSearch={(q) => (closeDrawer(), void runSearch(q))} />
      <ChannelList />
      <button type="button" class="secondary" onClick={() => ((view.value = "rooms"), closeDrawer())}>Discover rooms</button>
      <NewDm />
      <NewGroup />
    </aside>
  );
}
