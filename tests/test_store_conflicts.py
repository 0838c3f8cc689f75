"""On AWS, concurrent writes to one hot item (a visit's counters in a rush) are refused with
``TransactionConflict`` rather than queued, and botocore does not retry them; moto never does
this, so the retry is proven here against botocore's own stubbed responses."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from functions.common import store
from functions.common.store import ConditionFailed, Put, Store, Update


@pytest.fixture()
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MAIN_TABLE", "main")
    monkeypatch.setenv("OUTBOX_TABLE", "outbox")
    monkeypatch.setattr(store, "_back_off", lambda attempt: None)
    ddb = botocore.session.get_session().create_client(
        "dynamodb", region_name="eu-west-2", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(ddb) as stubber:
        yield Store(ddb), stubber


def cancelled(stubber: Stubber, *codes: str) -> None:
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled",
        response_meta={},
        modeled_fields={"CancellationReasons": [{"Code": c} for c in codes]},
    )


WRITES = [
    Put({"pk": "VISIT#1", "sk": "SIGNUP#a"}),
    Update({"pk": "VISIT#1", "sk": "VISIT"}, "SET n = :one", values={":one": 1}),
]


def test_a_transaction_conflict_is_retried_until_it_goes_through(stubbed: Any) -> None:
    db, stubber = stubbed
    cancelled(stubber, "None", "TransactionConflict")
    cancelled(stubber, "TransactionConflict", "None")
    stubber.add_response("transact_write_items", {})
    db.write(WRITES)
    stubber.assert_no_pending_responses()


def test_a_failed_condition_is_not_retried(stubbed: Any) -> None:
    db, stubber = stubbed
    cancelled(stubber, "None", "ConditionalCheckFailed")
    with pytest.raises(ConditionFailed) as failed:
        db.write(WRITES)
    assert failed.value.failed == [1]


def test_conflicts_that_never_clear_end_in_an_error_not_a_loop(stubbed: Any) -> None:
    db, stubber = stubbed
    for _ in range(store.CONFLICT_ATTEMPTS):
        cancelled(stubber, "TransactionConflict", "None")
    with pytest.raises(db.ddb.exceptions.TransactionCanceledException):
        db.write(WRITES)
    stubber.assert_no_pending_responses()


def test_a_single_update_conflicting_with_a_transaction_is_retried(stubbed: Any) -> None:
    db, stubber = stubbed
    stubber.add_client_error("update_item", service_error_code="TransactionConflictException", service_message="busy")
    stubber.add_response("update_item", {"Attributes": {"pk": {"S": "VISIT#1"}, "tickets": {"N": "3"}}})
    assert db.update_returning(WRITES[1])["tickets"] == 3
