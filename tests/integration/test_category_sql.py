"""The read model's SQL category equals the pure definition (``classify``) on random histories,
on both backends: lines of every status, reversals, adjustments and cancellations."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.database import parse_database_url
from projections.categories import status as entitlement_status
from projections.database import Database
from projections.schema import create_views
from reconciliation.matching import Line, classify

LINES = st.lists(
    st.tuples(st.sampled_from([10_000, 20_000, 30_000, 60_000]), st.sampled_from(["success", "failed", "pending"]),
              st.booleans()),
    max_size=4,
)


def test_sql_category_matches_classify(db_url: str) -> None:
    db = Database(parse_database_url(db_url))
    create_views(db)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(due=st.sampled_from([0, 20_000, 30_000]), cancelled=st.booleans(), lines=LINES)
    def check(due: int, cancelled: bool, lines: list[tuple[int, str, bool]]) -> None:
        with db.transaction():
            db.execute("DELETE FROM tl_entitlements")
            db.execute("DELETE FROM tl_payout_lines")
            db.execute(
                "INSERT INTO tl_entitlements (program, cycle, household_id, operator, amount, currency, months, "
                "components, rule_version, granted_at, reference, due, cancelled) "
                "VALUES ('p', '2019-Q1', 'H', 'op', ?, 'XOF', '', '{}', 1, '', 'REF', ?, ?)",
                (due, due, int(cancelled)),
            )
            for n, (amount, status, reversed_) in enumerate(lines):
                db.execute(
                    "INSERT INTO tl_payout_lines (operator, operator_txn_id, program, cycle, amount, status, "
                    "reversed, recorded_at, matched_reference, match) "
                    "VALUES ('op', ?, 'p', '2019-Q1', ?, ?, ?, '', 'REF', 'reference')",
                    (f"T{n}", amount, status, int(reversed_ and status == "success")),
                )
        query = entitlement_status("e.reference = 'REF'")
        row = db.fetchone(f"SELECT s.category FROM {query} s")
        expected = classify(due, cancelled, [Line(a, s, r and s == "success") for a, s, r in lines])
        assert row is not None and row[0] == expected

    try:
        check()
    finally:
        db.close()
