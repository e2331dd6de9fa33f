"""A registry of demo-data seeders; each package registers its own and `flask seed-demo` runs them in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Seeder = Callable[[], list[str]]
"""Seeds its part of the demo municipality; returns lines worth printing (e.g. credentials)."""


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    seed: Seeder


_seeders: list[_Registered] = []


def seeder(order: int, name: str) -> Callable[[Seeder], Seeder]:
    def register(function: Seeder) -> Seeder:
        if all(existing.name != name for existing in _seeders):
            _seeders.append(_Registered(order, name, function))
        return function

    return register


def registered_seeders() -> list[tuple[str, Seeder]]:
    return [(item.name, item.seed) for item in sorted(_seeders, key=lambda item: item.order)]
