// The narrow layout (≤ 700 px wide, a phone): the sidebar is a drawer over the conversation, opened
// by the menu button in the top bar and closed once something in it is chosen.
import { signal } from "@preact/signals";

export const drawerOpen = signal(false);
export const closeDrawer = () => void (drawerOpen.value = false);
