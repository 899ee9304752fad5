"""The lists app's configuration."""

from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "hq.lists"
    label = "lists"
    verbose_name = "Lists"
