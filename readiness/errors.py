"""Exceptions raised by :mod:`readiness`.

Every exception derives from :class:`ReadinessError` and, where it resembles one, from the builtin
it resembles, so ``except ValueError`` or ``except LookupError`` keep working. Errors about input
carry structured fields (``path``, ``line``, ``row``, ``column``, ``criterion``, ``key``, ``value``)
and render them as ``file:line: criterion 'x': message (got value)``. A file with several problems
raises one error holding all of them in :attr:`ReadinessError.problems`, sorted by location.

Every error pickles, so it survives multiprocessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "NO_VALUE",
    "CatalogError",
    "CycleError",
    "DuplicateError",
    "InputError",
    "MissingDependencyError",
    "NotFittedError",
    "OptionError",
    "OutputError",
    "PlanError",
    "Problem",
    "ReadinessError",
    "UnknownCatalogError",
    "UnknownCriterionError",
    "UnknownFacilityError",
    "UnknownIdError",
]


class _NoValue:
    """Sentinel: a problem with no offending value to show."""

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()
#: Longest rendering of an offending value in a message.
_SHOWN = 200


@attrs.frozen(kw_only=True)
class Problem:
    """One located problem in an input: a catalog, a facility list or an assessment file.

    Attributes
    ----------
    message : str
        What is wrong, in one sentence.
    path : str or None
        The file, as given by the user.
    line : int or None
        1-based line in the file, where known.
    row : int or None
        1-based data row (CSV rows after the header, JSON array items).
    column : str or None
        Column (CSV) or key (JSON) of the offending value.
    criterion : str or None
        Criterion the problem concerns.
    key : str or None
        Catalog key the problem concerns.
    value : object
        The offending value; :data:`NO_VALUE` when there is none to show.
    cell : str or None
        Spreadsheet cell (``vn-emr!D14``) of the value in an ``.xlsx`` file; shown instead of
        the row (which then only orders the problems).
    """

    message: str
    path: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    criterion: str | None = None
    key: str | None = None
    value: Any = NO_VALUE
    cell: str | None = None

    def location(self) -> str:
        """Return ``file:line`` (or ``file: row 3, column 'status'``) for the problem."""
        parts = []
        if self.path is not None:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.cell is not None:
            parts.append(self.cell)
        where = []
        if self.row is not None and self.cell is None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ": ".join(parts)
        if where:
            text = f"{text}: {', '.join(where)}" if text else ", ".join(where)
        return text

    def __str__(self) -> str:
        """Render as ``file:line: criterion 'x': key 'k': message (got value)``."""
        pieces = []
        location = self.location()
        if location:
            pieces.append(location)
        if self.criterion is not None:
            pieces.append(f"criterion {self.criterion!r}")
        if self.key is not None:
            pieces.append(f"key {self.key!r}")
        message = self.message
        if self.value is not NO_VALUE:
            shown = repr(self.value)
            if len(shown) > _SHOWN:  # the value itself stays whole on ``.value``
                shown = f"{shown[: _SHOWN - 20]}... ({len(shown):,} characters)"
            message = f"{message} (got {shown})"
        pieces.append(message)
        return ": ".join(pieces)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, then line or row, then text."""
        return (self.path or "", self.line or 0, self.row or 0, str(self))


class ReadinessError(Exception):
    """Base class of every error raised by readiness.

    Parameters
    ----------
    message : str
        What went wrong. Ignored when ``problems`` is given (the problems are the message).
    problems : iterable of Problem, optional
        Several located problems reported together.
    **fields
        Location fields of a single problem (``path``, ``line``, ``row``, ``column``,
        ``criterion``, ``key``, ``value``).
    """

    def __init__(
        self,
        message: str = "",
        *,
        problems: Iterable[Problem] = (),
        **fields: Any,
    ) -> None:
        found = sorted(problems, key=Problem.sort_key)
        if not found:
            found = [Problem(message=message, **fields)]
        self.problems: tuple[Problem, ...] = tuple(found)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        """Render every problem, one per line."""
        return self._render()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the problems, which hold everything."""
        return (_rebuild, (type(self), self.problems, self._extra_state()))

    def _extra_state(self) -> dict[str, Any]:
        return {}

    # The first problem's fields, for the common single-problem case.
    @property
    def message(self) -> str:
        """The message of the first problem."""
        return self.problems[0].message

    @property
    def path(self) -> str | None:
        """The file of the first problem."""
        return self.problems[0].path

    @property
    def line(self) -> int | None:
        """The line of the first problem."""
        return self.problems[0].line

    @property
    def row(self) -> int | None:
        """The data row of the first problem."""
        return self.problems[0].row

    @property
    def column(self) -> str | None:
        """The column of the first problem."""
        return self.problems[0].column

    @property
    def criterion(self) -> str | None:
        """The criterion of the first problem."""
        return self.problems[0].criterion

    @property
    def key(self) -> str | None:
        """The catalog key of the first problem."""
        return self.problems[0].key

    @property
    def value(self) -> Any:
        """The offending value of the first problem (:data:`NO_VALUE` if none)."""
        return self.problems[0].value


def _rebuild(
    cls: type[ReadinessError], problems: tuple[Problem, ...], extra: dict[str, Any]
) -> ReadinessError:
    error = cls.__new__(cls)
    error.problems = problems
    Exception.__init__(error, error._render())  # noqa: SLF001
    for name, value in extra.items():
        setattr(error, name, value)
    return error


class CatalogError(ReadinessError, ValueError):
    """A catalog file (or a set of catalogs) is invalid; every problem is listed."""


class CycleError(CatalogError):
    """Prerequisites form a cycle; :attr:`cycle` lists it, first node repeated at the end."""

    def __init__(
        self,
        message: str = "",
        *,
        cycle: Iterable[str] = (),
        problems: Iterable[Problem] = (),
        **fields: Any,
    ) -> None:
        self.cycle: tuple[str, ...] = tuple(cycle)
        super().__init__(message, problems=problems, **fields)

    def _extra_state(self) -> dict[str, Any]:
        return {"cycle": self.cycle}


class UnknownCatalogError(ReadinessError, LookupError):
    """No built-in catalog has that id and no such file exists."""


class UnknownCriterionError(ReadinessError, LookupError):
    """A criterion id is not in the loaded catalog."""


class UnknownIdError(ReadinessError, LookupError):
    """A deadline, milestone, level or other named item is not in the loaded catalogs."""


class InputError(ReadinessError, ValueError):
    """A facility list, an assessment or another input is malformed; every problem is listed."""


class DuplicateError(InputError):
    """The same facility, or the same facility x criterion x date, appears twice."""


class UnknownFacilityError(InputError, LookupError):
    """An assessment names a facility that is not in the facility list."""


class OptionError(ReadinessError, ValueError):
    """A function argument has a value that is not allowed (names the argument and value)."""


class PlanError(ReadinessError, ValueError):
    """A target or planning option cannot be honoured (e.g. an unknown level)."""


class NotFittedError(ReadinessError, AttributeError, ValueError):
    """An estimator was used before ``fit`` (mirrors scikit-learn's NotFittedError)."""


class MissingDependencyError(ReadinessError, ImportError):  # type: ignore[override]
    """An optional dependency is needed; the message names the extra to install."""


class OutputError(ReadinessError, OSError):
    """An output cannot be written safely; nothing was written.

    The destination is an input of the run, a symbolic link or not a regular file, or the text
    cannot be encoded.
    """
