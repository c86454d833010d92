"""Benchmarks (not tests): whole stages timed on SQLite and PostgreSQL against raw floors."""
