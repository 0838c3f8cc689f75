"""`convene dev` as a person runs it: a separate process on a free port, driven over HTTP,
following the links in the local mail viewer; `convene token` and friends against it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.runtime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    state = tmp_path_factory.mktemp("dev-state")
    env = {**os.environ, "CONVENE_STATE_DIR": str(state)}
    for leaked in ("AWS_ENDPOINT_URL", "CONVENE_SIGNING_KEYS", "SITE_URL"):
        env.pop(leaked, None)  # the in-process test runtime sets these; a real shell would not
    # Its console goes to a file: nobody reads a pipe while the tests run, and once the pipe's
    # buffer (64 KB) is full, every thread that logs blocks, shutdown included.
    console_path = state / "console.log"
    console = console_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=console,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"convene dev exited: {console_path.read_text()}")
        try:
            if requests.get(url + "/api/sigs", timeout=2).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):  # bound, not yet serving
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("convene dev did not start within 60 s")
    yield url
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"convene dev did not stop on SIGTERM; its console ended:\n{console_path.read_text()[-3000:]}")
    finally:
        console.close()


def convene(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def mails(url: str, to: str, subject: str = "") -> list[dict]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        messages = requests.get(url + "/_local/mail.json", timeout=10).json()["messages"]
        found = [m for m in messages if to in m["to"] and subject in m["subject"]]
        if found:
            return found
        time.sleep(0.2)
    return []


def test_the_demo_community_is_there(dev: str) -> None:
    names = {s["name"] for s in requests.get(dev + "/api/sigs", timeout=10).json()["sigs"]}
    assert {"Third Sector SIG", "Coaching SIG", "Liberating Structures in Healthcare SIG"} <= names
    home = requests.get(dev + "/", timeout=10)
    assert home.status_code == 200 and "Q community" in home.text
    assert requests.get(dev + "/_local/mail", timeout=10).status_code == 200


def test_the_demo_bristol_event_tells_how_its_ideas_are_taken_forward(dev: str) -> None:
    """Issue 11, done when: a demo member's conversation at Bristol leads to the Coaching SIG, a
    funded convener bid and a newsletter item; the page and the staff draft show that chain."""
    story = requests.get(dev + "/api/chain/events/event_demobristolheld", timeout=10).json()
    chains = [c for t in story["themes"] for c in t["conversations"] if c["followed"]]
    (chain,) = {c["conversation_id"]: c for c in chains}.values()
    assert chain["title"] == "Responding to failure honestly, openly and safely" and chain["hosts"] == ["Tom Hughes"]
    assert [(f["kind"], f["title"]) for f in chain["followed"]] == [
        ("sig", "Coaching SIG"),
        ("bid", "A paid convener for the Coaching SIG"),
        ("newsletter", "The Coaching SIG has a paid convener"),
    ]
    page = requests.get(dev + "/chain/events/event_demobristolheld", timeout=10).text
    assert "are being taken forward" in page and "A paid convener for the Coaching SIG" in page
    token = convene("token", "community.team@q.example.org", "--staff", "--url", dev).stdout.split()[-1]
    staff = {"Authorization": f"Bearer {token}"}
    draft = requests.get(dev + "/api/chain/events/event_demobristolheld/write-up", headers=staff, timeout=10).json()
    assert "Coaching SIG" in draft["markdown"] and "A paid convener for the Coaching SIG" in draft["markdown"]
    sig = requests.get(dev + "/api/sigs/sig_demo2", timeout=10).json()
    assert sig["came_from"][0]["title"] == "Responding to failure honestly, openly and safely"


def test_the_demo_comments_one_shown_and_a_first_one_held_for_the_team(dev: str) -> None:
    """Issue 11 §4, done when: a comment is held (the team's email in the mail viewer), and an
    approved one is shown on the Bristol proceedings."""
    shown = requests.get(dev + "/api/comments?target=proceedings:event_demobristolheld", timeout=10).json()
    assert [c["author"] for c in shown["comments"]] == ["Amara Okafor"]
    target = "taken-forward:event_demobristolheld"
    assert requests.get(dev + f"/api/comments?target={target}", timeout=10).json()["comments"] == []
    held = mails(dev, "community.team@q.example.org", "A first comment to approve")
    assert held, "no moderation email"
    link = next(x for x in held[0]["links"] if "/comments/moderate?token=" in x)
    page = requests.get(link, timeout=10).text
    assert "Priya Shah" in page and "kindness check-in" in page and "Approve" in page


def test_the_demo_bristol_event_has_a_published_takeaway_and_a_waiting_follow_up(dev: str) -> None:
    """Issue 11 §2: a follow-up answer with consent, published by staff, shows on the event's page,
    its "taken forward" page and among the next Q-municate's items; another is in the mail viewer."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the takeaway's event reaches the chain through the outbox
        story = requests.get(dev + "/api/chain/events/event_demobristolheld", timeout=10).json()
        if any(f["kind"] == "takeaway" for f in story["from_the_event"]):
            break
        time.sleep(0.5)
    (takeaway,) = [f for f in story["from_the_event"] if f["kind"] == "takeaway"]
    assert takeaway["people"] == ["Amara Okafor"]
    assert "ten-minute huddle" in requests.get(dev + "/events/event_demobristolheld", timeout=10).text
    assert "ten-minute huddle" in requests.get(dev + "/chain/events/event_demobristolheld", timeout=10).text
    token = convene("token", "community.team@q.example.org", "--staff", "--url", dev).stdout.split()[-1]
    items = requests.get(dev + "/api/newsletter/items", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert any(i["source"] == "followups" and "Amara Okafor" in i["body"] for i in items.json()["items"])
    (ask,) = [m for m in mails(dev, "gareth.evans@example.org") if "What did you take away" in m["subject"]]
    link = next(x for x in ask["links"] if "/followups/answer?token=" in x)
    assert "Send your answer" in requests.get(link, timeout=10).text  # the form; opening it changed nothing


def test_sign_in_propose_approve_join_over_http(dev: str) -> None:
    member = "grace.lee@example.org"
    assert (
        requests.post(dev + "/api/auth/sign-in", json={"email": member, "name": "Grace Lee"}, timeout=10).status_code
        == 202
    )
    [sign_in] = mails(dev, member)
    link = next(x for x in sign_in["links"] if "/auth/link" in x)
    assert link.startswith(dev)
    token = parse_qs(urlparse(link).query)["token"][0]
    session = requests.post(dev + "/api/auth/sessions", json={"token": token}, timeout=10).json()["session_token"]
    me = {"Authorization": f"Bearer {session}"}

    proposal = {"name": "Cultivating Kindness SIG", "purpose": "Cultivating kindness across health and care teams."}
    created = requests.post(dev + "/api/sigs", json=proposal, headers=me, timeout=10)
    assert created.status_code == 201
    sig_id = created.json()["sig_id"]

    staff_mail = mails(dev, "community.team@q.example.org", "Cultivating Kindness")
    review = next(x for x in staff_mail[0]["links"] if "/review?token=" in x)
    assert requests.head(review, timeout=10).status_code == 200
    assert requests.get(review, timeout=10).status_code == 200
    assert requests.get(f"{dev}/api/sigs/{sig_id}", timeout=10).status_code == 404  # still a proposal
    decided = requests.post(
        dev + urlparse(review).path,
        data={"token": parse_qs(urlparse(review).query)["token"][0], "decision": "approve"},
        timeout=10,
    )
    assert decided.status_code == 200 and "approved" in decided.text

    printed = convene("token", "amara.okafor@example.org", "--url", dev)
    assert printed.returncode == 0, printed.stderr
    other = {"Authorization": f"Bearer {printed.stdout.split()[-1]}"}
    assert requests.post(f"{dev}/api/sigs/{sig_id}/members", headers=other, timeout=10).status_code == 201
    assert requests.get(f"{dev}/api/sigs/{sig_id}", timeout=10).json()["member_count"] == 2
    assert any("approved" in m["subject"] for m in mails(dev, member))


def test_staff_tokens_and_local_commands(dev: str) -> None:
    staff = convene("token", "editor@example.org", "--staff", "--url", dev)
    headers = {"Authorization": f"Bearer {staff.stdout.split()[-1]}"}
    assert requests.get(dev + "/api/auth/me", headers=headers, timeout=10).json()["is_staff"] is True
    assert convene("dlq", "--url", dev).returncode == 0
    missing = convene("run-schedule", "no-such-schedule", "--url", dev)
    assert missing.returncode != 0 and "No schedule named" in missing.stderr


def test_the_cli_says_clearly_when_dev_is_not_running() -> None:
    result = convene("token", "a@example.org", "--url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode != 0 and "Is `convene dev` running?" in result.stderr
