"""Synthetic operator payout confirmation files with realistic discrepancies (demo, tests, benchmarks).

Reads a payment list we issued and writes what an operator would send back:
most lines paid, and a few partial, failed, pending, duplicated and unknown lines.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Confirmation:
    txn_id: str
    reference: str
    household_id: str
    msisdn: str
    amount: int
    status: str  # success, failed, pending
    reason: str
    paid_at: datetime


def simulate(list_path: Path, *, seed: int = 7, prefix: str = "TX", discrepancy: float = 0.05,
             paid_from: datetime = datetime(2019, 5, 2, 9, 0)) -> Iterator[Confirmation]:
    """What the operator reports for each line of the list (streamed)."""
    rng = random.Random(seed)
    number = 0
    with list_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            number += 1
            amount = int(row["amount"])
            msisdn = row["msisdn"].lstrip("'")
            paid_at = paid_from + timedelta(minutes=number)
            base = Confirmation(f"{prefix}{number:08d}", row["reference"], row["household_id"], msisdn,
                                amount, "success", "", paid_at)
            roll = rng.random()
            if roll < discrepancy * 0.3:
                yield _replace(base, status="failed", reason="wallet inactive")
            elif roll < discrepancy * 0.5:
                yield _replace(base, status="pending", reason="awaiting cash-out")
            elif roll < discrepancy * 0.7:
                yield _replace(base, amount=amount // 2, reason="partial: agent liquidity")
            elif roll < discrepancy * 0.8:
                yield base
                yield _replace(base, txn_id=base.txn_id + "B", paid_at=paid_at + timedelta(hours=2))
            elif roll < discrepancy * 0.9:
                yield base
                yield Confirmation(f"{prefix}X{number:07d}", "", "", "+22370000000", 10_000, "success",
                                   "", paid_at)
            else:
                yield base


def _replace(c: Confirmation, **changes: object) -> Confirmation:
    return Confirmation(**{**c.__dict__, **changes})


FRENCH_STATUS = {"success": "Payé", "failed": "Échec", "pending": "En attente"}


def write_french_csv(path: Path, lines: Iterator[Confirmation]) -> Path:
    """Orange-Money style: French headers, ';', cp1252, amounts with a space as thousands separator."""
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ID Transaction", "Référence", "Numéro", "Montant", "Date paiement", "Statut", "Motif"])
        for c in lines:
            writer.writerow([c.txn_id, c.reference, c.msisdn, f"{c.amount:,}".replace(",", " "),
                             c.paid_at.strftime("%d/%m/%Y %H:%M"), FRENCH_STATUS[c.status], c.reason])
    return path


def write_canonical_xlsx(path: Path, lines: Iterator[Confirmation]) -> Path:
    """Canonical columns in an XLSX workbook (typed cells: integers and datetimes)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("payouts")
    sheet.append(["operator_txn_id", "reference", "household_id", "msisdn", "amount", "currency",
                  "paid_at", "status", "reason"])
    for c in lines:
        sheet.append([c.txn_id, c.reference, c.household_id, c.msisdn, c.amount, "XOF", c.paid_at,
                      c.status, c.reason])
    book.save(path)
    return path


PAIN_STATUS = {"success": "ACSC", "failed": "RJCT", "pending": "PDNG"}


def write_pain002(path: Path, lines: Iterator[Confirmation]) -> Path:
    """ISO 20022 pain.002.001.10 customer payment status report."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">\n<CstmrPmtStsRpt>\n'
                  "<GrpHdr><MsgId>STATUS-1</MsgId><CreDtTm>2019-05-03T18:00:00</CreDtTm></GrpHdr>\n"
                  "<OrgnlGrpInfAndSts><OrgnlMsgId>LIST-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>"
                  "</OrgnlGrpInfAndSts>\n<OrgnlPmtInfAndSts><OrgnlPmtInfId>1</OrgnlPmtInfId>\n")
        for c in lines:
            reason = (f"<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>" if c.status == "failed" else "")
            out.write(
                f"<TxInfAndSts><StsId>{escape(c.txn_id)}</StsId>"
                f"<OrgnlEndToEndId>{escape(c.reference or c.txn_id[-16:])}</OrgnlEndToEndId>"
                f"<TxSts>{PAIN_STATUS[c.status]}</TxSts>{reason}"
                f"<AccptncDtTm>{c.paid_at.isoformat()}</AccptncDtTm>"
                f'<OrgnlTxRef><Amt><InstdAmt Ccy="XOF">{c.amount}</InstdAmt></Amt></OrgnlTxRef>'
                "</TxInfAndSts>\n"
            )
        out.write("</OrgnlPmtInfAndSts>\n</CstmrPmtStsRpt>\n</Document>\n")
    return path


def write_canonical_csv(path: Path, lines: Iterator[Confirmation]) -> Path:
    """Canonical columns, comma-separated UTF-8 (the default for an operator with no config file)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["operator_txn_id", "reference", "household_id", "msisdn", "amount", "currency",
                         "paid_at", "status", "reason"])
        for c in lines:
            writer.writerow([c.txn_id, c.reference, c.household_id, c.msisdn, c.amount, "XOF",
                             c.paid_at.isoformat(sep=" "), c.status, c.reason])
    return path
