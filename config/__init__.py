"""Settings, database URLs and the shipped program/operator definitions."""
