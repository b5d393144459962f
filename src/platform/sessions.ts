/**
 * D1 read replication through the Sessions API. Reads that tolerate a little lag go to the nearest
 * replica; a client that just wrote reads its own write by sending back the `X-D1-Bookmark` it was
 * given (one bookmark per database the request touched: `DB=<bookmark>,HISTORY_1=<bookmark>`).
 */
export const BOOKMARK_HEADER = "X-D1-Bookmark";

/** The bookmarks a client sent, by database name (malformed parts are ignored: they only cost freshness). */
export function parseBookmarks(header: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (header ?? "").split(",").slice(0, 16)) {
    const match = part.trim().match(/^(DB|HISTORY_\d{1,3})=([A-Za-z0-9-]{1,200})$/);
    if (match) found.set(match[1]!, match[2]!);
  }
  return found;
}

/** Sessions of one request: opened on first use, their bookmarks gathered for the answer. */
export class RequestSessions {
  private readonly open = new Map<string, D1DatabaseSession>();
  private readonly foreign = new Map<string, string>();

  constructor(
    private readonly sent: Map<string, string>,
    /** GETs may start on any replica; writes start on the primary. */
    private readonly readOnly: boolean,
  ) {}

  /** The database as this request should use it (the binding itself where sessions are unavailable). */
  session(name: string, binding: D1Database): D1Database {
    if (typeof binding.withSession !== "function") return binding;
    let session = this.open.get(name);
    if (!session) {
      session = binding.withSession(this.sent.get(name) ?? (this.readOnly ? "first-unconstrained" : "first-primary"));
      this.open.set(name, session);
    }
    return session as unknown as D1Database;
  }

  /** Bookmarks of work done for this request elsewhere (a send runs in the channel's room): they come later. */
  absorb(bookmarks: Record<string, string>) {
    for (const [name, bookmark] of Object.entries(bookmarks)) this.foreign.set(name, bookmark);
  }

  /** The bookmark of every database used, by name (what a client would send back, as an object). */
  bookmarks(): Record<string, string> {
    const found: Record<string, string> = {};
    for (const [name, s] of this.open) {
      const bookmark = s.getBookmark();
      if (bookmark) found[name] = bookmark;
    }
    return { ...found, ...Object.fromEntries(this.foreign) };
  }

  /** `DB=…,HISTORY_0=…` for every database used, or undefined when none was. */
  header(): string | undefined {
    const parts = Object.entries(this.bookmarks()).map(([name, bookmark]) => `${name}=${bookmark}`);
    return parts.length ? parts.join(",") : undefined;
  }
}
