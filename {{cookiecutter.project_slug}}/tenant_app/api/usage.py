"""Requests to the API per workspace, day (UTC) and key (or members' sessions).

Each request adds one to a counter in the cache (one INCR); at most once a minute per key the
counters of today and yesterday are moved into ApiUsage (one UPDATE, or INSERT the first time).
The settings page moves every counter before it shows them: it is never behind.
"""

from datetime import date, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import ApiKey, ApiUsage

FLUSH_SECONDS = 60
COUNTER_SECONDS = 3 * 86400  # a counter outlives its day by two: it is moved before


def counter_name(day: date, key: ApiKey | None) -> str:
    return f"api-usage:{day.isoformat()}:{key.prefix if key else 'members'}"


def days() -> tuple[date, date]:
    today = timezone.now().date()
    return today, today - timedelta(days=1)


def record_request(key: ApiKey | None) -> None:
    today = days()[0]
    name = counter_name(today, key)
    cache.add(name, 0, timeout=COUNTER_SECONDS)
    try:
        cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=COUNTER_SECONDS)
    if cache.add(f"api-usage-moved:{key.prefix if key else 'members'}", 1, FLUSH_SECONDS):
        move_counters([key])


def move_counters(keys: list[ApiKey | None]) -> None:
    """Add the cached counts of ``keys`` (None: members' sessions) to ApiUsage."""
    names = {counter_name(day, key): (day, key) for key in keys for day in days()}
    for name, pending in cache.get_many(list(names)).items():
        if pending:
            cache.decr(name, pending)
            add_usage(*names[name], pending)


def add_usage(day: date, key: ApiKey | None, requests: int) -> None:
    usage = ApiUsage.objects.filter(day=day, key=key)
    if usage.update(requests=F("requests") + requests):
        return
    try:
        with transaction.atomic():
            ApiUsage.objects.create(day=day, key=key, requests=requests)
    except IntegrityError:  # another process made the row since
        usage.update(requests=F("requests") + requests)
