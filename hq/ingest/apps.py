"""The ingest app's configuration."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "hq.ingest"
    label = "ingest"
    verbose_name = "Ingest"
