CREATE TABLE `push_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `push_subscriptions_endpoint` ON `push_subscriptions` (`endpoint`);--> statement-breakpoint
CREATE INDEX `push_subscriptions_user` ON `push_subscriptions` (`user_id`);--> statement-breakpoint
CREATE TABLE `push_windows` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`until` integer NOT NULL,
	`pending` text,
	PRIMARY KEY(`user_id`, `channel_id`)
);
--> statement-breakpoint
ALTER TABLE `channel_members` ADD `notifications` text;--> statement-breakpoint
CREATE INDEX `channel_members_notify_all` ON `channel_members` (`channel_id`,`user_id`) WHERE notifications = 'all';--> statement-breakpoint
ALTER TABLE `users` ADD `dnd_until` integer;