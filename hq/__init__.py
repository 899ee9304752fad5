"""hq: the Django project for the office side of the SOP, the MQTT ingest and the fleet dashboard."""
