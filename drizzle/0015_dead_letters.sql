CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` text NOT NULL,
	`event_id` text NOT NULL,
	`call` text NOT NULL,
	`dead_since` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`retry_at` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_eventId_unique` ON `dead_letters` (`event_id`);--> statement-breakpoint
CREATE INDEX `dead_letters_channel` ON `dead_letters` (`channel_id`,`id`);