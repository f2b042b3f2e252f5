"""Periodic billing work, run by beat in public (CELERY_BEAT_SCHEDULE)."""

from config.celery_app import app

from .trials import end_trials
from .unpaid import suspend_unpaid


@app.task(name="billing_app.end_trials")
def end_ended_trials() -> list[str]:
    """Move the workspaces whose trial is over to the free plan (or suspend them)."""
    return end_trials()


@app.task(name="billing_app.suspend_unpaid")
def suspend_unpaid_workspaces() -> list[str]:
    """Suspend the workspaces whose failed payment is older than BILLING_GRACE_DAYS."""
    return suspend_unpaid()
