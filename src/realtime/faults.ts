/**
 * Fault injection for tests (FAULT_INJECTION=true only): a room told to fail its next `n` state-
 * changing calls throws as an unreachable or overloaded room would, so delivery guarantees can be
 * proven. The counter lives in the room's storage, so it survives eviction.
 */
export function failNext(sql: SqlStorage, n: number) {
  sql.exec("INSERT INTO meta (key, value) VALUES ('fail_next', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", n);
}

export function failIfAsked(sql: SqlStorage) {
  const left = sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'fail_next'").toArray()[0]?.value ?? 0;
  if (left <= 0) return;
  sql.exec("UPDATE meta SET value = value - 1 WHERE key = 'fail_next'");
  throw new Error("injected fault: room unavailable");
}
