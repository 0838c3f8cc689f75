"""Events use cases: publishing events and series, signing up for a session or a whole series.
Places, the waiting list, changes, attendance and schedules are the shared places use cases."""

from __future__ import annotations

from dataclasses import dataclass

from functions.common.errors import DomainError, InvalidInput, NotFound
from functions.common.http import User
from functions.common.ids import new_id, utcnow
from functions.common.store import Store
from functions.places.service import PlacesService, SignedUp
from schemas.api.events import PublishEvent, PublishSeries, SignUpForEvent

from . import domain
from .domain import Event, Series
from .repository import EventRepository, SeriesMissing


@dataclass(frozen=True)
class EventAnswers:
    """A sign-up body with the answers paired with the event's questions."""

    access_needs: str
    dietary_needs: str
    note: str
    answers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SeriesSignup:
    series: Series
    results: list[SignedUp[Event]]
    #: Sessions that could not be signed up for, with why (closed, cancelled ...).
    skipped: list[tuple[Event, str]]


class EventService(PlacesService[Event]):
    def __init__(self, repository: EventRepository | None = None, store: Store | None = None) -> None:
        self.events = repository or EventRepository(store)
        super().__init__(self.events)

    # -- publishing ---------------------------------------------------------------------------------
    def publish(self, body: PublishEvent, user: User) -> Event:
        if body.series_id:
            self.series(body.series_id)  # says clearly when it does not exist
        from functions.chain.origins import resolve

        origins = tuple(resolve(body.origins, user, self.events.store))
        event, published = domain.publish(new_id("event"), body, user.email, utcnow(), origins)
        try:
            self.events.publish_event(event, [published])
        except SeriesMissing:
            raise NotFound("There is no such series.", field="series_id") from None
        return event

    def publish_series(self, body: PublishSeries, user: User) -> Series:
        series, published = domain.new_series(new_id("series"), body, user.email, utcnow())
        self.events.publish_series(series, [published])
        return series

    def series(self, series_id: str) -> Series:
        valid = series_id.startswith("series_") and len(series_id) < 64
        series = self.events.series(series_id) if valid else None
        if series is None:
            raise NotFound("There is no such series.")
        return series

    def sessions(self, series: Series) -> list[Event]:
        found = {e.event_id: e for e in self.events.get_many(list(series.session_ids))}
        return sorted((found[i] for i in series.session_ids if i in found), key=lambda e: e.starts_at)

    def all_series(self) -> list[Series]:
        return self.events.all_series()

    def upcoming_and_series(self) -> tuple[list[Event], list[Series]]:
        """What the events list shows: the upcoming events and every series, in one read."""
        return self.events.upcoming_and_series(utcnow())

    def series_of(self, events: list[Event]) -> dict[str, Series]:
        ids = sorted({e.series_id for e in events if e.series_id})
        return {s.series_id: s for s in self.events.series_many(ids)} if ids else {}

    # -- signing up ---------------------------------------------------------------------------------
    def sign_up_for_event(self, event_id: str, user: User, body: SignUpForEvent) -> SignedUp[Event]:
        event = self.get(event_id)
        if len(body.answers) > len(event.access_questions):
            raise InvalidInput("There are more answers than this event has questions.", field="answers")
        if event.series_id:
            domain.ensure_single_session_allowed(event, self.events.series(event.series_id))
        return self.sign_up(event_id, user, _answered(event, body))

    def sign_up_for_series(self, series_id: str, user: User, body: SignUpForEvent) -> SeriesSignup:
        """A place (or a waiting-list place) on every session still taking sign-ups; one that
        is not (closed, cancelled, past) is skipped and said so, without undoing the others."""
        series = self.series(series_id)
        domain.ensure_whole_series_allowed(series)
        now = utcnow()
        sessions = [s for s in self.sessions(series) if not s.has_started(now)]
        if not sessions:
            raise domain.SeriesRule("Every session of this series has taken place.")
        results: list[SignedUp[Event]] = []
        skipped: list[tuple[Event, str]] = []
        for session in sessions:
            try:
                results.append(self.sign_up(session.event_id, user, _answered(session, body)))
            except DomainError as error:
                skipped.append((session, error.message))
        if not results:
            raise domain.SeriesRule(skipped[0][1] if skipped else "No session of this series is taking sign-ups.")
        return SeriesSignup(series, results, skipped)


def _answered(event: Event, body: SignUpForEvent) -> EventAnswers:
    return EventAnswers(
        access_needs=body.access_needs,
        dietary_needs=body.dietary_needs,
        note=body.note,
        answers=domain.answers(event, body.answers),
    )
