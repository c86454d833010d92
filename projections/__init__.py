"""Read models rebuilt from the event log, in the same database as the events.

View rows and the tracking position are written in one transaction, so a crash
never double counts or skips an event.
"""
