-- When a record's packet file was deleted (edge_agent/purge.py): a purged record's (HQ holds it), or a rejected
-- record's after retention.purge_rejected_after_days. The row keeps its state, file name and hash. Records purged
-- before this column existed get their last change's time.
ALTER TABLE records ADD COLUMN packet_deleted_at TEXT;
UPDATE records SET packet_deleted_at = updated_at WHERE state = 'purged';
