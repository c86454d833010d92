"""Creating many new aggregates at once, without building aggregate objects.

A cycle of a million households means a million "created" events. Building each
aggregate (and its event object) only to serialise it again dominated the cost,
so bulk use cases build the stored event directly: the same state the mapper
would store for ``AggregateClass(**attrs)`` (timestamp, originator_topic and the
attributes), encoded by the application's own transcoder, compressor and cipher.
A unit test holds this equal to the ordinary path. The unique
``(originator_id, originator_version)`` constraint still makes a second
creation of the same id fail, so idempotency is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import datetime_now_with_tzinfo
from eventsourcing.persistence import StoredEvent


def created_events(
    app: Application[Any], aggregate_topic: str, event_topic: str, rows: Iterable[tuple[UUID, dict[str, Any]]]
) -> list[StoredEvent]:
    """Stored "created" events (version 1) for new aggregates; one timestamp for the batch."""
    mapper = app.mapper
    encode = mapper.transcoder.encode
    # The batch's one timestamp is encoded once and set in front of each event's attributes:
    # the bytes of encoding {"timestamp": ..., "originator_topic": ..., **attrs} (JSON keeps the
    # keys in order), without a datetime conversion per event.
    stamp = encode({"timestamp": datetime_now_with_tzinfo()})[:-1] + b","
    stored = []
    for originator_id, attrs in rows:
        state = stamp + encode({"originator_topic": aggregate_topic, **attrs})[1:]
        if mapper.compressor:
            state = mapper.compressor.compress(state)
        if mapper.cipher:
            state = mapper.cipher.encrypt(state)
        stored.append(StoredEvent(originator_id=originator_id, originator_version=1, topic=event_topic,
                                  state=state))
    return stored


def insert(app: Application[Any], stored: list[StoredEvent]) -> int:
    """Append in one transaction (all or nothing); IntegrityError if any id exists already."""
    if stored:
        app.recorder.insert_events(stored)
    return len(stored)
