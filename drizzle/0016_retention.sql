CREATE TABLE `app_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target_user_id` text,
	`channel_id` text,
	`message_id` text,
	`reason` text,
	`details` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_action` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_target` ON `audit_log` (`target_user_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_channel` ON `audit_log` (`channel_id`,`id`);--> statement-breakpoint
CREATE TABLE `legal_hold_targets` (
	`hold_id` text NOT NULL,
	`kind` text NOT NULL,
	`target_id` text NOT NULL,
	PRIMARY KEY(`hold_id`, `kind`, `target_id`),
	FOREIGN KEY (`hold_id`) REFERENCES `legal_holds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `legal_hold_targets_target` ON `legal_hold_targets` (`kind`,`target_id`);--> statement-breakpoint
CREATE TABLE `legal_holds` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`released_at` integer
);
--> statement-breakpoint
ALTER TABLE `channels` ADD `retention_days` integer;