/** Starts the test receiver on a free loopback port (see server.mjs). */
export function startReceiver(): Promise<{ url: string; close: () => void }>;
