"""Program and Household aggregates: guards, exact refusals, events, and replay (in memory)."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import pytest
from eventsourcing.domain import Aggregate

from ledger import ids
from ledger.application import LedgerApp
from ledger.errors import LedgerError, RuleChangeRefused, StatusChangeRefused
from ledger.household import Household
from ledger.program import Program
from ledger.rules import HouseholdTerms, OneOff, Rules

AUDIT = {"actor": "amadou.finance", "command": "pytest"}
RULES = Rules(monthly_amount=10_000, duration_months=36, cycle_months=3)
RAISED = Rules(monthly_amount=12_500, duration_months=36, cycle_months=3)
A = TypeVar("A", bound=Aggregate)
WHO = "household 'KITA-000001' of program 'jigisemejiri'"


def program() -> Program:
    return Program(
        code="jigisemejiri",
        name="Jigisemejiri",
        currency="XOF",
        effective_from=date(2019, 1, 1),
        rules=RULES.as_dict(),
        audit=AUDIT,
    )


def household(enrolled_on: date = date(2019, 2, 15)) -> Household:
    return Household(
        program="jigisemejiri",
        household_id="KITA-000001",
        head_name="Awa Traoré",
        msisdn="+22376000001",
        region="Kayes",
        circle="Kita",
        commune="Kita",
        village="Kita 1",
        operator="orange-money",
        enrolled_on=enrolled_on,
        productive=True,
        audit=AUDIT,
    )


def replayed(aggregate: A) -> A:
    """Save to an in-memory event store and read the aggregate back from its events."""
    app = LedgerApp(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.save(aggregate)
    copy: A = app.repository.get(aggregate.id)
    assert copy is not aggregate
    return copy


# Program ---------------------------------------------------------------------------------


def test_defining_a_program_records_version_one() -> None:
    defined = program()
    [event] = defined.collect_events()
    assert type(event).__name__ == "Defined"
    assert (event.originator_id, defined.id) == (ids.program_id("jigisemejiri"),) * 2
    assert (defined.code, defined.currency, defined.current.version) == ("jigisemejiri", "XOF", 1)
    assert defined.current.rules == RULES


def test_a_revision_with_a_later_effective_date_is_version_two() -> None:
    revised = program()
    assert revised.revise("Jigisemejiri II", "XOF", date(2020, 1, 1), RAISED, AUDIT) is True
    assert [type(e).__name__ for e in revised.pending_events] == ["Defined", "Revised"]
    assert revised.pending_events[-1].version == 2  # type: ignore[attr-defined]
    assert (revised.name, revised.current.version, revised.current.rules) == ("Jigisemejiri II", 2, RAISED)


def test_an_unchanged_definition_records_nothing() -> None:
    unchanged = program()
    unchanged.collect_events()
    assert unchanged.revise("Jigisemejiri", "XOF", date(2019, 1, 1), RULES, AUDIT) is False
    assert unchanged.pending_events == []
    assert unchanged.current.version == 1


def test_the_currency_cannot_change_even_if_nothing_else_does() -> None:
    with pytest.raises(RuleChangeRefused) as caught:
        program().revise("Jigisemejiri", "EUR", date(2019, 1, 1), RULES, AUDIT)
    assert str(caught.value) == "program 'jigisemejiri': currency cannot change (recorded XOF, file says EUR)"


def test_the_cycle_length_cannot_change() -> None:
    bimonthly = Rules(monthly_amount=10_000, duration_months=36, cycle_months=2)
    with pytest.raises(RuleChangeRefused) as caught:
        program().revise("Jigisemejiri", "XOF", date(2020, 1, 1), bimonthly, AUDIT)
    assert str(caught.value) == "program 'jigisemejiri': cycle_months cannot change (recorded 3, file says 2)"


@pytest.mark.parametrize("effective_from", [date(2019, 1, 1), date(2018, 12, 31)])
def test_a_changed_definition_needs_a_later_effective_date(effective_from: date) -> None:
    refused = program()
    with pytest.raises(RuleChangeRefused) as caught:
        refused.revise("Jigisemejiri", "XOF", effective_from, RAISED, AUDIT)
    assert str(caught.value) == (
        "program 'jigisemejiri': a changed definition needs an effective_from after "
        f"2019-01-01 (version 1), file says {effective_from.isoformat()}"
    )
    assert len(refused.pending_events) == 1


def test_rules_on_picks_the_version_in_effect() -> None:
    versioned = program()
    versioned.revise("Jigisemejiri", "XOF", date(2020, 7, 1), RAISED, AUDIT)
    assert versioned.rules_on(date(2019, 1, 1)).version == 1
    assert versioned.rules_on(date(2020, 6, 30)).version == 1
    assert versioned.rules_on(date(2020, 7, 1)).rules == RAISED
    assert versioned.rules_on(date(2031, 1, 1)).version == 2


def test_no_rules_are_in_effect_before_the_first_version() -> None:
    with pytest.raises(LedgerError) as caught:
        program().rules_on(date(2018, 12, 31))
    assert str(caught.value) == (
        "program 'jigisemejiri' has no rules in effect on 2018-12-31: "
        "its first version is effective from 2019-01-01"
    )


def test_a_replayed_program_has_the_same_versions() -> None:
    live = program()
    one_off = Rules(10_000, 36, 3, (OneOff("productive", 250_000, "productive"),))
    live.revise("Jigisemejiri", "XOF", date(2020, 1, 1), one_off, AUDIT)
    copy = replayed(live)
    assert (copy.version, copy.name, copy.currency) == (2, live.name, "XOF")
    assert copy.versions == live.versions


# Household -------------------------------------------------------------------------------


def test_enrolment_is_active_with_no_history() -> None:
    enrolled = household()
    assert enrolled.id == ids.household_id("jigisemejiri", "KITA-000001")
    assert (enrolled.status, enrolled.last_status_on) == ("active", date(2019, 2, 15))
    expected = HouseholdTerms("KITA-000001", date(2019, 2, 15), True, operator="orange-money")
    assert enrolled.terms() == expected


def test_status_events_carry_program_household_date_reason_and_audit() -> None:
    h = household()
    h.suspend(date(2019, 4, 1), "duplicate under review", AUDIT)
    h.reinstate(date(2019, 5, 3), "review cleared", {**AUDIT, "line": 7})
    h.exit(date(2019, 9, 20), "moved to Bamako", AUDIT)
    events = h.collect_events()[1:]
    assert {(e.program, e.household_id) for e in events} == {  # type: ignore[attr-defined]
        ("jigisemejiri", "KITA-000001")
    }
    assert [(type(e).__name__, e.on, e.reason, e.audit) for e in events] == [  # type: ignore[attr-defined]
        ("Suspended", date(2019, 4, 1), "duplicate under review", AUDIT),
        ("Reinstated", date(2019, 5, 3), "review cleared", {**AUDIT, "line": 7}),
        ("Exited", date(2019, 9, 20), "moved to Bamako", AUDIT),
    ]
    assert [e.originator_version for e in events] == [2, 3, 4]


def test_terms_reflect_the_history() -> None:
    h = household()
    h.suspend(date(2019, 4, 1), "review", AUDIT)
    assert h.terms().suspensions == ((date(2019, 4, 1), None),)
    h.reinstate(date(2019, 5, 3), "cleared", AUDIT)
    h.suspend(date(2019, 5, 3), "review again", AUDIT)
    h.reinstate(date(2019, 8, 1), "cleared", AUDIT)
    h.exit(date(2019, 9, 20), "moved", AUDIT)
    terms = h.terms()
    assert terms.suspensions == (
        (date(2019, 4, 1), date(2019, 5, 3)),
        (date(2019, 5, 3), date(2019, 8, 1)),
    )
    assert (terms.exited_on, h.status, h.last_status_on) == (date(2019, 9, 20), "exited", date(2019, 9, 20))


def test_an_exit_while_suspended_closes_the_suspension() -> None:
    h = household()
    h.suspend(date(2019, 4, 1), "review", AUDIT)
    h.exit(date(2019, 6, 10), "deceased", AUDIT)
    assert h.terms().suspensions == ((date(2019, 4, 1), date(2019, 6, 10)),)
    assert (h.status, h.exited_on) == ("exited", date(2019, 6, 10))


def test_a_replayed_household_equals_the_live_one() -> None:
    live = household()
    live.suspend(date(2019, 4, 1), "review", AUDIT)
    live.exit(date(2019, 6, 10), "deceased", AUDIT)
    copy = replayed(live)
    assert copy.terms() == live.terms()
    assert (copy.version, copy.status, copy.last_status_on) == (3, "exited", date(2019, 6, 10))
    assert (copy.head_name, copy.msisdn, copy.village) == ("Awa Traoré", "+22376000001", "Kita 1")


@pytest.mark.parametrize(
    ("history", "verb", "state"),
    [
        (["suspend"], "suspend", "suspended"),
        (["exit"], "suspend", "exited"),
        ([], "reinstate", "active"),
        (["exit"], "reinstate", "exited"),
        (["exit"], "exit", "exited"),
    ],
)
def test_changes_that_do_not_fit_the_status_are_refused(
    history: list[str], verb: str, state: str
) -> None:
    h = household()
    for action in history:
        getattr(h, action)(date(2019, 4, 1), "first", AUDIT)
    before = len(h.pending_events)
    with pytest.raises(StatusChangeRefused) as caught:
        getattr(h, verb)(date(2019, 5, 1), "second", AUDIT)
    assert str(caught.value) == f"cannot {verb} {WHO}: it is {state}"
    assert len(h.pending_events) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(reason: str) -> None:
    with pytest.raises(StatusChangeRefused) as caught:
        household().exit(date(2019, 5, 1), reason, AUDIT)
    assert str(caught.value) == f"cannot exit {WHO}: a reason is required"


def test_a_change_before_enrolment_is_refused() -> None:
    with pytest.raises(StatusChangeRefused) as caught:
        household().suspend(date(2019, 2, 14), "review", AUDIT)
    assert str(caught.value) == (
        f"cannot suspend {WHO} on 2019-02-14: before its last recorded change or enrolment on 2019-02-15"
    )


def test_a_change_before_the_last_change_is_refused_and_the_same_day_is_not() -> None:
    h = household()
    h.suspend(date(2019, 4, 10), "review", AUDIT)
    with pytest.raises(StatusChangeRefused) as caught:
        h.reinstate(date(2019, 4, 9), "cleared", AUDIT)
    assert str(caught.value) == (
        f"cannot reinstate {WHO} on 2019-04-09: before its last recorded change or enrolment on 2019-04-10"
    )
    h.reinstate(date(2019, 4, 10), "cleared", AUDIT)
    assert h.status == "active"
