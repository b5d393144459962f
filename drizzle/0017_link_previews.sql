CREATE TABLE `link_preview_cache` (
	`url` text PRIMARY KEY NOT NULL,
	`fetched_at` integer NOT NULL,
	`preview` text
);
