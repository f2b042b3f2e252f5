"""Counters in the cache (Redis in production), shared by the rate limits and the usage."""

from django.core.cache import cache


def increment(name: str, timeout: int) -> int:
    """Add one to the counter ``name`` and return it; a missing counter starts at 1 and lives
    ``timeout`` seconds. Atomic on Redis (INCR): concurrent requests never read the same value."""
    try:
        return cache.incr(name)
    except ValueError:  # missing, or expired
        if cache.add(name, 1, timeout=timeout):
            return 1
        return cache.incr(name)  # another request made it meanwhile
