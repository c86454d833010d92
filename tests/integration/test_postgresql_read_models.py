"""PostgreSQL's read models as a national import needs them: text compared byte by byte (as
SQLite does), and the entitlements vacuumed once a payment list has marked them, so that the
operator's confirmation file looks its references up in the index alone."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reconciliation.payout_row import PayoutRow
from workflows import disbursement
from workflows.disbursement import issue_payment_list
from workflows.payout_checks import known_references
from workflows.runtime import Ledger


@pytest.fixture
def db_url(pg_url: str) -> str:
    """Every ledger of this module is on PostgreSQL."""
    return pg_url


def test_read_model_text_compares_bytes_whatever_the_server_locale(quarter: Ledger) -> None:
    columns = quarter.db.fetchall(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name LIKE 'tl\\_%' AND data_type = 'text'"
    )
    assert len(columns) > 50
    assert [c for c in columns if c[2] != "C"] == []


def test_issuing_a_list_leaves_the_references_to_an_index_only_lookup(
    quarter: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(disbursement, "ANALYZE_AFTER", 1)  # a real list has thousands of lines
    issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "orange-money", tmp_path / "om.csv")
    pages, visible = quarter.db.fetchone(
        "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'tl_entitlements'") or (0, -1)
    assert pages > 0 and visible == pages  # vacuumed after the update that marked the listed rows

    references = [row["reference"] for row in csv.DictReader((tmp_path / "om.csv").open(encoding="utf-8"))]
    quarter.db.execute("SET enable_seqscan = off")  # ten rows: the planner would rather read the table
    plan = "\n".join(str(r[0]) for r in quarter.db.fetchall(
        "EXPLAIN (ANALYZE) SELECT reference, program, cycle FROM tl_entitlements WHERE reference = ANY(?)",
        (references,)))
    assert "Index Only Scan using tl_entitlements_reference" in plan
    assert "Heap Fetches: 0" in plan
    # ... and the import's look-up finds them all, each with its cycle.
    rows = [PayoutRow(n, f"T{n}", r, None, None, 30_000, "XOF", None, "success", None)
            for n, r in enumerate(references + ["19Q1UNKNOWN00000"])]
    assert known_references(quarter.db, rows) == {r: ("jigisemejiri", "2019-Q1") for r in references}
