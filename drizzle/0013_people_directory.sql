-- People can find each other (DESIGN §19): every user's display name in a full-text index whose
-- tokenizer folds case and accents ("smi" and "SMÍ" find "Anna Smith"), kept by triggers. Publishers
-- (integration senders) are not people: not indexed.
CREATE VIRTUAL TABLE `users_fts` USING fts5(`display_name`, tokenize = 'unicode61 remove_diacritics 2');--> statement-breakpoint
INSERT INTO `users_fts`(rowid, `display_name`) SELECT rowid, `display_name` FROM `users` WHERE `kind` = 'user';--> statement-breakpoint
CREATE TRIGGER `users_fts_insert` AFTER INSERT ON `users` WHEN new.`kind` = 'user' BEGIN
  INSERT INTO `users_fts`(rowid, `display_name`) VALUES (new.rowid, new.`display_name`);
END;--> statement-breakpoint
CREATE TRIGGER `users_fts_update` AFTER UPDATE OF `display_name` ON `users` WHEN new.`kind` = 'user' BEGIN
  DELETE FROM `users_fts` WHERE rowid = old.rowid;
  INSERT INTO `users_fts`(rowid, `display_name`) VALUES (new.rowid, new.`display_name`);
END;--> statement-breakpoint
CREATE TRIGGER `users_fts_delete` AFTER DELETE ON `users` BEGIN
  DELETE FROM `users_fts` WHERE rowid = old.rowid;
END;
