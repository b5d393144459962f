CREATE TABLE `exports` (
	`id` text PRIMARY KEY NOT NULL,
	`requested_by` text NOT NULL,
	`channel_ids` text,
	`user_id` text,
	`from_id` text NOT NULL,
	`to_id` text NOT NULL,
	`status` text NOT NULL,
	`cursor` text NOT NULL,
	`parts` integer DEFAULT 0 NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`lines` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `exports_requested_by` ON `exports` (`requested_by`,`id`);