"""WSGI entry point: ``gunicorn shopbot.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopbot.settings")
application = get_wsgi_application()
