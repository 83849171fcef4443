"""One error hierarchy: what the user can fix fails at once, everything else is the machinery's.

`UserError` and its subclasses mean the input is wrong (a rejected delivery, a blocking expectation, a bad
seed or setting): the message is one line naming the file, row and column or the seed row; re-running
does not help until the input is fixed, so Airflow fails the task without retries and the CLI prints the
line without a traceback. Any other exception is the machinery's (an outage, a bug): Airflow retries it
and its traceback is kept.
"""

from __future__ import annotations

import os


class UserError(RuntimeError):
    """The input, not the machine, is wrong: fail at once, no retries, one line (no traceback)."""


class DeliveryError(UserError):
    """A delivery was rejected, is blocked by the raw gate, or there is nothing to load."""


class QualityGateError(UserError):
    """A blocking expectation failed; the message is the gate's summary (first line: the counts)."""


class ConfigError(UserError, ValueError):
    """A business setting (dbt seed) or `_source.yml` that cannot be used; names the file and row."""


def is_user_error(exc: BaseException) -> bool:
    """True for errors the user must fix (also when wrapped as the `__cause__` of another exception)."""
    while exc is not None:
        if isinstance(exc, UserError):
            return True
        exc = exc.__cause__  # type: ignore[assignment]
    return False


def debug() -> bool:
    """`CVM_DEBUG=1`: show tracebacks for user errors too."""
    return bool(os.environ.get("CVM_DEBUG"))


def one_line(exc: BaseException) -> str:
    """The first line of an error's message (its type name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
