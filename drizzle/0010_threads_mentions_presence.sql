CREATE TABLE `mentions` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`, `message_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mentions_user_message` ON `mentions` (`user_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `user_sockets` (
	`user_id` text PRIMARY KEY NOT NULL,
	`hub_active_until` integer DEFAULT 0 NOT NULL,
	`online` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL
);
