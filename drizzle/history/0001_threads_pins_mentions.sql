-- Rebuilds messages so `position` may be null (replies take none). D1 cannot turn foreign keys off,
-- and dropping a parent table cascades to its children, so reactions are kept aside and restored.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__keep_reactions` AS SELECT * FROM `reactions`;--> statement-breakpoint
CREATE TABLE `__keep_reaction_counts` AS SELECT * FROM `reaction_counts`;--> statement-breakpoint
CREATE TABLE `__new_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`position` integer,
	`parent_id` text,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`last_reply_at` integer,
	`sender_id` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`attachments` text DEFAULT '[]' NOT NULL,
	`inline_emotes` text DEFAULT '[]' NOT NULL,
	`mentioned_user_ids` text DEFAULT '[]' NOT NULL,
	`pinned_at` integer,
	`pinned_by` text,
	`created_at` integer NOT NULL,
	`edited_at` integer,
	`deleted_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_messages`("id", "channel_id", "position", "sender_id", "body", "attachments", "inline_emotes", "created_at", "edited_at", "deleted_at") SELECT "id", "channel_id", "position", "sender_id", "body", "attachments", "inline_emotes", "created_at", "edited_at", "deleted_at" FROM `messages`;--> statement-breakpoint
DROP TABLE `messages`;--> statement-breakpoint
ALTER TABLE `__new_messages` RENAME TO `messages`;--> statement-breakpoint
INSERT INTO `reactions` SELECT * FROM `__keep_reactions`;--> statement-breakpoint
INSERT INTO `reaction_counts` SELECT * FROM `__keep_reaction_counts`;--> statement-breakpoint
DROP TABLE `__keep_reactions`;--> statement-breakpoint
DROP TABLE `__keep_reaction_counts`;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_id` ON `messages` (`channel_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_position` ON `messages` (`channel_id`,`position`);--> statement-breakpoint
CREATE INDEX `messages_channel_parent_id` ON `messages` (`channel_id`,`parent_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_channel_pinned` ON `messages` (`channel_id`,`pinned_at`) WHERE pinned_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_channel_sender_position` ON `messages` (`channel_id`,`sender_id`,`position`);;--> statement-breakpoint
-- Search: FTS5 over live message bodies, accent- and case-insensitive. Its rowid is the message id
-- (19-digit snowflakes fit in SQLite's 64-bit integers), so newest-first is the index's own order and
-- an edit or delete finds its row by key. Triggers keep it in step with every write.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(`body`, `channel_id` UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');--> statement-breakpoint
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