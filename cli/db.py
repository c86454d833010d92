"""``tledger db roles|new-key``."""

from __future__ import annotations

import click
from eventsourcing.cryptography import AESCipher

from cli.context import with_ledger
from cli.output import emit_json, json_option, message
from workflows.db_admin import create_roles
from workflows.runtime import Ledger


@click.group()
def db() -> None:
    """Database administration: least-privilege roles, encryption keys."""


@db.command("roles")
@json_option
@with_ledger
def roles(ledger: Ledger, as_json: bool) -> None:
    """Create the tledger_writer and tledger_auditor roles on PostgreSQL (run as the owner).

    \b
    Example:
      tledger --db postgresql://postgres@localhost/tledger db roles
      psql -c "CREATE ROLE amadou LOGIN PASSWORD '...' IN ROLE tledger_writer"
    """
    result = create_roles(ledger)
    if as_json:
        emit_json(result)
        return
    for role, rights in result["roles"].items():
        message(f"{role}: {rights}")
    message(f"Add a user: {result['add_a_user']}")


@db.command("new-key")
def new_key() -> None:
    """Print a new AES-256 key for TLEDGER_CIPHER_KEY (payload encryption at rest).

    Set it before the first event is written and keep it outside the database:
    without it nothing can be read back, and events written with one key cannot
    be read with another (there is no in-place rotation).

    \b
    Example:
      export TLEDGER_CIPHER_KEY="$(tledger db new-key)"
    """
    click.echo(AESCipher.create_key(32))
