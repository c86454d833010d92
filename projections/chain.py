"""The tamper-evident hash chain over the stored event log.

Each link is sha256(previous link's hash, the event's position, and the stored
event's bytes: originator id, version, topic and state). Editing, deleting,
inserting or reordering a stored event changes every link from there on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, NamedTuple

from projections.database import Database

GENESIS = "0" * 64


def link(previous: str, notification: Any) -> str:
    """The chain hash of one stored event (a notification from the recorder)."""
    hasher = hashlib.sha256(previous.encode())
    hasher.update(
        f"|{notification.id}|{notification.originator_id}|{notification.originator_version}|"
        f"{notification.topic}|".encode()
    )
    hasher.update(bytes(notification.state))
    return hasher.hexdigest()


def head(db: Database) -> tuple[int, str]:
    """(position, hash) of the last link, or (0, GENESIS)."""
    row = db.fetchone("SELECT position, hash FROM tl_chain ORDER BY position DESC LIMIT 1")
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


class Links(NamedTuple):
    """Links made ahead of time from the chain's head at ``base``: valid while the head is there."""

    base: tuple[int, str]
    rows: list[tuple[int, str]]

    @property
    def head(self) -> tuple[int, str]:
        """The chain's head once these links are appended."""
        return self.rows[-1] if self.rows else self.base


def links_from(base: tuple[int, str], notifications: Sequence[Any]) -> Links:
    """The links of the notifications past ``base`` (position, hash), made without the database."""
    position, previous = base
    rows = []
    for notification in notifications:
        if notification.id <= position:
            continue
        previous = link(previous, notification)
        rows.append((notification.id, previous))
    return Links(base, rows)


def extend(db: Database, notifications: Sequence[Any], ahead: Links | None = None) -> None:
    """Append links for the notifications past the chain's head (inside the caller's transaction).

    ``ahead``: links made earlier from what the head was then; used if it still is, so a batch's
    hashing is done before its transaction rather than inside it."""
    base = head(db)
    rows = ahead.rows if ahead is not None and ahead.base == base else links_from(base, notifications).rows
    db.insert_many("tl_chain", ("position", "hash"), rows)
