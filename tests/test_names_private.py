"""No page or email ever shows any part of an email address as a person's name.

Members who have given no name, with distinctive addresses, propose a group (naming a
co-convener), join it, bid for funding and sign up for a visit. Every page those journeys show
(to the public, to the members, to the team) and every email sent about them is then read: once
the full addresses are taken out (the team and the member themselves may see an address, shown
as an address), the part before the ``@`` must appear nowhere. The test fails if any code falls
back to an address's local part for a name, as ``display_name`` once did.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote

import requests

from tests.conftest import Api
from tests.test_funding_helpers import as_staff, open_round, submit
from tests.test_sigs_api import review_link
from tests.test_visits_helpers import publish

_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")


def nameless(api: Api, word: str) -> tuple[str, dict[str, str], str]:
    local = f"{word}{uuid.uuid4().hex[:8]}"
    address = f"{local}@example.org"
    return address, api.auth(address, name=""), local


def shows_local_part(text: str, local: str) -> bool:
    plain = _ADDRESS.sub(" ", unquote(text.replace("&#64;", "@")))
    return local.lower() in plain.lower()


def cookie(headers: dict[str, str]) -> dict[str, str]:
    return {"Cookie": f"convene_session={headers['Authorization'].removeprefix('Bearer ')}"}


def test_no_page_or_email_names_anyone_by_their_address(api: Api) -> None:
    proposer, as_proposer, proposer_local = nameless(api, "quillon")
    co_convener, _, co_local = nameless(api, "brindlemoss")
    _joiner, as_joiner, joiner_local = nameless(api, "tamsinvale")
    locals_ = [proposer_local, co_local, joiner_local]

    group = f"Cultivating kindness SIG {uuid.uuid4().hex[:6]}"
    created = api.post(
        "/api/sigs",
        json={"name": group, "purpose": "Kindness in teams.", "co_convener_emails": [co_convener]},
        headers=as_proposer,
    )
    assert created.status_code == 201, created.text
    sig_id = created.json()["sig_id"]
    link = review_link(api, group)
    review_path = Api.path(link)
    token = review_path.split("token=", 1)[1]
    assert api.post(f"/sigs/{sig_id}/review", data={"token": token, "decision": "approve", "note": ""}).ok
    assert api.post(f"/api/sigs/{sig_id}/members", headers=as_joiner).status_code == 201

    visit_id = publish(api)
    assert api.post(f"/api/visits/{visit_id}/signups", json={}, headers=as_joiner).status_code in (200, 201)

    reviewer = f"reviewer.{uuid.uuid4().hex[:8]}@q.example.org"
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1})
    bid = submit(api, rnd["round_id"], proposer, name="")
    api.settle()

    pages: dict[str, Any] = {
        "home": api.get("/"),
        "directory": api.get("/sigs"),
        "group (public)": api.get(f"/sigs/{sig_id}"),
        "group (API)": api.get(f"/api/sigs/{sig_id}"),
        "groups (API)": api.get("/api/sigs"),
        "group (joiner)": api.get(f"/sigs/{sig_id}", headers=cookie(as_joiner)),
        "group (convener)": api.get(f"/sigs/{sig_id}", headers=cookie(as_proposer)),
        "group (team)": api.get(f"/sigs/{sig_id}", headers=cookie(as_staff(api))),
        "members (team)": api.get(f"/api/sigs/{sig_id}/members", headers=as_staff(api)),
        "review page": api.get(review_path),
        "visit (team)": api.get(f"/visits/{visit_id}/staff", headers=cookie(as_staff(api))),
        "attendees (team)": api.get(f"/api/visits/{visit_id}/attendees", headers=as_staff(api)),
        "visit (joiner)": api.get(f"/visits/{visit_id}", headers=cookie(as_joiner)),
        "bid (applicant)": api.get(f"/funding/bids/{bid['bid_id']}", headers=cookie(as_proposer)),
        "bid (team)": api.get(f"/funding/bids/{bid['bid_id']}", headers=cookie(as_staff(api))),
        "round (team)": api.get(f"/funding/rounds/{rnd['round_id']}/staff", headers=cookie(as_staff(api))),
        "account (joiner)": api.get("/account", headers=cookie(as_joiner)),
        "my home (joiner)": api.get("/", headers=cookie(as_joiner)),
    }
    for what, response in pages.items():
        assert response.status_code == 200, f"{what}: {response.status_code}"
        for local in locals_:
            assert not shows_local_part(response.text, local), f"{what} names someone by their address ({local})"

    messages = requests.get(api.url + "/_local/mail.json", timeout=30).json()["messages"]
    ours = [m for m in messages if any(local in (m["text"] + m["html"] + " ".join(m["to"])) for local in locals_)]
    ours += [m for m in messages if group in m["subject"] or group in m["text"]]
    assert len(ours) >= 4, "the journeys sent mail about these members"
    for message in ours:
        for local in locals_:
            for part in ("subject", "text", "html"):
                assert not shows_local_part(message[part], local), (
                    f"the email {message['subject']!r} to {message['to']} names someone by their address ({local})"
                )


def test_a_first_sign_in_without_a_name_asks_for_one(api: Api) -> None:
    from tests.test_auth_flow import press_sign_in, sign_in_link

    address = f"nellbrook{uuid.uuid4().hex[:8]}@example.org"
    api.post("/auth/sign-in", data={"email": address, "next": "/visits"})
    signed_in = press_sign_in(api, sign_in_link(api, address))
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/account/name?next=%2Fvisits"
    session = {"Cookie": signed_in.headers["Set-Cookie"].split(";", 1)[0]}

    page = api.get("/account/name?next=%2Fvisits", headers=session)
    assert page.status_code == 200 and "What name should other members see?" in page.text
    assert "nellbrook" not in _ADDRESS.sub(" ", page.text), "the header does not name them by their address"
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    for bad, message in (("", "Enter the name other members will see"), (address, "not an email address")):
        refused = api.post("/account/name", data={"name": bad, "next": "/visits", "csrf_token": csrf}, headers=session)
        assert refused.status_code == 422 and message in refused.text
    form = {"name": "Nell Brook", "next": "/visits", "csrf_token": csrf}
    saved = api.post("/account/name", data=form, headers=session)
    assert saved.status_code == 303 and saved.headers["Location"] == "/visits"
    assert 'Signed in as <a href="/account">Nell Brook</a>' in api.get("/account", headers=session).text

    # The API sets it too, and every open session (this browser's as well) carries it at once.
    bearer = api.auth(address)
    changed = api.request("PUT", "/api/account/name", json={"name": "Nell B."}, headers=bearer)
    assert changed.status_code == 200 and changed.json()["name"] == "Nell B."
    assert api.get("/api/auth/me", headers=bearer).json()["name"] == "Nell B."
    assert 'Signed in as <a href="/account">Nell B.</a>' in api.get("/account", headers=session).text
    assert api.request("PUT", "/api/account/name", json={"name": "  "}, headers=bearer).status_code == 400
