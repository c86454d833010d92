"""Operator definitions: column names and status words, shipped or from a TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciliation.operators import (
    CANONICAL_COLUMNS,
    DEFAULT_STATUS_WORDS,
    OperatorConfig,
    OperatorConfigError,
    load_operator,
)
from reconciliation.payout_row import FAILED, PENDING, SUCCESS

DEFAULT_UNKNOWN = (
    "unknown status: use a word for "
    "success (success, paid, ok, paye, reussi, succes, acsc, accc), "
    "failed (failed, echec, echoue, rejete, rjct) or "
    "pending (pending, en attente, pdng, acsp, actc, accp, rcvd)"
)


def write(tmp_path: Path, code: str, text: str) -> Path:
    path = tmp_path / f"{code}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_orange_money_reads_french_headers() -> None:
    operator = load_operator("orange-money")
    assert operator.code == "orange-money"
    assert operator.name == "Orange Money Mali"
    expected = {
        "id_transaction": "operator_txn_id",
        "référence": "reference",
        "code_ménage": "household_id",
        "numéro": "msisdn",
        "téléphone": "msisdn",
        "montant": "amount",
        "devise": "currency",
        "date_paiement": "paid_at",
        "statut": "status",
        "motif": "reason",
    }
    assert expected.items() <= operator.columns.items()
    # Canonical headers keep working for every operator.
    assert all(operator.columns[column] == column for column in CANONICAL_COLUMNS)


@pytest.mark.parametrize(
    ("word", "status"),
    [("Transféré", SUCCESS), ("TRANSFERE", SUCCESS), ("annulé", FAILED), ("Payé", SUCCESS), ("RJCT", FAILED)],
)
def test_orange_money_words_add_to_the_defaults(word: str, status: str) -> None:
    assert load_operator("orange-money").status_of(word) == status


@pytest.mark.parametrize(("word", "status"), sorted(DEFAULT_STATUS_WORDS.items()))
def test_every_default_word_in_any_case(word: str, status: str) -> None:
    operator = load_operator("any-bank")
    for variant in (word, word.upper(), word.lower(), word.title()):
        assert operator.status_of(variant) == status


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("PAYE", SUCCESS),
        ("Échoué", FAILED),
        ("reussi", SUCCESS),
        ("SUCCES", SUCCESS),
        ("Rejete", FAILED),
        ("  En   Attente ", PENDING),
        ("ECHEC", FAILED),
        ("acsc", SUCCESS),
        ("Accc", SUCCESS),
        ("acsp", PENDING),
    ],
)
def test_words_match_without_case_or_accents(word: str, status: str) -> None:
    assert load_operator("any-bank").status_of(word) == status


def test_default_words_are_the_documented_ones() -> None:
    by_status = {
        s: [w for w, t in DEFAULT_STATUS_WORDS.items() if t == s] for s in (SUCCESS, FAILED, PENDING)
    }
    assert by_status == {
        SUCCESS: ["success", "paid", "ok", "payé", "réussi", "succès", "ACSC", "ACCC"],
        FAILED: ["failed", "échec", "échoué", "rejeté", "RJCT"],
        PENDING: ["pending", "en attente", "PDNG", "ACSP", "ACTC", "ACCP", "RCVD"],
    }


def test_unknown_word() -> None:
    operator = load_operator("any-bank")
    assert operator.status_of("bof") is None
    with pytest.raises(ValueError) as raised:
        operator.parse_status("bof")
    assert str(raised.value) == DEFAULT_UNKNOWN


def test_operator_without_a_file_gets_canonical_columns(tmp_path: Path) -> None:
    operator = load_operator(" BNDA ", tmp_path)
    assert operator == OperatorConfig(
        code="bnda",
        name="bnda",
        columns={column: column for column in CANONICAL_COLUMNS},
        status_words=load_operator("other", tmp_path).status_words,
    )
    assert operator.status_of("Payé") == SUCCESS


def test_own_file_with_overrides(tmp_path: Path) -> None:
    write(
        tmp_path,
        "moov",
        'code = "moov"\nname = "Moov Money"\n[columns]\n"N° Trans" = "operator_txn_id"\n'
        '[status_words]\n"OK" = "pending"\n"Effectué" = "success"\n',
    )
    operator = load_operator("Moov", tmp_path)
    assert operator.columns["n°_trans"] == "operator_txn_id"
    assert operator.status_of("ok") == PENDING
    assert operator.status_of("EFFECTUE") == SUCCESS


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "moov", 'code = "moov"\nname = "Moov"\ncolums = {}\n')
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    assert str(raised.value) == (
        f"{path}: invalid operator definition\n  field 'colums', value {{}}: Extra inputs are not permitted"
    )


def test_column_must_map_to_a_canonical_name(tmp_path: Path) -> None:
    path = write(tmp_path, "moov", 'code = "moov"\nname = "Moov"\n[columns]\n"Montant" = "montant"\n')
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    message = str(raised.value)
    assert message.startswith(
        f"{path}: invalid operator definition\n  field 'columns.Montant', value 'montant': "
    )
    assert "'operator_txn_id'" in message


def test_status_must_be_success_failed_or_pending(tmp_path: Path) -> None:
    path = write(tmp_path, "moov", 'code = "moov"\nname = "Moov"\n[status_words]\n"Fait" = "paid"\n')
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    assert str(raised.value) == (
        f"{path}: invalid operator definition\n"
        "  field 'status_words.Fait', value 'paid': Input should be 'success', 'failed' or 'pending'"
    )


def test_same_word_twice_with_two_statuses(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "moov",
        'code = "moov"\nname = "Moov"\n[status_words]\n"Payé" = "success"\n"PAYE" = "failed"\n',
    )
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    assert str(raised.value) == f"{path}: field 'status_words.PAYE': 'paye' is both 'success' and 'failed'"


def test_same_header_for_two_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "moov",
        'code = "moov"\nname = "Moov"\n[columns]\n"Ref" = "reference"\n" REF " = "household_id"\n',
    )
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    assert str(raised.value) == (
        f"{path}: field 'columns. REF ': header 'ref' is mapped to both 'reference' and 'household_id'"
    )


def test_code_must_match_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "moov", 'code = "orange-money"\nname = "Moov"\n')
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    assert str(raised.value) == f"{path}: field 'code' is 'orange-money', but the file is named for 'moov'"


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "moov", "code = \n")
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("moov", tmp_path)
    assert str(raised.value).startswith(f"{path}: not valid TOML: ")


def test_code_cannot_reach_outside_the_folder(tmp_path: Path) -> None:
    with pytest.raises(OperatorConfigError) as raised:
        load_operator("../programs/pdazam", tmp_path)
    assert str(raised.value) == (
        "operator code '../programs/pdazam': use lower-case letters, digits, '-' or '_' (e.g. orange-money)"
    )
    assert isinstance(raised.value, ValueError)
