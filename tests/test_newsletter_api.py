"""Q-municate end to end over HTTP against the local runtime: double opt-in, the links in
emails (GET and HEAD change nothing; the RFC 8058 one-click POST needs no cookie and never
redirects), preferences, bounces and complaints, and community activity becoming an issue
that editors approve from their test send and subscribers receive."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from functions.common.ids import utcnow
from functions.common.store import Store
from functions.newsletter.domain import Subscriber, SubscriberStatus
from functions.newsletter.repository import NewsletterRepository
from functions.newsletter.service import preferences_url, unsubscribe_url
from infra.local.ses_events import inject_ses_event
from schemas.events.base import DomainEvent
from schemas.events.funding import BidApproved
from schemas.events.sigs import SigApproved
from schemas.events.visits import VisitPublished
from tests.conftest import STAFF, Api

SCHEDULE = "newsletter-monthly"
ONE_CLICK = {"data": "List-Unsubscribe=One-Click", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def path_of(link: str) -> str:
    parsed = urlparse(link)
    return f"{parsed.path}?{parsed.query}" if parsed.query else parsed.path


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def subscriber(email: str) -> Subscriber:
    found = NewsletterRepository().subscriber_by_email(email)
    assert found is not None, f"no subscriber {email}"
    return found


def import_subscriber(email: str, status: SubscriberStatus = SubscriberStatus.CONFIRMED, **extra: Any) -> Subscriber:
    """A subscriber written straight to the table: tests that are not about signing up skip it."""
    now = utcnow().isoformat()
    fields: dict[str, Any] = {
        "subscriber_id": f"sub_{uuid.uuid4().hex[:16]}",
        "email": email,
        "name": "",
        "topics": (),
        "status": status,
        "created_at": now,
        "confirmed_at": now if status != SubscriberStatus.PENDING else None,
    }
    made = Subscriber(**{**fields, **extra})
    NewsletterRepository().import_subscribers([made])
    return made


def publish(*events: DomainEvent) -> None:
    """What the SIG, funding and visits areas do: write the events through the outbox."""
    Store().write([], list(events))


def subscribe(api: Api, email: str, **extra: Any) -> requests.Response:
    response = api.post("/api/newsletter/subscriptions", json={"email": email, **extra})
    assert response.status_code == 202, response.text
    return response


def link_in(message: dict[str, Any], fragment: str) -> str:
    found = [link for link in message["links"] if fragment in link]
    assert len(found) == 1, message["links"]
    return found[0]


def confirmed(api: Api, email: str, name: str = "") -> Subscriber:
    subscribe(api, email, name=name)
    link = link_in(api.one_mail(email, subject="Confirm your subscription"), "/newsletter/confirm?token=")
    assert api.post("/newsletter/confirm", data={"token": token_of(link)}).status_code == 200
    return subscriber(email)


# -- subscribing ----------------------------------------------------------------------------
def test_double_opt_in_and_doing_it_twice_is_harmless(api: Api, email) -> None:
    reader = email("reader")
    accepted = subscribe(api, reader.upper(), name="Priya Shah", topics=["workshops", "events", "workshops"])
    assert reader in accepted.json()["message"]
    pending = subscriber(reader)
    assert pending.status == SubscriberStatus.PENDING and pending.topics == ("events", "workshops")

    link = link_in(api.one_mail(reader, subject="Confirm your subscription"), "/newsletter/confirm?token=")
    # Mail scanners GET and HEAD links: nothing changes.
    for _ in range(2):
        assert api.request("HEAD", path_of(link)).status_code == 200
        page = api.get(path_of(link))
        assert page.status_code == 200 and ">Confirm</button>" in page.text
        assert page.headers["Referrer-Policy"] == "same-origin"
    assert subscriber(reader).status == SubscriberStatus.PENDING

    done = api.post("/newsletter/confirm", data={"token": token_of(link)})
    assert done.status_code == 200 and "You are subscribed" in done.text
    first = subscriber(reader)
    assert first.status == SubscriberStatus.CONFIRMED

    again = api.post("/newsletter/confirm", data={"token": token_of(link)})
    assert again.status_code == 200 and "already subscribed" in again.text and "Nothing has changed" in again.text
    assert subscriber(reader) == first

    # Subscribing again answers exactly as before, changes nothing, and tells the address's owner.
    repeat = subscribe(api, reader, topics=["news"])
    assert repeat.json() == accepted.json()
    told = api.one_mail(reader, subject="already subscribed")
    assert "/newsletter/preferences?token=" in "".join(told["links"])
    assert subscriber(reader) == first


def test_the_subscribe_form_and_its_errors(api: Api, email) -> None:
    page = api.get("/newsletter")
    assert page.status_code == 200 and 'action="/newsletter"' in page.text and 'name="topics"' in page.text
    assert api.get("/newsletter/").status_code == 200
    bad = api.post("/newsletter", data={"email": "not an address", "topics": ["news", "bogus"]})
    assert bad.status_code == 422 and "There is a problem" in bad.text and "bogus" not in bad.text.split("<main")[0]
    reader = email("form")
    done = api.post("/newsletter", data={"email": reader, "name": "Tom <b>Hughes</b>", "topics": ["news", "groups"]})
    assert done.status_code == 200 and "Check your email" in done.text
    assert subscriber(reader).topics == ("groups", "news")
    message = api.one_mail(reader, subject="Confirm your subscription")
    # The name typed on the form is not put in front of the address's owner before they confirm.
    assert "Hughes" not in message["html"] and "Hughes" not in message["text"]


def test_subscription_emails_are_rate_limited(api: Api, email) -> None:
    reader = email("eager")
    for _ in range(5):
        subscribe(api, reader)
    refused = api.post("/api/newsletter/subscriptions", json={"email": reader})
    assert refused.status_code == 429
    assert len(api.mail(reader)) == 5


def test_bad_input_is_refused_plainly(api: Api, email) -> None:
    post = api.post
    assert post("/api/newsletter/subscriptions", json={"email": "nope"}).status_code == 422
    assert post("/api/newsletter/subscriptions", json={"email": email(), "admin": True}).status_code == 422
    assert post("/api/newsletter/subscriptions", json={"email": email(), "topics": ["spam"]}).status_code == 422
    assert (
        post("/api/newsletter/subscriptions", data="{", headers={"Content-Type": "application/json"}).status_code == 422
    )
    assert post("/api/newsletter/subscriptions", json={"email": email(), "name": "x" * 101}).status_code == 422
    for path in ("/newsletter/confirm", "/newsletter/unsubscribe", "/newsletter/preferences"):
        for token in ("", "garbage", "x" * 3000):
            for method in ("GET", "POST"):
                response = api.request(method, f"{path}?token={token}")
                assert response.status_code == 400, (method, path, response.status_code)
                assert "This link cannot be used" in response.text
    # A real token for another purpose is refused and says why.
    mine = import_subscriber(email())
    wrong = api.get(f"/newsletter/confirm?token={token_of(unsubscribe_url(mine.subscriber_id))}")
    assert wrong.status_code == 400 and "different action" in wrong.text
    assert api.get("/newsletter/issues/nl_missing").status_code == 404
    assert api.get("/newsletter/issues/..%2F..%2Fetc").status_code in (404, 422)
    assert api.get("/api/newsletter/issues/nl_missing").status_code == 404
    assert api.get("/newsletter/issues/nl_missing/review?token=x").status_code == 400


def test_staff_add_items_members_cannot(api: Api, email) -> None:
    item = {"title": "Open Space: cultivating kindness", "body": "Join us.", "section": "events"}
    assert api.post("/api/newsletter/items", json=item).status_code == 401
    assert api.post("/api/newsletter/items", json=item, headers=api.auth(email())).status_code == 403
    staff = api.auth(email("staff"), staff=True)
    for bad in ({"link": "javascript:alert(1)"}, {"section": "gossip"}, {"title": "ab"}, {"body": ""}, {"extra": 1}):
        assert api.post("/api/newsletter/items", json={**item, **bad}, headers=staff).status_code == 422, bad
    created = api.post("/api/newsletter/items", json={**item, "link": "https://q.example.org/events"}, headers=staff)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pending" and created.json()["source"] == "staff"
    listed = api.get("/api/newsletter/items", headers=staff).json()["items"]
    assert created.json()["item_id"] in [i["item_id"] for i in listed]
    assert api.get("/api/newsletter/items", headers=api.auth(email())).status_code == 403


# -- links in every issue -------------------------------------------------------------------
def test_unsubscribe_get_and_head_change_nothing_and_one_click_needs_no_cookie(api: Api, email) -> None:
    reader = import_subscriber(email("leaving"))
    link = unsubscribe_url(reader.subscriber_id)
    for _ in range(2):
        assert api.request("HEAD", path_of(link)).status_code == 200
        page = api.get(path_of(link))
        assert page.status_code == 200 and ">Unsubscribe</button>" in page.text
    assert subscriber(reader.email).status == SubscriberStatus.CONFIRMED

    # What a mail provider does: a bare POST of the header's URL, no cookie, no redirects followed.
    bare = requests.Session()
    done = bare.post(link.replace(urlparse(link).netloc, urlparse(api.url).netloc), allow_redirects=False, **ONE_CLICK)
    assert done.status_code == 200 and "Location" not in done.headers and "Set-Cookie" not in done.headers
    assert not bare.cookies
    assert subscriber(reader.email).status == SubscriberStatus.UNSUBSCRIBED
    # Again, and as multipart/form-data (RFC 8058 allows both): still 200, says so.
    again = api.post(path_of(link), files={"List-Unsubscribe": (None, "One-Click")})
    assert again.status_code == 200 and "already unsubscribed" in again.text
    # The page's own button posts the token as a field.
    assert api.post("/newsletter/unsubscribe", data={"token": token_of(link)}).status_code == 200


def test_preferences_change_topics(api: Api, email) -> None:
    reader = import_subscriber(email("prefs"), topics=("news",))
    link = preferences_url(reader.subscriber_id)
    assert api.request("HEAD", path_of(link)).status_code == 200
    page = api.get(path_of(link))
    assert page.status_code == 200 and 'value="news" checked' in page.text
    bad = api.post("/newsletter/preferences", data={"token": token_of(link), "topics": ["nonsense"]})
    assert bad.status_code == 422 and "There is a problem" in bad.text
    saved = api.post("/newsletter/preferences", data={"token": token_of(link), "topics": ["visits", "events"]})
    assert saved.status_code == 200 and "Saved" in saved.text
    assert subscriber(reader.email).topics == ("events", "visits")
    assert subscriber(reader.email).status == SubscriberStatus.CONFIRMED


# -- bounces and complaints -----------------------------------------------------------------
def test_bounces_and_complaints_suppress_the_address(api: Api, email, runtime) -> None:
    bounced, complained, soft = (import_subscriber(email(kind)) for kind in ("bounced", "complained", "soft"))
    stranger = email("stranger")
    inject_ses_event(runtime, "bounce", bounced.email)
    inject_ses_event(runtime, "complaint", complained.email)
    inject_ses_event(runtime, "bounce", soft.email, bounce_type="Transient")
    inject_ses_event(runtime, "bounce", stranger)
    api.settle()
    repo = NewsletterRepository()
    assert subscriber(bounced.email).status == SubscriberStatus.SUPPRESSED
    assert subscriber(complained.email).status == SubscriberStatus.SUPPRESSED
    assert subscriber(soft.email).status == SubscriberStatus.CONFIRMED
    assert repo.is_suppressed(stranger) and not repo.is_suppressed(soft.email)

    # A suppressed address is never emailed again, not even to confirm a new subscription.
    for address in (bounced.email, stranger):
        assert subscribe(api, address).json()["message"]
    assert api.mail(bounced.email) == [] and api.mail(stranger) == []
    assert repo.subscriber_by_email(stranger) is None


# -- the whole flow -------------------------------------------------------------------------
def activity(tag: str) -> tuple[list[DomainEvent], dict[str, str]]:
    now = datetime.now(UTC)
    sig = SigApproved(
        sig_id=f"sig_{tag}",
        name=f"Third Sector SIG {tag}",
        purpose="How the third sector and the NHS can work together to effect improvement.",
        proposer_email="amara.okafor@example.org",
        proposer_name="Amara Okafor",
        convener_emails=["amara.okafor@example.org"],
        decided_by=STAFF,
        note="",
    )
    funded = {
        "round_id": "rnd_1",
        "round_name": "Supporting Q Connections 2025",
        "summary": "A convener role to help the SIG support members and organisations.",
        "amount_pence": 150000,
        "applicant_id": "mem_1",
        "applicant_email": "tom.hughes@example.org",
        "applicant_name": "Tom Hughes",
    }
    named = BidApproved(bid_id=f"bid_{tag}", title=f"Convener role {tag}", consent_to_be_named=True, **funded)
    unnamed = BidApproved(bid_id=f"bid_x{tag}", title=f"Quiet bid {tag}", consent_to_be_named=False, **funded)
    visit = {
        "host_organisation": "A community organising network",
        "description": "Harnessing the power of community organising.",
        "format": "online",
        "starts_at": now + timedelta(days=40),
        "ends_at": now + timedelta(days=40, hours=2),
        "places": 30,
        "signup_closes_at": now + timedelta(days=30),
    }
    open_visit = VisitPublished(visit_id=f"vis_{tag}", title=f"Community organising {tag}", places_left=12, **visit)
    full_visit = VisitPublished(visit_id=f"vis_x{tag}", title=f"Full visit {tag}", places_left=0, **visit)
    titles = {
        "sig": f"New group: {sig.name}",
        "bid": f"Funded: {named.title}",
        "unnamed": f"Funded: {unnamed.title}",
        "visit": open_visit.title,
        "full": full_visit.title,
    }
    return [sig, named, unnamed, open_visit, full_visit], titles


def mails_about(api: Api, to: str, issue_id: str) -> list[dict[str, Any]]:
    return [m for m in api.mail(to) if issue_id in m["text"] or issue_id in "".join(m["links"])]


def test_community_activity_becomes_an_issue_that_editors_approve_and_subscribers_receive(
    api: Api, email, runtime
) -> None:
    tag = uuid.uuid4().hex[:8]
    reader = confirmed(api, email("reader"), name="Priya Shah")
    waiting = import_subscriber(email("pending"), SubscriberStatus.PENDING)
    gone = import_subscriber(email("gone"), SubscriberStatus.UNSUBSCRIBED)
    bounced = import_subscriber(email("bounced"))
    inject_ses_event(runtime, "bounce", bounced.email)

    events, titles = activity(tag)
    publish(*events)
    staff = api.auth(email("editor"), staff=True)
    hostile = {
        "title": f"Liberating Structures <b>workshop</b> {tag}",
        "body": 'A **May** workshop. <script>alert("pwned")</script> <img src=x onerror=alert(1)>',
        "link": "https://q.example.org/liberating-structures",
        "section": "workshops",
    }
    assert api.post("/api/newsletter/items", json=hostile, headers=staff).status_code == 201
    api.settle()

    drafted = runtime.run_schedule(SCHEDULE)
    issue_id = drafted["issue_id"]
    assert issue_id, drafted
    view = api.get(f"/api/newsletter/issues/{issue_id}", headers=staff).json()
    assert view["status"] == "draft"
    in_issue = {i["title"] for s in view["sections"] for i in s["items"]}
    assert {titles["sig"], titles["bid"], titles["visit"], hostile["title"]} <= in_issue
    assert titles["unnamed"] not in in_issue and titles["full"] not in in_issue
    sections = [s["section"] for s in view["sections"]]
    assert sections.index("workshops") < sections.index("visits") < sections.index("groups") < sections.index("funding")

    # The editors' test send comes first; nobody else has it; drafts are not public.
    test_send = [m for m in api.mail(STAFF, subject="[TEST]") if issue_id in "".join(m["links"])]
    assert len(test_send) == 1 and test_send[0]["subject"].startswith("[TEST] ")
    assert mails_about(api, reader.email, issue_id) == []
    assert api.get(f"/newsletter/issues/{issue_id}").status_code == 404
    assert api.get(f"/api/newsletter/issues/{issue_id}", headers=api.auth(email())).status_code == 404

    review = link_in(test_send[0], f"/newsletter/issues/{issue_id}/review?token=")
    for _ in range(2):
        assert api.request("HEAD", path_of(review)).status_code == 200
        page = api.get(path_of(review))
        assert page.status_code == 200 and "Approve and send" in page.text
        assert "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert api.get(f"/api/newsletter/issues/{issue_id}", headers=staff).json()["status"] == "draft"

    approved = api.post(f"/newsletter/issues/{issue_id}/review", data={"token": token_of(review)})
    assert approved.status_code == 200 and "approved</strong> by community.team@q.example.org" in approved.text
    again = api.post(f"/newsletter/issues/{issue_id}/review", data={"token": token_of(review)})
    assert again.status_code == 200 and "approved</strong> by community.team@q.example.org" in again.text
    assert api.post(f"/api/newsletter/issues/{issue_id}/approval", headers=staff).status_code == 409

    received = mails_about(api, reader.email, issue_id)
    assert len(received) == 1, [m["subject"] for m in received]
    message = received[0]
    assert message["subject"] == view["title"]
    headers = message["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.fullmatch(r"<(.+)>", headers["List-Unsubscribe"])
    assert one_click and "/newsletter/unsubscribe?token=" in one_click.group(1)
    assert one_click.group(1) in message["links"]  # the footer link is the same
    # Item text with HTML or script is shown as text, never markup.
    html = message["html"]
    assert (
        "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
        or "&lt;script&gt;alert(&quot;pwned&quot;)" in html
    )
    assert "<script" not in html and "<img" not in html and "<b>workshop" not in html
    assert "<strong>May</strong>" in html
    assert '<script>alert("pwned")</script>' in message["text"]  # plain text is plain
    for nobody in (waiting.email, gone.email, bounced.email):
        assert mails_about(api, nobody, issue_id) == []

    # The archive lists and shows it, escaped the same way.
    assert f"/newsletter/issues/{issue_id}" in api.get("/newsletter").text
    archived = api.get(f"/newsletter/issues/{issue_id}")
    assert archived.status_code == 200 and titles["sig"] in archived.text
    assert "&lt;script&gt;" in archived.text and "<script" not in archived.text
    assert issue_id in [i["issue_id"] for i in api.get("/api/newsletter/issues").json()["issues"]]

    # One click in the mail client: unsubscribed, no redirect, no cookie.
    target = one_click.group(1).replace(urlparse(one_click.group(1)).netloc, urlparse(api.url).netloc)
    done = requests.post(target, allow_redirects=False, timeout=30, **ONE_CLICK)  # type: ignore[arg-type]
    assert done.status_code == 200 and "Location" not in done.headers
    assert subscriber(reader.email).status == SubscriberStatus.UNSUBSCRIBED

    # Nothing new happened since: the schedule makes no issue.
    assert runtime.run_schedule(SCHEDULE)["issue_id"] is None


# -- a member's data ------------------------------------------------------------------------
def test_erasing_an_account_removes_the_subscription_and_the_name_from_items_and_archive(
    api: Api, email, runtime
) -> None:
    me = email("named")
    name = f"Zebedee Quartermaine {uuid.uuid4().hex[:4]}"
    mine = api.auth(me, name=name)
    member_id = api.get("/api/auth/me", headers=mine).json()["member_id"]
    import_subscriber(me, name=name)
    events, _ = activity(uuid.uuid4().hex[:8])
    funded = events[1]
    assert isinstance(funded, BidApproved)
    named = funded.model_copy(update={"applicant_id": member_id, "applicant_name": name})
    publish(named)
    api.settle()
    issue_id = runtime.run_schedule(SCHEDULE)["issue_id"]
    assert issue_id
    staff = api.auth(email("editor"), staff=True)
    assert api.post(f"/api/newsletter/issues/{issue_id}/approval", headers=staff).status_code == 200
    later = named.model_copy(update={"bid_id": f"{named.bid_id}b", "event_id": f"evt_{uuid.uuid4().hex}"})
    publish(later)  # funded after the issue: still pending
    api.settle()

    data = api.get("/api/account/data", headers=mine).json()["newsletter"]
    assert data["subscription"]["email"] == me and data["subscription"]["status"] == "confirmed"
    assert {i["status"] for i in data["named_in"]} == {"issued", "pending"}
    assert name in api.get(f"/newsletter/issues/{issue_id}").text

    assert api.post("/api/account/erasure", json={"confirm": "erase my account"}, headers=mine).status_code == 200
    api.settle()
    repo = NewsletterRepository()
    assert repo.subscriber_by_email(me) is None
    assert repo.item(f"bid-{later.bid_id}") is None
    issued = repo.item(f"bid-{named.bid_id}")
    assert issued is not None and issued.body.startswith("A member has been awarded")
    archived = api.get(f"/newsletter/issues/{issue_id}").text
    assert name not in archived and "A member has been awarded" in archived
    table = runtime.resources.tables["main"]
    for page in runtime.client("dynamodb").get_paginator("scan").paginate(TableName=table):  # test-only Scan
        text = str(page["Items"]).lower()
        assert me not in text and name.lower() not in text
