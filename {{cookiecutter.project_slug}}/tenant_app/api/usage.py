"""Requests to the API per workspace, day (UTC) and key (or members' sessions).

Each request adds one to a counter in the cache (an INCR); at most once a minute per key the
counters of today and yesterday are moved into ApiUsage (one UPDATE, or INSERT the first time).
The settings page and the roll-up into public move every counter first: they are never behind.
"""

from datetime import date, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ..models import ApiKey, ApiUsage
from .counters import increment

MOVE_EVERY_SECONDS = 60
COUNTER_SECONDS = 3 * 86400  # a counter outlives its day by two: it is moved before


def who(key: ApiKey | None) -> str:
    return key.prefix if key else "members"


def days() -> tuple[date, date]:
    today = timezone.now().date()
    return today, today - timedelta(days=1)


def record_request(key: ApiKey | None) -> None:
    increment(f"api-usage:{days()[0].isoformat()}:{who(key)}", timeout=COUNTER_SECONDS)
    if cache.add(f"api-usage-moved:{who(key)}", 1, timeout=MOVE_EVERY_SECONDS):
        move_counters([key])


def move_counters(keys: list[ApiKey | None]) -> None:
    """Add the cached counts of ``keys`` (None: members' sessions) to ApiUsage. One process at a
    time per key (a lock in the cache): two would both add what they read."""
    for key in keys:
        lock = f"api-usage-moving:{who(key)}"
        if not cache.add(lock, 1, timeout=30):
            continue  # another process is moving them now
        try:
            names = {f"api-usage:{day.isoformat()}:{who(key)}": day for day in days()}
            for name, pending in cache.get_many(list(names)).items():
                if pending:
                    cache.decr(name, pending)
                    add_usage(names[name], key, pending)
        finally:
            cache.delete(lock)


def recent_usage(days: int) -> QuerySet[ApiUsage]:
    """The workspace's usage in the last ``days`` days (UTC, today included), with what the
    cache still held."""
    move_counters([None, *ApiKey.objects.all()])
    since = timezone.now().date() - timedelta(days=days - 1)
    return ApiUsage.objects.filter(day__gte=since).select_related("key")


def add_usage(day: date, key: ApiKey | None, requests: int) -> None:
    usage = ApiUsage.objects.filter(day=day, key=key)
    if usage.update(requests=F("requests") + requests):
        return
    try:
        with transaction.atomic():
            ApiUsage.objects.create(day=day, key=key, requests=requests)
    except IntegrityError:  # another process made the row since
        usage.update(requests=F("requests") + requests)
