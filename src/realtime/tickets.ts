/**
 * A WebSocket ticket opens one socket (DESIGN §6): the room or hub that takes the upgrade records
 * the ticket's id until the ticket expires, and refuses it a second time. Tickets name one channel
 * (or the user socket), so the one object that can accept a ticket is also the one that remembers it.
 */
export function createTicketTable(sql: SqlStorage) {
  sql.exec("CREATE TABLE IF NOT EXISTS used_tickets (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
}

/** True the first time `id` is shown (and records it); false on every later use. Synchronous: no race. */
export function consumeTicket(sql: SqlStorage, id: string, expiresAtSeconds: number): boolean {
  const now = Date.now();
  sql.exec("DELETE FROM used_tickets WHERE expires_at < ?", now);
  if (sql.exec("SELECT 1 FROM used_tickets WHERE id = ?", id).toArray().length) return false;
  sql.exec("INSERT INTO used_tickets (id, expires_at) VALUES (?, ?)", id, expiresAtSeconds * 1000);
  return true;
}
