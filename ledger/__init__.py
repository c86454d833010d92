"""The ledger domain: aggregates, events, invariants and application services.

Imports only the standard library and ``eventsourcing`` (domain/application):
no click, no database drivers, no file I/O.
"""
