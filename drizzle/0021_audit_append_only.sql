-- The audit log is append-only (DESIGN §15: "an audit log that nobody can edit"): a DELETE fails, and
-- so does an UPDATE — except erasure's (§17), which may only replace the ids naming an erased user by
-- their pseudonym (`erased_…`, in actor, target_user_id and details); every other column must stay.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
WHEN NOT (
  new.id = old.id AND new.at = old.at AND new.action = old.action
  AND new.channel_id IS old.channel_id AND new.message_id IS old.message_id AND new.reason IS old.reason
  AND (new.actor = old.actor OR substr(new.actor, 1, 7) = 'erased_')
  AND (new.target_user_id IS old.target_user_id OR substr(new.target_user_id, 1, 7) = 'erased_')
  AND (new.details IS old.details OR instr(new.details, '"erased_') > 0)
)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
