CREATE TABLE `channel_bans` (
	`channel_id` text NOT NULL,
	`user_id` text NOT NULL,
	`banned_by` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	PRIMARY KEY(`channel_id`, `user_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `channel_mutes` (
	`channel_id` text NOT NULL,
	`user_id` text NOT NULL,
	`muted_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `user_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`reporter_id` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`status` text DEFAULT 'open' NOT NULL,
	`snapshot` text NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_message_reporter` ON `reports` (`message_id`,`reporter_id`);--> statement-breakpoint
CREATE INDEX `reports_status` ON `reports` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `reports_channel` ON `reports` (`channel_id`,`status`,`id`);--> statement-breakpoint
ALTER TABLE `channels` ADD `slow_mode_s` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_actor` ON `audit_log` (`actor`,`id`);