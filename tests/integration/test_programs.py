"""Program definitions as events: defined once, revised by a changed file, never silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.programs import ProgramFileError
from ledger.errors import RuleChangeRefused
from workflows.programs import add_program, list_programs
from workflows.runtime import Ledger

from conftest import PROGRAMS

JIGI = (PROGRAMS / "jigisemejiri.toml").read_text(encoding="utf-8")


def test_adding_the_same_file_twice_records_one_version(ledger: Ledger) -> None:
    first = add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    again = add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    assert (first.outcome, first.version) == ("defined", 1)
    assert (again.outcome, again.version) == ("unchanged", 1)
    [program] = list_programs(ledger)
    assert program["code"] == "jigisemejiri"
    assert program["currency"] == "XOF"
    assert program["rules"] == {
        "monthly_amount": 10_000, "duration_months": 36, "cycle_months": 3, "one_offs": [],
    }


def test_a_changed_file_records_a_new_rule_version(ledger: Ledger, tmp_path: Path) -> None:
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    changed = tmp_path / "jigi-v2.toml"
    changed.write_text(
        JIGI.replace("effective_from = 2013-01-01", "effective_from = 2020-01-01")
        .replace("monthly_amount = 10000", "monthly_amount = 12000"),
        encoding="utf-8",
    )
    outcome = add_program(ledger, changed)
    assert (outcome.outcome, outcome.version) == ("revised", 2)
    [program] = list_programs(ledger)
    assert (program["version"], program["effective_from"]) == (2, "2020-01-01")
    assert program["rules"]["monthly_amount"] == 12_000


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("monthly_amount = 10000", "monthly_amount = 12000",
         "needs an effective_from after 2013-01-01 (version 1), file says 2013-01-01"),
        ('currency = "XOF"', 'currency = "EUR"', "currency cannot change (recorded XOF, file says EUR)"),
        ("cycle_months = 3", "cycle_months = 1", "cycle_months cannot change (recorded 3, file says 1)"),
    ],
)
def test_changes_that_would_break_history_are_refused(
    ledger: Ledger, tmp_path: Path, old: str, new: str, message: str
) -> None:
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    changed = tmp_path / "changed.toml"
    changed.write_text(JIGI.replace(old, new), encoding="utf-8")
    with pytest.raises(RuleChangeRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        add_program(ledger, changed)
    assert list_programs(ledger)[0]["version"] == 1


def test_an_invalid_definition_names_the_field_and_records_nothing(ledger: Ledger, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(JIGI.replace("monthly_amount = 10000", "monthly_amount = 10000.5"), encoding="utf-8")
    with pytest.raises(ProgramFileError) as caught:
        add_program(ledger, bad)
    assert "field 'monthly_amount', value 10000.5: Input should be a valid integer" in str(caught.value)
    assert list_programs(ledger) == []
