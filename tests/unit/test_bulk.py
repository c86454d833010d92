"""The bulk path stores exactly what building the aggregate would (the timestamp aside)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
import pytest

from ledger import bulk, ids
from ledger.application import LedgerApp
from ledger.entitlement import Entitlement
from ledger.household import Household
from ledger.payout_line import PayoutLine

AUDIT = {"actor": "a", "command": "c", "line": 2}
CASES: list[tuple[type[Any], str, Any, dict[str, Any]]] = [
    (Household, "tledger:Household.Enrolled", ids.household_id("p", "H1"), {
        "program": "p", "household_id": "H1", "head_name": "Awa", "msisdn": "+22376123456", "region": "Kayes",
        "circle": "Kita", "commune": "Kita", "village": "Sirakoro", "operator": "om",
        "enrolled_on": date(2019, 1, 15), "productive": True, "audit": AUDIT}),
    (Entitlement, "tledger:Entitlement.Granted", ids.entitlement_id("p", "2019-Q1", "H1"), {
        "program": "p", "cycle": "2019-Q1", "household_id": "H1", "reference": "19Q1AAAAAAAAAAAA",
        "operator": "om", "amount": 30000, "currency": "XOF", "months": ("2019-01", "2019-02", "2019-03"),
        "components": {"regular": 30000}, "rule_version": 1, "audit": AUDIT}),
    (PayoutLine, "tledger:PayoutLine.Reported", ids.payout_line_id("om", "T1"), {
        "operator": "om", "operator_txn_id": "T1", "program": "p", "cycle": "2019-Q1", "reference": None,
        "household_id": "H1", "msisdn": None, "amount": 30000, "currency": "XOF",
        "paid_at": datetime(2019, 4, 2, 10, 15), "status": "success", "reason": None,
        "matched_reference": "19Q1AAAAAAAAAAAA", "match": "household_id", "audit": AUDIT}),
]


@pytest.mark.parametrize(("cls", "topic", "aggregate_id", "attrs"), CASES)
def test_bulk_created_event_equals_the_ordinary_one(cls: type[Any], topic: str, aggregate_id: Any,
                                                    attrs: dict[str, Any]) -> None:
    app = LedgerApp(env={"PERSISTENCE_MODULE": "eventsourcing.popo",
                         "TRANSCODER_TOPIC": "projections.transcoder:OrjsonTranscoder"})
    [fast] = bulk.created_events(app, cls.TOPIC, topic, [(aggregate_id, attrs)])
    aggregate = cls(**attrs)
    [ordinary] = [app.mapper.to_stored_event(e) for e in aggregate.collect_events()]
    assert (fast.originator_id, fast.originator_version, fast.topic) == (
        ordinary.originator_id, ordinary.originator_version, ordinary.topic)
    fast_state, ordinary_state = orjson.loads(fast.state), orjson.loads(ordinary.state)
    fast_state.pop("timestamp")
    ordinary_state.pop("timestamp")
    assert fast_state == ordinary_state

    bulk.insert(app, [fast])
    stored: Any = app.repository.get(aggregate_id)
    assert type(stored) is cls and stored.version == 1
    # JSON has no tuples: a tuple attribute comes back as a list, on either path.
    assert {k: getattr(stored, k) for k in attrs if hasattr(stored, k)} == {
        k: list(v) if isinstance(v, tuple) else v for k, v in attrs.items() if hasattr(stored, k)}


@pytest.mark.parametrize(("cls", "topic", "aggregate_id", "attrs"), CASES)
def test_the_batch_timestamp_is_stored_as_the_transcoder_encodes_the_whole_state(
        cls: type[Any], topic: str, aggregate_id: Any, attrs: dict[str, Any]) -> None:
    app = LedgerApp(env={"PERSISTENCE_MODULE": "eventsourcing.popo",
                         "TRANSCODER_TOPIC": "projections.transcoder:OrjsonTranscoder"})
    [fast] = bulk.created_events(app, cls.TOPIC, topic, [(aggregate_id, attrs)])
    timestamp = app.mapper.transcoder.decode(fast.state)["timestamp"]
    whole = app.mapper.transcoder.encode({"timestamp": timestamp, "originator_topic": cls.TOPIC, **attrs})
    assert fast.state == whole
