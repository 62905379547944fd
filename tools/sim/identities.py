"""Fictitious vessel identities: names, MMSIs, IMO numbers and call signs.

Every simulated ship gets an identity that cannot be a real ship's:

* IMO numbers are drawn from the 1xxxxxx block with a valid check digit. Ship IMO numbers have so far
  been issued from 5000000 upwards, so these pass a check-digit test yet belong to no ship.
* MMSIs use the flag's real MID (273 Russia, 412 China, 440 Korea, 445 DPRK, 351 Panama) followed by
  the block ``99``, and never equal a real MMSI named in ``domain.md`` (:data:`KNOWN_REAL_MMSI`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.tracks import Vessel

KNOWN_REAL_MMSI: frozenset[int] = frozenset({273210440})  # Angara (domain.md §2)
KNOWN_REAL_IMO: frozenset[int] = frozenset({9179842, 9161003})  # Angara, Lady R

FLAG_MID: dict[str, int] = {"RU": 273, "CN": 412, "KR": 440, "KP": 445, "PA": 351}
_CALLSIGN_PREFIX: dict[str, str] = {"RU": "UB", "CN": "BO", "KR": "DS", "KP": "HM", "PA": "3E"}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def imo_check_digit(first_six: int) -> int:
    """The IMO check digit of a six-digit stem (weights 7..2, sum modulo 10).

    Examples
    --------
    >>> imo_check_digit(930783)
    9
    """
    digits = [int(c) for c in f"{first_six:06d}"]
    return sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10


def imo_is_valid(imo: int) -> bool:
    """True when a 7-digit IMO number's last digit is its check digit."""
    return 1_000_000 <= imo <= 9_999_999 and imo_check_digit(imo // 10) == imo % 10


@dataclass
class IdentityFactory:
    """Hands out unique fictitious MMSIs, IMOs and call signs from a seeded generator."""

    rng: np.random.Generator
    _mmsi: set[int] = field(default_factory=set)
    _imo: set[int] = field(default_factory=set)
    _call: set[str] = field(default_factory=set)

    def mmsi(self, flag: str = "RU") -> int:
        """A new 9-digit MMSI ``MID 99 xxxx`` for the flag (ISO country code)."""
        mid = FLAG_MID[flag]
        while True:
            value = mid * 1_000_000 + 990_000 + int(self.rng.integers(0, 10_000))
            if value not in self._mmsi and value not in KNOWN_REAL_MMSI:
                self._mmsi.add(value)
                return value

    def imo(self) -> int:
        """A new 7-digit IMO number in the unissued 1xxxxxx block, with a valid check digit."""
        while True:
            stem = 100_000 + int(self.rng.integers(0, 100_000))
            value = stem * 10 + imo_check_digit(stem)
            if value not in self._imo:
                self._imo.add(value)
                return value

    def callsign(self, flag: str = "RU") -> str:
        """A new call sign with the flag's usual prefix."""
        while True:
            tail = "".join(_LETTERS[int(i)] for i in self.rng.integers(0, 26, size=2))
            value = f"{_CALLSIGN_PREFIX[flag]}{tail}{int(self.rng.integers(2, 10))}"
            if value not in self._call:
                self._call.add(value)
                return value

    def vessel(
        self,
        name: str,
        flag: str,
        ship_type: int,
        length: float,
        width: float,
        draught: float,
        *,
        imo: bool = True,
        underway_s: float = 900.0,
        berth_s: float = 3600.0,
        mmsi: int | None = None,
    ) -> Vessel:
        """A fictitious class-A vessel: new MMSI (unless given), IMO (unless ``imo=False``) and callsign."""
        from sim.tracks import Vessel

        return Vessel(
            mmsi if mmsi is not None else self.mmsi(flag),
            name,
            self.imo() if imo else None,
            self.callsign(flag),
            ship_type,
            float(length),
            float(width),
            draught,
            "A",
            underway_s,
            berth_s,
        )
