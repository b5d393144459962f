CREATE TABLE `held_originals` (
	`message_id` text NOT NULL,
	`replaced_at` integer NOT NULL,
	`reason` text NOT NULL,
	`body` text NOT NULL,
	`attachments` text NOT NULL,
	`inline_emotes` text NOT NULL,
	`version_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `replaced_at`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_sender` ON `messages` (`sender_id`,`id`);--> statement-breakpoint
CREATE INDEX `reactions_user` ON `reactions` (`user_id`);