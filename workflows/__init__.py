"""Use cases that combine the ledger, the read models and the file adapters.

The CLI and the demo call these; they hold no click and print nothing.
"""
