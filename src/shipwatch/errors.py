"""One exception family for shipwatch.

The CLI turns :class:`ShipwatchError` into a one-line message and an exit code; any other
exception is a bug.
"""

from __future__ import annotations


class ShipwatchError(Exception):
    """Base class of every error shipwatch raises on purpose."""

    exit_code = 1


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
