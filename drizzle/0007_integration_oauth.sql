CREATE TABLE `api_key_usage` (
	`key_id` text PRIMARY KEY NOT NULL,
	`minute` integer NOT NULL,
	`minute_count` integer NOT NULL,
	`day` integer NOT NULL,
	`day_count` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `integration_conversations` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`description` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `oauth_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `oauth_tokens_key` ON `oauth_tokens` (`key_id`,`expires_at`);