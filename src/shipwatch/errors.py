"""One exception family for shipwatch.

The CLI turns :class:`ShipwatchError` into a one-line message and an exit code; any other
exception is a bug.
"""

from __future__ import annotations

#: Longest message an error shows (longer ones, e.g. quoting a 300,000-character line, are cut).
MAX_MESSAGE = 1000


def one_line(text: str, *, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line (line breaks from quoted input or a library's message become spaces),
    cut to ``limit`` characters.

    Examples
    --------
    >>> one_line("cannot read Parquet data: Invalid data\\nDeserializing page header failed.\\n")
    'cannot read Parquet data: Invalid data Deserializing page header failed.'
    >>> len(one_line("x" * 5000))
    1000
    """
    flat = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ShipwatchError(Exception):
    """Base class of every error shipwatch raises on purpose.

    Its message is always one line of at most :data:`MAX_MESSAGE` characters (:func:`one_line`),
    whatever text from the input or from a library it quotes.
    """

    exit_code = 1

    def __str__(self) -> str:
        return one_line(super().__str__())


class InputError(ShipwatchError):
    """Input that cannot be used at all (exit code 2): say which file and what to do."""

    exit_code = 2


class UnknownLayoutError(InputError):
    """A file whose columns match no known AIS layout and no ``--map`` was given."""


class UnreadableFileError(InputError):
    """A file that cannot be opened or decoded."""


class FastPathError(UnreadableFileError):
    """The fast path of the CSV reader met a value or a line it does not take (read the file as
    text)."""


class QuotingError(UnreadableFileError):
    """A CSV file in which a quote opens a field that never closes (read it again with quotes as
    ordinary characters)."""


class MappingError(InputError):
    """A ``--map`` column mapping that is malformed or names columns the file lacks."""


class PortsError(InputError):
    """A ports file with an invalid feature (the message names the feature)."""


class ConfigError(InputError):
    """A settings/config file that is malformed or has unknown or invalid keys."""


class StoreError(ShipwatchError):
    """A store directory that is not a shipwatch store or is inconsistent."""


class ShipwatchWarning(UserWarning):
    """A result that could be computed but is probably wrong (for example an empty input)."""


class InputNotFoundError(InputError):
    """A path given on the command line that does not exist."""
