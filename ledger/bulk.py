"""Creating many new aggregates at once, without building aggregate objects.

A cycle of a million households means a million "created" events. Building each
aggregate (and its event object) only to serialise it again dominated the cost,
so bulk use cases build the stored event directly: the same state the mapper
would store for ``AggregateClass(**attrs)`` (timestamp, originator_topic and the
attributes), encoded by the application's own transcoder, compressor and cipher.
A unit test holds this equal to the ordinary path. The unique
``(originator_id, originator_version)`` constraint still makes a second
creation of the same id fail, so idempotency is unchanged.

Where the recorder can take a stream (PostgreSQL's COPY, see
``projections.event_store``), the events are encoded as the database stores them,
so the encoding here and the inserting there overlap instead of taking turns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import datetime_now_with_tzinfo
from eventsourcing.persistence import StoredEvent


@runtime_checkable
class StreamingRecorder(Protocol):
    def insert_stream(self, stored: Iterable[StoredEvent]) -> int:
        """Append the events as they come, in one transaction (all or nothing); how many."""


def created_events(
    app: Application[Any], aggregate_topic: str, event_topic: str, rows: Iterable[tuple[UUID, dict[str, Any]]]
) -> Iterator[StoredEvent]:
    """Stored "created" events (version 1) for new aggregates, made as they are taken; one
    timestamp for the batch."""
    mapper = app.mapper
    encode = mapper.transcoder.encode
    # The batch's one timestamp is encoded once and set in front of each event's attributes:
    # the bytes of encoding {"timestamp": ..., "originator_topic": ..., **attrs} (JSON keeps the
    # keys in order), without a datetime conversion per event.
    stamp = encode({"timestamp": datetime_now_with_tzinfo()})[:-1] + b","
    for originator_id, attrs in rows:
        state = stamp + encode({"originator_topic": aggregate_topic, **attrs})[1:]
        if mapper.compressor:
            state = mapper.compressor.compress(state)
        if mapper.cipher:
            state = mapper.cipher.encrypt(state)
        yield StoredEvent(originator_id=originator_id, originator_version=1, topic=event_topic, state=state)


def insert(app: Application[Any], stored: Iterable[StoredEvent]) -> int:
    """Append in one transaction (all or nothing); IntegrityError if any id exists already."""
    recorder = app.recorder
    if isinstance(recorder, StreamingRecorder):
        return recorder.insert_stream(stored)
    events = list(stored)
    if events:
        recorder.insert_events(events)
    return len(events)
