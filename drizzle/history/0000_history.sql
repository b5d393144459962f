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
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_id` ON `messages` (`channel_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_position` ON `messages` (`channel_id`,`position`);--> statement-breakpoint
CREATE INDEX `messages_channel_sender_position` ON `messages` (`channel_id`,`sender_id`,`position`);--> statement-breakpoint
CREATE TABLE `reaction_counts` (
	`message_id` text NOT NULL,
	`emote_asset_id` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `emote_asset_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reactions` (
	`message_id` text NOT NULL,
	`emote_asset_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `emote_asset_id`, `user_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `reactions_emote_order` ON `reactions` (`message_id`,`emote_asset_id`,`created_at`,`user_id`);