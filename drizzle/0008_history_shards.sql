-- Message history moves to the history shards (drizzle/history). This migration keeps every row:
-- the history tables are renamed legacy_*, and `npm run db:migrate-history` copies them into shard 0
-- (HISTORY_0) and then drops them. The directory gains what unread counts and uploads need.
CREATE TABLE `deleted_positions` (
	`channel_id` text NOT NULL,
	`position` integer NOT NULL,
	`sender_id` text NOT NULL,
	PRIMARY KEY(`channel_id`, `position`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `shards` (
	`name` text PRIMARY KEY NOT NULL,
	`open` integer DEFAULT true NOT NULL,
	`channels` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `attachments` ADD `message_id` text;--> statement-breakpoint
CREATE INDEX `attachments_message` ON `attachments` (`message_id`);--> statement-breakpoint
ALTER TABLE `channel_members` ADD `own_after` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `shard` text DEFAULT 'HISTORY_0' NOT NULL;--> statement-breakpoint
CREATE INDEX `channels_shard` ON `channels` (`shard`);--> statement-breakpoint
-- What used to be read from history, now kept in the directory:
UPDATE `attachments` SET `message_id` = (SELECT `message_id` FROM `message_attachments` WHERE `asset_id` = `attachments`.`id`);--> statement-breakpoint
INSERT INTO `deleted_positions` (`channel_id`, `position`, `sender_id`) SELECT `channel_id`, `position`, `sender_id` FROM `messages` WHERE `deleted_at` IS NOT NULL;--> statement-breakpoint
UPDATE `channel_members` SET `own_after` = (SELECT count(*) FROM `messages` `m` WHERE `m`.`channel_id` = `channel_members`.`channel_id` AND `m`.`sender_id` = `channel_members`.`user_id` AND `m`.`position` > `channel_members`.`read_position`);--> statement-breakpoint
INSERT INTO `shards` (`name`, `channels`) SELECT 'HISTORY_0', count(*) FROM `channels`;--> statement-breakpoint
ALTER TABLE `messages` RENAME TO `legacy_messages`;--> statement-breakpoint
ALTER TABLE `reactions` RENAME TO `legacy_reactions`;--> statement-breakpoint
ALTER TABLE `reaction_counts` RENAME TO `legacy_reaction_counts`;--> statement-breakpoint
ALTER TABLE `idempotency_keys` RENAME TO `legacy_idempotency_keys`;--> statement-breakpoint
ALTER TABLE `message_attachments` RENAME TO `legacy_message_attachments`;
