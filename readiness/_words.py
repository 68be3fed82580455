"""Counted nouns in messages: "1 blocker", "3 blockers", "1 criterion", "2 criteria"."""

from __future__ import annotations

__all__ = ["count"]

_PLURALS = {"criterion": "criteria", "facility": "facilities"}


def count(number: int, noun: str) -> str:
    """Return ``number`` with ``noun`` in the singular or plural, thousands separated.

    Examples
    --------
    >>> count(1, "blocker"), count(0, "blocker"), count(2, "criterion"), count(1500, "step")
    ('1 blocker', '0 blockers', '2 criteria', '1,500 steps')
    """
    word = noun if number == 1 else _PLURALS.get(noun, noun + "s")
    return f"{number:,} {word}"
