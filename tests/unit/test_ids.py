"""The fast uuid5 must give exactly the standard library's ids: stored events are addressed by them."""

from __future__ import annotations

import pickle
import uuid

from hypothesis import given
from hypothesis import strategies as st

from ledger import ids


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_uuid5_equals_the_standard_library(name: str) -> None:
    assert ids.uuid5(ids.NAMESPACE, name) == uuid.uuid5(ids.NAMESPACE, name)
    other = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert ids.uuid5(other, name) == uuid.uuid5(other, name)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_a_fast_id_is_a_uuid_like_any_other(name: str) -> None:
    fast, standard = ids.uuid5(ids.NAMESPACE, name), uuid.uuid5(ids.NAMESPACE, name)
    assert type(fast) is uuid.UUID
    assert (str(fast), fast.bytes, fast.version, fast.variant, fast.is_safe, hash(fast)) == (
        str(standard), standard.bytes, standard.version, standard.variant, standard.is_safe, hash(standard))
    assert pickle.loads(pickle.dumps(fast)) == standard and {fast: 1}[standard] == 1


def test_known_ids_do_not_change() -> None:
    assert ids.payout_line_id("orange-money", "OR00000001") == uuid.uuid5(
        ids.NAMESPACE, "payout-line/orange-money/OR00000001")
    assert ids.household_id("jigisemejiri", "KITA-000001").version == 5
