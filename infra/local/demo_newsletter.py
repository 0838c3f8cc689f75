"""Demo content for Q-municate: a few confirmed subscribers and the staff-written items from
the community's own post (see shared/notes/domain.md). Written straight to the table, like the
demo SIGs: no events, so no emails at start-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import LocalRuntime

DEMO_SUBSCRIBERS = (
    ("amara.okafor@example.org", "Amara Okafor", ()),
    ("tom.hughes@example.org", "Tom Hughes", ("events", "workshops")),
    ("priya.shah@example.org", "Priya Shah", ()),
    ("sam.reader@example.org", "Sam Reader", ("groups", "news")),
)

#: (section, title, Markdown body, path of the link on this site or None)
DEMO_ITEMS = (
    (
        "workshops",
        "Introducing Liberating Structures: a workshop in May",
        "A hands-on **introduction to Liberating Structures**: simple ways of working that make "
        "collaboration fully inclusive, so everyone in the room, including patients and carers, can "
        "shape the conversation.\n\n"
        "Hosted by members of the Liberating Structures in Healthcare SIG. Online, two hours, free for "
        "Q members.",
        "/sigs/sig_demo3",
    ),
    (
        "workshops",
        "Building resilience in the workforce: a new series",
        "A series of conversations on **building resilience in the workforce**, from cultivating "
        "kindness in teams to responding to failure honestly, openly and safely.\n\n"
        "- Session 1: what resilience means for people working in health and care\n"
        "- Session 2: peer support that lasts\n"
        "- Session 3: leading with kindness",
        "/sigs/sig_demo2",
    ),
    (
        "events",
        "Online and in-person events this season",
        "A mix of online and in-person events, including Open Space conversations like those at our "
        "Bristol and Leeds events: a member proposes a topic, hosts the conversation, and ideas and "
        "collaborations are taken forward afterwards.",
        None,
    ),
)


def seed(runtime: LocalRuntime) -> None:
    from functions.newsletter.domain import Subscriber, SubscriberStatus, staff_item
    from functions.newsletter.repository import NewsletterRepository

    repo = NewsletterRepository()
    start = datetime(2023, 1, 9, 10, 0, tzinfo=UTC)
    repo.import_subscribers(
        [
            Subscriber(
                subscriber_id=f"sub_demo{index + 1}",
                email=email,
                name=name,
                topics=tuple(topics),
                status=SubscriberStatus.CONFIRMED,
                created_at=(start + timedelta(days=index)).isoformat(),
                confirmed_at=(start + timedelta(days=index, minutes=5)).isoformat(),
            )
            for index, (email, name, topics) in enumerate(DEMO_SUBSCRIBERS)
        ]
    )
    now = datetime.now(UTC)
    for index, (section, title, body, path) in enumerate(DEMO_ITEMS):
        repo.add_item(
            staff_item(
                f"nli_demo{index + 1}",
                section=section,  # type: ignore[arg-type]
                title=title,
                body=body,
                link=runtime.url + path if path else None,
                now=now - timedelta(days=len(DEMO_ITEMS) - index),
            )
        )
