"""WSGI entry point of HQ's web app (the settings come from the environment, see hq/settings.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hq.settings")
application = get_wsgi_application()
