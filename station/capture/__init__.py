"""station.capture: the capture workflow — policy, device surface, events, the engine and its modality steps."""
