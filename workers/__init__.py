"""Helper processes for the second core (see workers.process)."""
