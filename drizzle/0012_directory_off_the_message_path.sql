ALTER TABLE `channel_members` ADD `cursor_stamp` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `applied_stamp` integer DEFAULT 0 NOT NULL;