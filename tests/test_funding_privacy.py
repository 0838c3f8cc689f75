"""A member's funding data (UK GDPR): they can download it, and erasing their account leaves
no trace of their name or address in any table, while decisions, awards and the audit trail
stay for everyone else."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from test_funding_helpers import (
    bid,
    confirm_co_applicant,
    history,
    links_for,
    open_round,
    review,
    staff,
    staff_round,
    submit,
)

from schemas.declaration import TABLES

if TYPE_CHECKING:
    from tests.conftest import Api


def mentioning(api: Api, *needles: str) -> list[tuple[str, dict[str, Any]]]:
    """Items in any lasting table naming one of the needles (a test-only Scan; the outbox is a
    transport buffer whose records expire within a day)."""
    ddb = api.runtime.client("dynamodb")
    found = []
    for table in TABLES:
        if table.name == "outbox":
            continue
        for page in ddb.get_paginator("scan").paginate(TableName=api.runtime.resources.tables[table.name]):
            found += [
                (table.name, i) for i in page["Items"] if any(n.lower() in json.dumps(i).lower() for n in needles)
            ]
    return found


def test_a_member_downloads_then_erases_their_funding_data(api: Api, email) -> None:
    me, other, r2, r3 = email("erase"), email("other"), email("reviewer"), email("reviewer")
    name = f"Zebedee Quartermaine {uuid.uuid4().hex[:4]}"
    mine = api.auth(me, name=name)

    # As applicant: one bid funded, one still in review.
    quick = open_round(api, [r2], decision_rule={"approvals_needed": 1})
    # (Not named in the newsletter: what the newsletter keeps is the newsletter's to erase.)
    funded = submit(api, quick["round_id"], me, name=name, consent_to_be_named=False)
    review(api, links_for(api, funded["bid_id"], [r2])[r2], "approve")
    pending = submit(api, quick["round_id"], me, name=name)
    # As co-applicant on someone else's bid, and as a reviewer on a panel of three.
    panel = open_round(api, [me, r2, r3])
    theirs = submit(api, panel["round_id"], other, co_applicant_emails=[me])
    assert confirm_co_applicant(api, me, theirs["bid_id"]).status_code == 200  # so not its reviewer
    reviewed = submit(api, panel["round_id"], email("applicant"))
    links = links_for(api, reviewed["bid_id"], [me, r2, r3])
    assert review(api, links[me], "approve", "Clear and kind.").status_code == 200
    assert review(api, links[r2], "approve").status_code == 200  # decided: approved
    awaiting = submit(api, panel["round_id"], email("applicant"))
    links_for(api, awaiting["bid_id"], [me, r2, r3])  # my review of this one is pending

    data = api.get("/api/account/data", headers=mine).json()["funding"]
    assert {b["bid_id"] for b in data["bids"]} == {funded["bid_id"], pending["bid_id"]}
    assert [b["bid_id"] for b in data["co_applicant_on"]] == [theirs["bid_id"]]
    assert {r["bid_id"]: r["decision"] for r in data["reviews"]} == {
        reviewed["bid_id"]: "approve",
        awaiting["bid_id"]: None,
    }
    assert [r["round_id"] for r in data["rounds"] if r["on_review_panel"]] == [panel["round_id"]]
    assert r2 not in json.dumps(data)  # other people's addresses are theirs, not mine

    erased = api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=mine)
    assert erased.status_code == 200, erased.text
    api.settle()
    assert mentioning(api, me, name) == []

    # What others rely on stays, without me.
    assert bid(api, funded["bid_id"])["status"] == "approved"
    assert staff_round(api, quick["round_id"])["staff"]["awarded_pence"] == 2_000_00
    gone = bid(api, pending["bid_id"])
    assert gone["status"] == "withdrawn" and "account was erased" in gone["decision_reason"]
    assert bid(api, theirs["bid_id"])["co_applicant_emails"] == []
    kept = bid(api, reviewed["bid_id"])
    assert kept["reviews"]["approvals"] == 2 and "Clear and kind." in [r["comment"] for r in kept["reviewers"]]
    assert any(e["by"].startswith("former reviewer") for e in history(api, reviewed["bid_id"]))
    # My pending review is withdrawn; the other two can still give the 2 approvals needed, so
    # staff need not be told. No panel lists me any more.
    assert [r["email"] for r in bid(api, awaiting["bid_id"])["reviewers"]] == [r2, r3]
    assert me not in staff_round(api, panel["round_id"])["staff"]["reviewer_emails"]
    assert api.mail(staff(api), subject=awaiting["title"], settle=False) == []
