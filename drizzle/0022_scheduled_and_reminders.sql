CREATE TABLE `reminders` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text,
	`text` text,
	`remind_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reminders_user` ON `reminders` (`user_id`,`remind_at`);--> statement-breakpoint
CREATE TABLE `scheduled_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`inline_emotes` text NOT NULL,
	`attachments` text NOT NULL,
	`mentioned_user_ids` text NOT NULL,
	`parent_id` text,
	`unfurl` integer DEFAULT true NOT NULL,
	`send_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`failure_code` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scheduled_messages_author` ON `scheduled_messages` (`author_id`,`send_at`);--> statement-breakpoint
CREATE INDEX `scheduled_messages_channel` ON `scheduled_messages` (`channel_id`);