"""Small-count suppression for everything the public view shows."""

from __future__ import annotations

from lib.i18n import fmt_int, t


def is_suppressed(count: int, threshold: int) -> bool:
    """Counts from 1 up to the threshold are hidden; zero is not a person and is shown."""
    return 0 < count < threshold


def count_text(count: int, threshold: int) -> str:
    return (
        t("suppressed", threshold=threshold) if is_suppressed(count, threshold) else fmt_int(count)
    )
