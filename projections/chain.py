"""The tamper-evident hash chain over the stored event log.

Each link is sha256(previous link's hash, the event's position, and the stored
event's bytes: originator id, version, topic and state). Editing, deleting,
inserting or reordering a stored event changes every link from there on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

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


def extend(db: Database, notifications: Sequence[Any]) -> None:
    """Append links for the notifications past the chain's head (inside the caller's transaction)."""
    position, previous = head(db)
    rows = []
    for notification in notifications:
        if notification.id <= position:
            continue
        previous = link(previous, notification)
        rows.append((notification.id, previous))
    db.insert_many("tl_chain", ("position", "hash"), rows)
