"""The Celery application: ``celery -A config.celery_app worker`` (and ``beat``).

Settings come from Django's (``CELERY_*``). Each task runs in the schema it was sent from:
see ``pgschemas/contrib/celery.py``.
"""

import os

from celery import Celery

from pgschemas.contrib.celery import TenantTask, connect_schema_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config", task_cls=TenantTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_schema_signals()
