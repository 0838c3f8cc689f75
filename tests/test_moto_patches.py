"""The local runtime's speed-ups to moto answer exactly what moto answers without them."""

from __future__ import annotations

import json
from typing import Any

import jsonpath_ng.ext
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core.serialize import BaseJSONSerializer, JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model
from moto.events.utils import EventTemplateParser

from infra.local import moto_patches

moto_patches.install()

names = st.text(min_size=1, max_size=8)
numbers = st.integers(-(10**12), 10**12).map(str) | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
    str
)
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=20)),
    st.builds(lambda n: {"N": n}, numbers),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda ss: {"SS": ss}, st.lists(st.text(max_size=5), min_size=1, max_size=4, unique=True)),
    st.builds(lambda ns: {"NS": ns}, st.lists(numbers, min_size=1, max_size=4, unique=True)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=8)),  # left to moto: checked all the same
)
attribute_values = st.recursive(
    scalars,
    lambda inner: (
        st.builds(lambda m: {"M": m}, st.dictionaries(names, inner, max_size=4))
        | st.builds(lambda items: {"L": items}, st.lists(inner, max_size=4))
    ),
    max_leaves=12,
)
items = st.dictionaries(names, attribute_values, min_size=1, max_size=6)


def _serialize(operation: str, result: dict[str, Any], *, fast: bool) -> Any:
    patched = BaseJSONSerializer._serialize_type_structure
    method = patched if fast else patched.__wrapped__  # type: ignore[attr-defined]
    serializer = JSONSerializer(
        operation_model=get_service_model("dynamodb").operation_model(operation),
        pretty_print=False,
        value_picker=XFormedAttributePicker(),
    )
    serializer._serialize_type_structure = method.__get__(serializer)  # type: ignore[method-assign]
    response = serializer.serialize(result)
    return response["status_code"], response["headers"], json.loads(response["body"])


def test_the_fast_path_is_installed() -> None:
    assert hasattr(BaseJSONSerializer._serialize_type_structure, "__wrapped__")


@settings(max_examples=150, deadline=None)
@given(items)
def test_an_item_is_answered_as_moto_answers_it(item: dict[str, Any]) -> None:
    for operation, result in [
        ("GetItem", {"Item": item}),
        ("PutItem", {"Attributes": item}),
        ("UpdateItem", {"Attributes": item}),
        ("Query", {"Items": [item, item], "Count": 2, "ScannedCount": 2, "LastEvaluatedKey": item}),
        ("BatchGetItem", {"Responses": {"main": [item]}, "UnprocessedKeys": {}}),
    ]:
        assert _serialize(operation, result, fast=True) == _serialize(operation, result, fast=False)


def test_values_that_are_not_plain_data_are_left_to_moto() -> None:
    assert moto_patches.plain_attribute_value({"B": b"x"}) is None
    assert moto_patches.plain_attribute_value({"M": {"a": {"BS": [b"x"]}}}) is None
    assert moto_patches.plain_attribute_value({"S": 3}) is None
    assert moto_patches.plain_attribute_value({"S": "a", "N": "1"}) is None
    assert moto_patches.plain_attribute_value({"L": [{"S": "a"}, {"N": "2"}]}) == {"L": [{"S": "a"}, {"N": "2"}]}


def test_jsonpath_expressions_are_compiled_once_and_events_built_as_before() -> None:
    assert jsonpath_ng.ext.parse("$.detail") is jsonpath_ng.ext.parse("$.detail")
    event = {
        "version": "0",
        "id": "1",
        "detail-type": "VisitSignedUp",
        "source": "convene.visits",
        "account": "123456789012",
        "time": 1765000000,
        "region": "eu-west-2",
        "resources": [],
        "detail": {"visit_id": "v1", "n": 2},
        "ingestion-time": 0,
    }
    built = EventTemplateParser.parse("", {}, event)
    assert built["detail"] == {"visit_id": "v1", "n": 2}
    assert built["detail-type"] == "VisitSignedUp"
    assert EventTemplateParser.parse("", {}, event) == built


CONDITIONS = [
    "attribute_not_exists(pk)",
    "#status IN (:cancelled, :expired) AND #revision = :revision",
    "#status = :published AND #taken < #places AND (#closes > :now OR attribute_not_exists(#closes))",
    "a.b[0] <> :v OR NOT (x BETWEEN :low AND :high)",
    "size(#n) >= :s AND begins_with(sk, :prefix) AND contains(tags, :t)",
]


def test_a_condition_is_lexed_as_moto_lexes_it_and_each_caller_gets_its_own_nodes() -> None:
    from moto.dynamodb.comparisons import ConditionExpressionParser

    lex = ConditionExpressionParser._lex_condition_expression
    for expression in CONDITIONS:
        parser = ConditionExpressionParser(expression, {}, {})
        first, second = lex(parser), lex(parser)
        assert list(first) == list(lex.__wrapped__(parser))  # type: ignore[attr-defined]
        first.popleft()
        first[0].children.append("changed")
        assert list(second) == list(lex.__wrapped__(parser))  # type: ignore[attr-defined]
