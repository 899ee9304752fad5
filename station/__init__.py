"""station: the recording station's core without UI or CLI (config, store, roster, check-in, records, sealing,
audit); `station.capture` is the capture workflow."""
