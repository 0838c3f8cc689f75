"""The store converts items to and from DynamoDB attribute values exactly as boto3's
``TypeSerializer``/``TypeDeserializer`` did before it stopped importing boto3."""

from __future__ import annotations

from decimal import Decimal, Inexact, Rounded
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from functions.common.store import _plain, _python, from_attributes, to_attributes

ITEM: dict[str, Any] = {
    "pk": "SIG#sig_1",
    "count": 3,
    "negative": -12,
    "price": Decimal("12.50"),
    "ratio": 0.25,
    "big": 10**37,
    "tiny": Decimal("1E-120"),
    "flag": True,
    "off": False,
    "empty_text": "",
    "names": {"b", "a"},
    "numbers": {1, Decimal("2.5")},
    "blob": b"\x00\x01",
    "blobs": {b"a", b"b"},
    "themes": ["one", 2, 1.5, None, {"x": [True]}],
    "nested": {"inner": {"list": [], "map": {}, "n": Decimal("-0.001")}},
    "pair": ("a", 1),
    "nothing": None,
}


def boto3_to_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {k: TypeSerializer().serialize(_plain(v)) for k, v in item.items() if v is not None}


def test_items_become_the_attribute_values_boto3_made() -> None:
    assert to_attributes(ITEM) == boto3_to_attributes(ITEM)


def test_attribute_values_come_back_as_boto3_gave_them() -> None:
    attributes = boto3_to_attributes(ITEM) | {"null": {"NULL": True}}
    expected = {k: _python(TypeDeserializer().deserialize(v)) for k, v in attributes.items()}
    assert from_attributes(attributes) == expected
    assert from_attributes(attributes)["count"] == 3 and isinstance(from_attributes(attributes)["count"], int)
    assert from_attributes(attributes)["ratio"] == 0.25


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({1.5}, TypeError),  # a float inside a set is not converted: refused, never rounded
        (Decimal("Infinity"), TypeError),
        (Decimal("NaN"), TypeError),
        (Decimal("1." + "1" * 40), (Inexact, Rounded)),  # more than 38 digits
        (object(), TypeError),
    ],
)
def test_what_dynamodb_cannot_store_is_refused_as_boto3_refused_it(value: Any, error: Any) -> None:
    with pytest.raises(error):
        TypeSerializer().serialize(value)
    with pytest.raises(error):
        to_attributes({"value": value})


def test_an_unknown_or_empty_attribute_value_is_refused() -> None:
    with pytest.raises(TypeError):
        from_attributes({"x": {"XX": "1"}})
    with pytest.raises(TypeError):
        from_attributes({"x": {}})
