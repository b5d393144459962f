CREATE TABLE `app_bans` (
	`user_id` text PRIMARY KEY NOT NULL,
	`reason` text,
	`shadow` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE TABLE `blocklist` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`rules` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
