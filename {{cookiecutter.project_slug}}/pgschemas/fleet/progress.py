"""What a fleet migration prints while it runs: live on a terminal, a line now and then in logs."""

import time
from typing import Protocol

LOG_LINE_SECONDS = 5.0
TERMINAL_REFRESH_SECONDS = 0.1


class Output(Protocol):
    """Where progress goes: a text stream, or a management command's ``self.stdout``."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class Progress:
    """Counts finished schemas and reports them according to the verbosity.

    -v 0: only failures; -v 1: progress (done/total, failures, rate, time left); -v 2: also one
    line per schema.
    """

    def __init__(self, stdout: Output, stderr: Output, *, verbosity: int) -> None:
        self.stdout, self.stderr = stdout, stderr
        self.verbosity = verbosity
        self.total = 0  # grows as the schemas to do become known
        self.done = self.failed = self.applied = 0
        self.started = self._last_shown = time.monotonic()
        self.live = verbosity >= 1 and _is_terminal(stdout)

    def schema_done(self, schema_name: str, applied: int) -> None:
        self.done += 1
        self.applied += applied
        if self.verbosity >= 2:
            what = f"{applied} migration(s) applied" if applied else "up to date"
            self._line(f"Schema {schema_name!r}: {what}")
        self._maybe_show()

    def schema_failed(self, schema_name: str, error: str) -> None:
        self.done += 1
        self.failed += 1
        self._line(f"Schema {schema_name!r} failed: {error}", stream=self.stderr)
        self._maybe_show()

    def finish(self) -> None:
        if self.live:
            self.stdout.write("\n")
        if self.verbosity >= 1:
            self.stdout.write(
                f"{self.done} of {self.total} schemas done in {self._elapsed():.1f} s: "
                f"{self.applied} migration(s) applied, {self.failed} schema(s) failed.\n"
            )
        self.stdout.flush()

    def status(self) -> str:
        elapsed = self._elapsed()
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"{self.done}/{self.total} schemas, {self.failed} failed, "
            f"{rate:.1f} schemas/s, {left:.0f} s left"
        )

    def _maybe_show(self) -> None:
        if self.verbosity < 1:
            return
        now = time.monotonic()
        every = TERMINAL_REFRESH_SECONDS if self.live else LOG_LINE_SECONDS
        if now - self._last_shown < every and not (self.live and self.done == self.total):
            return
        self._last_shown = now
        if self.live:
            self.stdout.write(f"\r\x1b[K{self.status()}")
            self.stdout.flush()
        else:
            self._line(self.status())

    def _line(self, text: str, *, stream: Output | None = None) -> None:
        stream = stream or self.stdout
        if self.live:
            self.stdout.write("\r\x1b[K")  # clear the live line first
        stream.write(text + "\n")
        stream.flush()

    def _elapsed(self) -> float:
        return time.monotonic() - self.started


def _is_terminal(stream: Output) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
