"""The team home (``/staff``): counts kept up to date by the ``team-attention`` consumer from the
domain events, read with a bounded number of Queries, and the month's charts as accessible SVG."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Api
from tests.test_funding_helpers import as_staff, open_round, submit
from tests.test_sigs_api import review_link
from tests.test_visits_helpers import publish, sign_up


def summary(api: Api) -> dict[str, Any]:
    api.settle()
    response = api.get("/api/staff/summary", headers=as_staff(api))
    assert response.status_code == 200, response.text
    return dict(response.json())


def counts(api: Api) -> dict[str, int]:
    return {c["key"]: c["count"] for c in summary(api)["counts"]}


def test_only_the_team_sees_the_team_home(api: Api, email) -> None:
    assert api.get("/staff").status_code == 303
    assert api.get("/staff").headers["Location"] == "/auth/sign-in?next=/staff"
    member = api.auth(email())
    assert api.get("/api/staff/summary", headers=member).status_code == 403
    cookie = {"Cookie": f"convene_session={member['Authorization'].removeprefix('Bearer ')}"}
    assert api.get("/staff", headers=cookie).status_code == 403
    page = api.get("/staff", headers={"Cookie": f"convene_session={as_staff(api)['Authorization'][7:]}"})
    assert page.status_code == 200 and "Team home" in page.text
    assert "Opens</dt><dd>Not tracked" in page.text


def test_counts_follow_the_events(api: Api, email) -> None:
    before = counts(api)
    name = f"Responding to failure SIG {uuid.uuid4().hex[:6]}"
    created = api.post("/api/sigs", json={"name": name, "purpose": "Openly and safely."}, headers=api.auth(email()))
    assert created.status_code == 201
    visit_id = publish(api, places=1)
    for _ in range(3):
        assert sign_up(api, visit_id, email()).status_code == 201
    during = counts(api)
    assert during["sigs"] == before["sigs"] + 1
    assert during["waiting"] == before["waiting"] + 2

    page = api.get("/staff", headers={"Cookie": f"convene_session={as_staff(api)['Authorization'][7:]}"})
    assert name in page.text and f'href="/sigs/{created.json()["sig_id"]}"' in page.text
    assert f'href="/visits/{visit_id}/staff"' in page.text

    token = Api.path(review_link(api, name)).split("token=", 1)[1]
    api.post(f"/sigs/{created.json()['sig_id']}/review", data={"token": token, "decision": "reject", "note": "No"})
    assert api.post(f"/api/visits/{visit_id}/cancellation", json={"reason": "Host unwell"}, headers=as_staff(api)).ok
    after = counts(api)
    assert after["sigs"] == before["sigs"]
    assert after["waiting"] == before["waiting"]


def test_charts_are_svg_with_a_title_and_a_table(api: Api, email) -> None:
    reviewer = email("reviewer")
    rnd = open_round(api, [reviewer], decision_rule={"approvals_needed": 1}, budget_pence=10_000_00)
    submit(api, rnd["round_id"], email("applicant"))
    data = summary(api)
    funding = next(c for c in data["charts"] if c["key"] == "funding")
    bar = next(b for b in funding["bars"] if b["label"] == rnd["name"])
    assert bar == {"label": rnd["name"], "value": 0, "total": 10_000_00}
    assert data["newsletter_opens_tracked"] is False
    page = api.get("/staff", headers={"Cookie": f"convene_session={as_staff(api)['Authorization'][7:]}"}).text
    assert 'role="img" aria-labelledby="funding-title funding-desc"' in page
    assert "<caption>Funding awarded against each pot</caption>" in page
    assert f'<th scope="row">{rnd["name"]}</th><td>£0</td><td>£10,000</td>' in page
