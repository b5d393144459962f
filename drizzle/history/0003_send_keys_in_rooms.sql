-- Idempotency keys live in each channel's room now (scoped to sender and channel, DESIGN §4): the
-- shard's table, keyed by sender only, answered a key reused in another channel with the other message.
DROP TABLE IF EXISTS `idempotency_keys`;
