"""Chain use cases: read the "taken forward" story of an event or of the community, what
something led to, and the staff write-up (edit it, publish it as a newsletter item)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from functions.common.errors import Conflict, Forbidden, NotFound
from functions.common.ids import utcnow
from functions.common.store import Store

from . import domain
from .domain import Follow, TakenForward
from .repository import ChainRepository

if TYPE_CHECKING:
    from functions.common.identity import User

#: The newsletter section the write-up goes to.
WRITE_UP_SECTION = "news"


@dataclass(frozen=True)
class WriteUp:
    event_id: str
    title: str
    markdown: str
    edited: bool
    edited_at: str | None
    published_item_id: str | None


class ChainService:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.chain = ChainRepository(self.store)

    def _event_title(self, event_id: str, user: User | None) -> str:
        from functions.events.attendance import get_event
        from functions.places.domain import ListingStatus

        event = get_event(event_id, self.store)
        if event is None or not (event.status == ListingStatus.PUBLISHED or (user and user.is_staff)):
            raise NotFound("There is no such event.")
        return event.title

    def taken_forward(self, event_id: str, user: User | None) -> tuple[TakenForward, dict[str, Any] | None]:
        """The event's story (one GetItem for the event, one Query for its chain)."""
        title = self._event_title(event_id, user)
        conversations, follows, write_up = self.chain.event_chain(event_id)
        return domain.taken_forward(event_id, title, conversations, follows), write_up

    def community(self) -> list[tuple[str, str, list[Follow]]]:
        """(event id, title, what followed) for every event something was taken forward from."""
        found = self.chain.community()
        events = [(event_id, title, sorted(f, key=lambda x: x.at)) for event_id, (title, f) in found.items()]
        return sorted(events, key=lambda e: e[2][-1].at if e[2] else "", reverse=True)

    def led_to(self, ref: str) -> list[Follow]:
        return self.chain.led_to(ref)

    # -- the staff write-up ---------------------------------------------------------------------
    def write_up(self, event_id: str, user: User) -> WriteUp:
        if not user.is_staff:
            raise Forbidden("Only the community team can see the draft write-up.")
        story, stored = self.taken_forward(event_id, user)
        if stored is not None:
            return WriteUp(
                event_id,
                story.title,
                str(stored.get("markdown", "")),
                True,
                stored.get("edited_at"),
                stored.get("published_item_id"),
            )
        return WriteUp(event_id, story.title, domain.write_up(story), False, None, None)

    def save_write_up(self, event_id: str, markdown: str, user: User) -> WriteUp:
        current = self.write_up(event_id, user)
        self.chain.save_write_up(event_id, markdown, utcnow().isoformat(), current.published_item_id)
        return self.write_up(event_id, user)

    def publish_write_up(self, event_id: str, user: User) -> str:
        """The write-up as it stands becomes an item of the next Q-municate, naming the event
        as its origin (so the chain shows it). Once only."""
        from functions.newsletter.service import NewsletterService
        from schemas.api.newsletter import NewItem

        current = self.write_up(event_id, user)
        if current.published_item_id:
            raise Conflict("This write-up is already in the newsletter: edit it there.")
        item_id = f"writeup-{event_id}"
        item = NewItem.model_validate(
            {
                "title": f"How ideas from {current.title} are being taken forward"[:150],
                "body": current.markdown[:5000],
                "section": WRITE_UP_SECTION,
                "origins": [f"event:{event_id}"],
            }
        )
        with suppress(Conflict):  # added by an earlier press whose record below did not happen
            NewsletterService(store=self.store).add_item(item, user, item_id=item_id)
        self.chain.save_write_up(event_id, current.markdown, utcnow().isoformat(), item_id)
        return item_id
