"""ingest: the sealed records HQ received (stored once, durably), the conflicting ones kept for a person, and
the log of every batch (MQTT or offline import) with its outcome."""
