"""``tledger enrol FILE --program P``."""

from __future__ import annotations

from pathlib import Path

import click
import structlog

from cli.context import with_ledger
from cli.output import emit_json, json_option, key_values, message, money
from workflows.enrolment import enrol_file
from workflows.runtime import Ledger


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--program", "-p", required=True, help="Program code, e.g. jigisemejiri.")
@json_option
@with_ledger
def enrol(ledger: Ledger, file: Path, program: str, as_json: bool) -> None:
    """Enrol households from a CSV or XLSX file.

    Columns: household_id, head_name, msisdn, region, circle, commune, village,
    operator, enrolled_on (YYYY-MM-DD or DD/MM/YYYY), productive (yes/no, optional).
    The whole file is checked first: any bad row rejects it, every bad row is
    listed, nothing is recorded. Running the same file again enrols nothing new.

    \b
    Example:
      tledger enrol households.csv --program jigisemejiri
    """
    report = enrol_file(ledger, program, file)
    structlog.get_logger().info("enrol.done", program=program, rows=report.rows,
                                enrolled=report.enrolled, already=report.already_enrolled)
    for line in report.differing:
        message(f"Warning: {line}")
    if as_json:
        emit_json(report.as_dict())
        return
    key_values([
        ("file", report.file), ("sha256", report.file_sha256), ("rows", report.rows),
        ("enrolled now", report.enrolled), ("already enrolled", report.already_enrolled),
    ])
    if report.enrolled == 0:
        message(f"Nothing new: all {money(report.rows)} households of {file.name} were already enrolled.")
    else:
        message(f"Enrolled {money(report.enrolled)} households in {program}.")
