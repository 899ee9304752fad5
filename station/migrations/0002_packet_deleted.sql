-- Retention of rejected records (edge_agent/purge.py): the packet file of a record HQ rejected is deleted after
-- retention.purge_rejected_after_days; the row keeps its state, file name and hash, and says when the file went.
ALTER TABLE records ADD COLUMN packet_deleted_at TEXT;
