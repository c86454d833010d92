"""The stored event format: JSON, encoded and decoded with orjson.

Byte-for-byte the same conventions as eventsourcing's ``JSONTranscoder`` (custom
types as ``{"_type_": name, "_data_": value}``), several times faster. orjson
writes UUIDs as plain strings, so event attributes must not be UUIDs (none are:
ids travel as ``originator_id``, natural keys as strings).

``view_state`` is the read models' fast path: it decodes a stored event into a
plain namespace whose dates and datetimes stay ISO strings, which is what the
read-model tables store, without building the domain event object.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper


class OrjsonTranscoder(JSONTranscoder):
    def encode(self, obj: Any) -> bytes:
        # orjson's result keeps its 4 KiB working buffer: a batch of 100,000 encoded events
        # held 800 MB instead of 50. A copy of the right size costs a memcpy.
        return memoryview(
            orjson.dumps(obj, default=self._encode_obj, option=orjson.OPT_PASSTHROUGH_DATETIME)
        ).tobytes()

    def decode(self, data: bytes) -> Any:
        return self._revive(orjson.loads(data))

    def _revive(self, value: Any) -> Any:
        if type(value) is dict:
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self.names[value["_type_"]].decode(self._revive(value["_data_"]))
            return {key: self._revive(item) for key, item in value.items()}
        if type(value) is list:
            return [self._revive(item) for item in value]
        return value


_CONTAINERS = (dict, list)


def _plain(value: Any) -> Any:
    if type(value) is dict:
        if "_type_" in value and len(value) == 2 and "_data_" in value:
            return value["_data_"]
        if any(type(item) in _CONTAINERS for item in value.values()):
            return {key: _plain(item) for key, item in value.items()}
        return value
    if type(value) is list:
        if any(type(item) in _CONTAINERS for item in value):
            return [_plain(item) for item in value]
    return value


def view_state(mapper: Mapper[Any], notification: Any) -> SimpleNamespace:
    """The event's attributes as plain values (dates and datetimes as ISO strings)."""
    data = notification.state
    if mapper.cipher:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor:
        data = mapper.compressor.decompress(data)
    state = orjson.loads(data)
    typed = data.count(b'"_type_"')
    if typed:
        for key, value in state.items():
            if type(value) is dict and "_type_" in value:
                state[key] = value["_data_"]
                typed -= 1
        if typed:  # typed values nested deeper (no current event has them): the full walk
            state = {key: _plain(value) for key, value in state.items()}
    return SimpleNamespace(
        originator_id=notification.originator_id, originator_version=notification.originator_version, **state
    )
