"""The reconciliation category of an entitlement, in SQL, from its read-model counters.

It must say exactly what ``reconciliation.matching.classify`` says; a property
test runs both on the same random histories.
"""

from __future__ import annotations

OWED = "(CASE WHEN e.cancelled = 1 THEN 0 ELSE e.due END)"

CATEGORY = (
    "(CASE"
    f" WHEN e.successes > 0 AND e.paid = {OWED} THEN 'paid'"
    " WHEN e.successes >= 2 AND e.full_successes = e.successes THEN 'duplicate'"
    f" WHEN e.successes > 0 AND e.paid < {OWED} THEN 'partial'"
    " WHEN e.successes > 0 THEN 'overpaid'"
    " WHEN e.cancelled = 1 THEN 'cancelled'"
    " WHEN e.failures > 0 THEN 'failed'"
    " WHEN e.pendings > 0 THEN 'pending'"
    f" WHEN {OWED} = 0 THEN 'paid'"
    " ELSE 'unpaid' END)"
)
