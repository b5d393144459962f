-- The second database of the minimal Worker (as the project's directory is to its history shard):
-- one row per message too, written in parallel with the first database's (so it has its own ids).
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  room TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
