"""Every stored event topic has a read-model handler, and every handler names a real event."""

from __future__ import annotations

from eventsourcing.utils import resolve_topic

import ledger.application  # noqa: F401  (registers every aggregate's topics)
from ledger.cycle import Cycle
from ledger.enrolment_file import EnrolmentFile
from ledger.entitlement import Entitlement
from ledger.household import Household
from ledger.payout_file import PaymentList, PayoutFile
from ledger.payout_line import PayoutLine
from ledger.program import Program
from projections.handlers import HANDLERS

AGGREGATES = (Program, Household, Cycle, Entitlement, EnrolmentFile, PayoutLine, PayoutFile, PaymentList)


def _event_topics() -> set[str]:
    topics = set()
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            topic = getattr(value, "TOPIC", None)
            if isinstance(value, type) and topic and name not in ("Created", "Event"):
                topics.add(topic)
    return topics


def test_every_handler_topic_resolves_to_an_event_class() -> None:
    for topic in HANDLERS:
        assert resolve_topic(topic).TOPIC == topic


def test_every_event_has_a_handler() -> None:
    assert _event_topics() == set(HANDLERS)
