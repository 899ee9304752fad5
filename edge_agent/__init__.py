"""edge_agent: the station's MQTT agent (outbox drain, health, assignment, commands), its own process."""
