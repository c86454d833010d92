"""Deterministic aggregate ids: uuid5 of a natural key.

Creating the same natural key twice hits the event store's unique
``(originator_id, originator_version)`` constraint, which is what makes every
command idempotent: re-running it can never duplicate money.
Never change these formulas: stored events are addressed by them.
"""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c7a52-3d0e-5b8e-9a51-7c0b8d1e2f40")


def program_id(program: str) -> UUID:
    return uuid5(NAMESPACE, f"program/{program}")


def household_id(program: str, household: str) -> UUID:
    return uuid5(NAMESPACE, f"household/{program}/{household}")


def cycle_id(program: str, label: str) -> UUID:
    return uuid5(NAMESPACE, f"cycle/{program}/{label}")


def entitlement_id(program: str, label: str, household: str) -> UUID:
    return uuid5(NAMESPACE, f"entitlement/{program}/{label}/{household}")


def enrolment_file_id(program: str, sha256: str) -> UUID:
    return uuid5(NAMESPACE, f"enrolment-file/{program}/{sha256}")
