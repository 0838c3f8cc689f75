"""When a convener leaves or is erased: the group shows "looking for a convener", staff are told
on the team home and by email, members offer to convene, and staff appoint one."""

from __future__ import annotations

import uuid

from tests.conftest import STAFF, Api
from tests.test_funding_helpers import as_staff


def cookie(headers: dict[str, str]) -> dict[str, str]:
    return {"Cookie": f"convene_session={headers['Authorization'].removeprefix('Bearer ')}"}


def csrf_of(api: Api, path: str, headers: dict[str, str]) -> str:
    return api.get(path, headers=headers).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def approved_group(api: Api, convener: dict[str, str]) -> tuple[str, str]:
    name = f"Coaching SIG {uuid.uuid4().hex[:6]}"
    sig_id = api.post("/api/sigs", json={"name": name, "purpose": "Coaching in health and care."}, headers=convener)
    assert sig_id.status_code == 201
    sid = sig_id.json()["sig_id"]
    assert api.post(f"/api/sigs/{sid}/decision", json={"decision": "approve"}, headers=as_staff(api)).ok
    return sid, name


def attention(api: Api) -> dict[str, int]:
    api.settle()
    summary = api.get("/api/staff/summary", headers=as_staff(api)).json()
    return {c["key"]: c["count"] for c in summary["counts"]}


def test_a_convener_steps_down_a_member_offers_and_staff_appoint(api: Api, email) -> None:
    bearer = api.auth(email("convener"), name="Kim Lee")
    convener = cookie(bearer)
    sig_id, name = approved_group(api, bearer)
    before = attention(api)

    page = f"/sigs/{sig_id}"
    stepped = api.post(f"{page}/step-down", data={"csrf_token": csrf_of(api, page, convener)}, headers=convener)
    assert stepped.status_code == 303
    public = api.get(page).text
    assert "Looking for a convener" in public and "Kim Lee" not in public
    assert attention(api)["conveners"] == before["conveners"] + 1
    assert api.one_mail(STAFF, f"{name} is looking for a convener")

    offerer_address = email("offerer")
    offerer = cookie(api.auth(offerer_address, name="Sam Patel"))
    offered = api.post(f"{page}/offer-to-convene", data={"csrf_token": csrf_of(api, page, offerer)}, headers=offerer)
    assert offered.status_code == 303
    again = api.post(f"{page}/offer-to-convene", data={"csrf_token": csrf_of(api, page, offerer)}, headers=offerer)
    assert again.status_code == 409
    assert api.one_mail(STAFF, f"An offer to convene {name}")

    team = cookie(as_staff(api))
    staff_page = api.get(page, headers=team).text
    assert "Sam Patel" in staff_page and "/offers/" in staff_page
    member_id = staff_page.split(f"{page}/offers/", 1)[1].split("/", 1)[0]
    # Only staff appoint: a member's post is refused.
    refused = api.post(
        f"{page}/offers/{member_id}/appoint", data={"csrf_token": csrf_of(api, page, offerer)}, headers=offerer
    )
    assert refused.status_code == 403
    appointed = api.post(
        f"{page}/offers/{member_id}/appoint", data={"csrf_token": csrf_of(api, page, team)}, headers=team
    )
    assert appointed.status_code == 303
    assert "Sam Patel" in api.get(page).text and "Looking for a convener" not in api.get(page).text
    assert attention(api)["conveners"] == before["conveners"]
    assert api.one_mail(offerer_address, f"You now convene {name}")


def test_erasing_the_last_convener_leaves_the_group_looking_for_one(api: Api, email) -> None:
    bearer = api.auth(email("erased"), name="Alex Erased")
    sig_id, name = approved_group(api, bearer)
    erased = api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=bearer)
    assert erased.status_code == 200
    assert "Looking for a convener" in api.get(f"/sigs/{sig_id}").text
    assert api.one_mail(STAFF, f"{name} is looking for a convener")
