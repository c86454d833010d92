"""Each entitlement's payment status, computed from the read models with SQL (set work).

``status(where)`` is a subquery with one row per entitlement matching ``where``
(a condition on alias ``e``): what is owed, what was paid, the line counters and
the reconciliation category. The category must say exactly what
``reconciliation.matching.classify`` says; a property test runs both on the
same random histories. Computing it when asked, with one grouped join, costs
less than keeping counters up to date line by line.
"""

from __future__ import annotations

OWED = "(CASE WHEN e.cancelled = 1 THEN 0 ELSE e.due END)"
_SUCCESS = "(l.status = 'success' AND l.reversed = 0)"
_COLUMNS = ("e.program, e.cycle, e.household_id, e.reference, e.operator, e.cancelled, e.instructed, e.due, "
            "e.amount, e.currency, e.months, e.components, e.rule_version")

CATEGORY = (
    "(CASE"
    " WHEN t.successes > 0 AND t.paid = t.owed THEN 'paid'"
    " WHEN t.successes >= 2 AND t.full_successes = t.successes THEN 'duplicate'"
    " WHEN t.successes > 0 AND t.paid < t.owed THEN 'partial'"
    " WHEN t.successes > 0 THEN 'overpaid'"
    " WHEN t.cancelled = 1 THEN 'cancelled'"
    " WHEN t.failures > 0 THEN 'failed'"
    " WHEN t.pendings > 0 THEN 'pending'"
    " WHEN t.owed = 0 THEN 'paid'"
    " ELSE 'unpaid' END)"
)


def status(where: str) -> str:
    """Subquery (use it as ``FROM {status(...)} s``) of entitlements with owed, paid and category."""
    return (
        f"(SELECT t.*, {CATEGORY} AS category FROM ("
        f"SELECT {_COLUMNS}, {OWED} AS owed, "
        f"COALESCE(SUM(CASE WHEN {_SUCCESS} THEN l.amount ELSE 0 END), 0) AS paid, "
        f"COUNT(CASE WHEN {_SUCCESS} THEN 1 END) AS successes, "
        f"COUNT(CASE WHEN {_SUCCESS} AND l.amount = {OWED} THEN 1 END) AS full_successes, "
        "COUNT(CASE WHEN l.status = 'failed' OR (l.status = 'success' AND l.reversed = 1) THEN 1 END) "
        "AS failures, "
        "COUNT(CASE WHEN l.status = 'pending' THEN 1 END) AS pendings, "
        f"MAX(CASE WHEN {_SUCCESS} THEN l.paid_at END) AS last_paid_at "
        "FROM tl_entitlements e LEFT JOIN tl_payout_lines l ON l.program = e.program AND l.cycle = e.cycle "
        # Grouped by the primary key alone (the other columns depend on it): a 13-column key
        # took twice as long to sort on a million entitlements.
        f"AND l.matched_reference = e.reference WHERE {where} GROUP BY e.program, e.cycle, e.household_id) t)"
    )
