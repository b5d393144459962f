CREATE TABLE `reaction_counts` (
	`message_id` text NOT NULL,
	`emote_asset_id` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `emote_asset_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `reactions_emote_order` ON `reactions` (`message_id`,`emote_asset_id`,`created_at`,`user_id`);--> statement-breakpoint
-- Existing reactions are counted once here; from now on every add and remove keeps the counts.
INSERT INTO `reaction_counts` (`message_id`, `emote_asset_id`, `count`, `first_at`) SELECT `message_id`, `emote_asset_id`, count(*), min(`created_at`) FROM `reactions` GROUP BY `message_id`, `emote_asset_id`;
