"""Reconciling operator payout confirmations with a cycle's entitlements.

Readers (``readers``, ``pain002``) are adapters: they turn an operator's CSV,
XLSX or ISO 20022 pain.002 file into validated :class:`PayoutRow` values, or
name every bad row; they touch no database and match nothing. ``operators``
holds each operator's column names and status words; ``spreadsheet`` and
``rejections`` write reports that are safe to open in a spreadsheet.
"""
