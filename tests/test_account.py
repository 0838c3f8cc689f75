"""A member's personal data (UK GDPR): a copy of everything, and erasure that leaves no trace
of them while records others rely on stay consistent."""

from __future__ import annotations

import json
import uuid
from typing import Any

from functions.account.service import privacy_modules
from schemas.declaration import FUNCTIONS, TABLES
from tests.conftest import STAFF, Api

#: Transport copies of events, deleted by TTL within a day (see functions/common/store.py).
TRANSIENT_TABLES = {"outbox"}


def everything_mentioning(runtime: Any, *needles: str) -> list[tuple[str, dict[str, Any]]]:
    """Every item in every table whose content mentions one of the needles (test-only Scan)."""
    ddb = runtime.client("dynamodb")
    found = []
    for table in TABLES:
        if table.name in TRANSIENT_TABLES:
            continue
        name = runtime.resources.tables[table.name]
        pages = ddb.get_paginator("scan").paginate(TableName=name)
        for page in pages:
            for item in page["Items"]:
                text = json.dumps(item).lower()
                if any(needle.lower() in text for needle in needles):
                    found.append((table.name, item))
    return found


def test_every_area_with_personal_data_has_a_privacy_hook() -> None:
    packages = {f.package for f in FUNCTIONS} - {
        "functions.site",
        "functions.account",
        "functions.auth",
        "functions.outbox",  # keeps nothing: outbox records expire within a day (docs/architecture.md)
        "functions.canary",  # deployment canaries: no personal data, gone after a day
    }
    hooked = {m.__name__.rsplit(".", 1)[0] for m in privacy_modules()}
    assert packages <= hooked, f"areas without functions/<area>/privacy.py: {packages - hooked}"


def test_download_and_erase_my_account(api: Api, email) -> None:
    me, other = email("erase"), email("stays")
    name = f"Zebedee Quartermaine {uuid.uuid4().hex[:4]}"
    mine = api.auth(me, name=name)
    sig_name = f"Erasure SIG {uuid.uuid4().hex[:6]}"
    sig_id = api.post(
        "/api/sigs", json={"name": sig_name, "purpose": "A group whose proposer will leave us."}, headers=mine
    ).json()["sig_id"]
    staff = api.auth(STAFF)
    assert api.post(f"/api/sigs/{sig_id}/decision", json={"decision": "approve"}, headers=staff).status_code == 200
    assert api.post(f"/api/sigs/{sig_id}/members", headers=api.auth(other)).status_code == 201
    demo = api.post(
        "/api/sigs",
        json={"name": f"Joined SIG {uuid.uuid4().hex[:6]}", "purpose": "Someone else's group."},
        headers=api.auth(other),
    ).json()["sig_id"]
    api.post(f"/api/sigs/{demo}/decision", json={"decision": "approve"}, headers=staff)
    assert api.post(f"/api/sigs/{demo}/members", headers=mine).status_code == 201
    api.settle()

    data = api.get("/api/account/data", headers=mine)
    assert data.status_code == 200
    body = data.json()
    assert body["members"]["profile"]["email"] == me
    assert {m["sig_id"] for m in body["sigs"]["memberships"]} == {sig_id, demo}
    assert [c["sig_id"] for c in body["sigs"]["convening"]] == [sig_id]

    assert len(everything_mentioning(api.runtime, me, name)) >= 4  # profile, email link, memberships, convener
    refused = api.post("/api/account/erasure", json={"confirm": "yes"}, headers=mine)
    assert refused.status_code == 422
    assert api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=mine).status_code == 200

    assert everything_mentioning(api.runtime, me, name) == []
    # What others rely on stays, without the erased member.
    group = api.get(f"/api/sigs/{sig_id}").json()
    assert group["status"] == "approved" and group["member_count"] == 1
    assert name not in json.dumps(group)
    assert api.get(f"/api/sigs/{demo}").json()["member_count"] == 1
    assert api.get("/api/account/data", headers=mine).status_code == 401  # erasure ended the session
    # The erased member's session, still validly signed, can no longer write anything.
    again = api.post(
        "/api/sigs", json={"name": "Back again SIG", "purpose": "Recreating what was erased."}, headers=mine
    )
    assert again.status_code == 401 and "ended" in again.json()["message"]
    assert everything_mentioning(api.runtime, me, name) == []


def test_the_account_page_erases_only_with_the_typed_confirmation(api: Api, email) -> None:
    me = email("page")
    session = f"convene_session={api.token(me)}"
    page = api.get("/account", headers={"Cookie": session})
    assert page.status_code == 200 and "Download my data" in page.text
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    wrong = api.post("/account/erase", data={"csrf_token": csrf, "confirm": "please"}, headers={"Cookie": session})
    assert wrong.status_code == 422 and "Nothing has been erased" in wrong.text
    download = api.get("/account/data.json", headers={"Cookie": session})
    assert download.headers["Content-Disposition"].startswith("attachment")
    done = api.post(
        "/account/erase", data={"csrf_token": csrf, "confirm": "Erase my account"}, headers={"Cookie": session}
    )
    assert done.status_code == 200 and "has been erased" in done.text
    assert "Max-Age=0" in done.headers["Set-Cookie"]
    assert everything_mentioning(api.runtime, me) == []
