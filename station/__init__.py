"""station: the recording station's core without UI (config, store, roster, records, packets, audit, CLI)."""
