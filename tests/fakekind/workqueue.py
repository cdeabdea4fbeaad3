"""How the fake controllers retry and report what went wrong, after the real ones.

A real controller takes one key at a time off a client-go workqueue; when reconciling it fails,
the key goes back with ``AddRateLimited`` and waits ``base * 2**failures`` (capped) before the next
try, and ``Forget`` clears the count once it succeeds
(``staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go``,
``ItemExponentialFailureRateLimiter``). The error itself is never dropped: it goes to
``utilruntime.HandleError``, which logs it with its caller, and a panic (a bug) crashes the
controller through ``HandleCrash`` (``staging/src/k8s.io/apimachinery/pkg/util/runtime/runtime.go``).

:class:`WorkQueue` does the same for the fakes: :meth:`WorkQueue.run` tries one item unless it is
backing off, forgets its failures on success and on failure records the error with its traceback
and backs the item off. Errors a real controller meets when it races with others (a 409 conflict
or already-exists, a 404 because the object was deleted meanwhile, a 403 because its namespace is
being terminated) are retried quietly; anything else is a bug in the fake, and :meth:`WorkQueue.check`
(called when the controllers stop, at the test's teardown) fails the test with its traceback.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from fakekube.errors import ApiError

# HandleError logs every error; pytest shows a test's captured log when it fails, so a fake
# controller that kept retrying a race it never won says so next to the failure.
log = logging.getLogger("fakekind.controllers")


class FakeControllerBug(AssertionError):
    """A fake controller raised an error no real controller would meet: a bug in the fake."""


@dataclass(frozen=True)
class Failure:
    item: Hashable
    error: str
    """``Type: message``."""
    traceback: str
    expected: bool
    """A race a real controller also meets (retried quietly), not a bug in the fake."""


def expected(error: BaseException) -> bool:
    """Whether a real controller meets ``error`` in normal operation (and simply retries)."""
    if not isinstance(error, ApiError):
        return False
    if error.code in (404, 409):  # NotFound (deleted meanwhile), Conflict, AlreadyExists
        return True
    return error.code == 403 and "because it is being terminated" in error.message  # NamespaceTerminating


class WorkQueue:
    """Per-item exponential backoff and error records for one fake controller's thread."""

    def __init__(self, base_delay: float = 0.05, max_delay: float = 2.0, *, keep_expected: int = 200) -> None:
        # client-go's default is 5 ms to 1000 s; the fakes poll every 0.1 s, so a first retry on
        # the next pass and a cap of a few seconds keep tests quick without a tight loop.
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._failures: dict[Hashable, int] = {}
        self._not_before: dict[Hashable, float] = {}
        self._lock = threading.Lock()
        self.expected_failures: deque[Failure] = deque(maxlen=keep_expected)
        """The latest races retried quietly (for a test that wants to see them)."""
        self.unexpected: list[Failure] = []
        """Bugs in the fake, one per distinct traceback."""
        self._reported = 0

    def ready(self, item: Hashable) -> bool:
        with self._lock:
            return time.monotonic() >= self._not_before.get(item, 0.0)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)
            self._not_before.pop(item, None)

    def add_rate_limited(self, item: Hashable) -> float:
        """Back ``item`` off; returns the seconds it waits."""
        with self._lock:
            failures = self._failures.get(item, 0)
            self._failures[item] = failures + 1
            delay = min(self.base_delay * 2**failures, self.max_delay)
            self._not_before[item] = time.monotonic() + delay
            return delay

    def handle_error(self, item: Hashable, error: BaseException) -> None:
        """Record ``error`` (raised while reconciling ``item``) and back the item off."""
        failure = Failure(
            item=item,
            error=f"{type(error).__name__}: {error}",
            traceback="".join(traceback.format_exception(error)),
            expected=expected(error),
        )
        with self._lock:
            if failure.expected:
                self.expected_failures.append(failure)
            elif all(f.traceback != failure.traceback for f in self.unexpected):
                self.unexpected.append(failure)
        delay = self.add_rate_limited(item)
        log.log(
            logging.WARNING if failure.expected else logging.ERROR,
            "reconciling %r failed (retry in %.2f s): %s",
            item,
            delay,
            failure.traceback if not failure.expected else failure.error,
        )

    def run(self, item: Hashable, work: Callable[..., object], *args) -> bool:
        """Reconcile ``item`` with ``work(*args)`` unless it is backing off; True when it ran and succeeded."""
        if not self.ready(item):
            return False
        try:
            work(*args)
        except Exception as error:  # noqa: BLE001 - recorded and retried, as HandleError + AddRateLimited do
            self.handle_error(item, error)
            return False
        self.forget(item)
        return True

    def check(self) -> None:
        """Raise :class:`FakeControllerBug` with the tracebacks of bugs not reported yet."""
        with self._lock:
            new = self.unexpected[self._reported :]
            self._reported = len(self.unexpected)
        if new:
            raise FakeControllerBug(
                f"{len(new)} unexpected error(s) in a fake controller (a bug in the fake):\n\n"
                + "\n".join(f"while reconciling {f.item!r}:\n{f.traceback}" for f in new)
            )


__all__ = ["Failure", "FakeControllerBug", "WorkQueue", "expected"]
