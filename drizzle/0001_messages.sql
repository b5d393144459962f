CREATE TABLE `idempotency_keys` (
	`sender_id` text NOT NULL,
	`key` text NOT NULL,
	`message_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`sender_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`position` integer NOT NULL,
	`sender_id` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`attachments` text DEFAULT '[]' NOT NULL,
	`inline_emotes` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`edited_at` integer,
	`deleted_at` integer,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_id` ON `messages` (`channel_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_position` ON `messages` (`channel_id`,`position`);--> statement-breakpoint
CREATE INDEX `messages_channel_sender_position` ON `messages` (`channel_id`,`sender_id`,`position`);--> statement-breakpoint
CREATE INDEX `messages_channel_deleted_position` ON `messages` (`channel_id`,`position`) WHERE deleted_at is not null;--> statement-breakpoint
CREATE TABLE `reactions` (
	`message_id` text NOT NULL,
	`emote_asset_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `emote_asset_id`, `user_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `channel_members` ADD `last_read_message_id` text;--> statement-breakpoint
ALTER TABLE `channel_members` ADD `read_position` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `channel_members` ADD `read_updated_at` integer;--> statement-breakpoint
ALTER TABLE `channels` ADD `last_position` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `last_message_at` integer;