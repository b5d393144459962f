CREATE TABLE `erasures` (
	`pseudonym` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`messages` text NOT NULL,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `erasures_unfinished` ON `erasures` (`status`) WHERE status != 'done';