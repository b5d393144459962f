-- Search: the channel id becomes an indexed column of messages_fts, so a search within a few channels
-- is a MATCH on `channel_id : "<id>" AND body : (…)`: FTS5 intersects the two doclists instead of
-- walking every hit of a word that is common in a big channel on the same shard. Rebuilt from messages.
DROP TRIGGER IF EXISTS `messages_fts_insert`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_update`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_delete`;--> statement-breakpoint
DROP TABLE IF EXISTS `messages_fts`;--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_fts` USING fts5(`body`, `channel_id`, tokenize = 'unicode61 remove_diacritics 2');--> statement-breakpoint
INSERT INTO `messages_fts`(rowid, `body`, `channel_id`) SELECT CAST(`id` AS INTEGER), `body`, `channel_id` FROM `messages` WHERE `deleted_at` IS NULL AND `body` != '';--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` WHEN new.`deleted_at` IS NULL AND new.`body` != '' BEGIN
  INSERT INTO `messages_fts`(rowid, `body`, `channel_id`) VALUES (CAST(new.`id` AS INTEGER), new.`body`, new.`channel_id`);
END;--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF `body`, `deleted_at` ON `messages` BEGIN
  DELETE FROM `messages_fts` WHERE rowid = CAST(old.`id` AS INTEGER);
  INSERT INTO `messages_fts`(rowid, `body`, `channel_id`) SELECT CAST(new.`id` AS INTEGER), new.`body`, new.`channel_id` WHERE new.`deleted_at` IS NULL AND new.`body` != '';
END;--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` BEGIN
  DELETE FROM `messages_fts` WHERE rowid = CAST(old.`id` AS INTEGER);
END;
