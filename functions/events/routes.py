"""Events API and pages: community events, workshops, series and their sessions."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.common.errors import DomainError
from functions.common.forms import validate
from functions.common.http import App, User
from functions.common.ids import utcnow
from functions.common.web import parse_form
from functions.places import views
from functions.places.api import PlaceModels, register_place_api
from functions.places.domain import Signup
from functions.places.pages import register_member_pages, sign_up_from_form
from functions.places.repository import ts
from functions.places.team import register_publishing, register_team, staff_or_none
from schemas.api.events import (
    EventAttendeeList,
    EventList,
    EventSignupView,
    EventView,
    OpenSpaceSettings,
    PublishEvent,
    PublishSeries,
    SeriesDetail,
    SeriesSignupResult,
    SeriesView,
    SignUpForEvent,
)

from .domain import Event, Series
from .forms import LABELS, read_event_form
from .service import EventService

EventId = Annotated[str, Path(max_length=64, pattern=r"^event_[A-Za-z0-9]+$")]
SeriesId = Annotated[str, Path(max_length=64, pattern=r"^series_[A-Za-z0-9]+$")]


def event_view(event: Event, joining_link: str | None = None) -> EventView:
    open_space = None
    if event.open_space is not None:
        open_space = OpenSpaceSettings.model_validate(
            {
                "slots": [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in event.open_space.slots],
                "spaces": [vars(s) for s in event.open_space.spaces],
                "marketplace_closes_at": event.open_space.marketplace_closes_at,
            }
        )
    return EventView(
        **views.listing_fields(event, joining_link),
        event_id=event.event_id,
        kind=event.kind.value,  # type: ignore[arg-type]
        kind_label=event.kind_label,
        series_id=event.series_id,
        access_questions=list(event.access_questions),
        open_space=open_space,
    )


def signup_view(event: Event, signup: Signup, position: int | None, link: str | None) -> EventSignupView:
    fields = views.place_fields(signup, position, link)
    return EventSignupView(**fields, event_id=event.event_id, answers=list(signup.answers))


def series_view(series: Series) -> SeriesView:
    return SeriesView(
        series_id=series.series_id,
        title=series.title,
        description=series.description,
        signup_mode=series.signup_mode.value,  # type: ignore[arg-type]
        session_ids=list(series.session_ids),
    )


def _json(status: int, model: Any) -> Response[str]:
    return Response(status, "application/json", model.model_dump_json())


def register(app: App) -> None:
    service = EventService()

    def my_view(event: Event, user: User, signup: Signup, position: int | None = None) -> EventSignupView:
        return signup_view(event, signup, position, service.joining_link_for(event, user, signup))

    # -- API: events --------------------------------------------------------------------------------
    @app.get("/api/events", tags=["Events"], summary="Upcoming events, workshops and series sessions")
    def list_events(
        format: Annotated[str | None, Query(pattern="^(online|in_person|hybrid)$")] = None,
        kind: Annotated[str | None, Query(pattern="^(community_event|workshop|series_session)$")] = None,
    ) -> EventList:
        upcoming, series = service.upcoming_and_series()
        events = [e for e in upcoming if (format is None or e.format == format) and (kind is None or e.kind == kind)]
        return EventList(events=[event_view(e) for e in events], series=[series_view(s) for s in series])

    @app.post("/api/events", tags=["Events"], status_code=201, summary="Publish an event (staff)")
    def publish(body: Annotated[PublishEvent, Body()]) -> Response[str]:
        event = service.publish(body, app.require_staff())
        return _json(201, event_view(event, event.joining_link or None))

    register_place_api(
        app,
        service,
        PlaceModels(
            tag="Events",
            listing=EventView,
            listing_view=event_view,
            signup=EventSignupView,
            signup_view=signup_view,
            attendees=EventAttendeeList,
            attendees_view=lambda event, rows: EventAttendeeList(
                event_id=event.event_id,
                confirmed=event.confirmed,
                waiting=event.waiting,
                attendees=[views.attendee_view(s, position) for s, position in rows],
            ),
            signup_body=SignUpForEvent,
            sign_up=service.sign_up_for_event,
        ),
    )

    # -- API: series ---------------------------------------------------------------------------------
    @app.post("/api/series", tags=["Events"], status_code=201, summary="Publish a series (staff); add sessions to it")
    def publish_series(body: Annotated[PublishSeries, Body()]) -> Response[str]:
        return _json(201, series_view(service.publish_series(body, app.require_staff())))

    @app.get("/api/series/<series_id>", tags=["Events"], summary="A series and its sessions")
    def get_series(series_id: SeriesId) -> SeriesDetail:
        series = service.series(series_id)
        return SeriesDetail(series=series_view(series), sessions=[event_view(e) for e in service.sessions(series)])

    @app.post(
        "/api/series/<series_id>/signups",
        tags=["Events"],
        status_code=201,
        summary="Sign up for the whole series: a place or waiting-list place on each session still open",
    )
    def sign_up_for_series(
        series_id: SeriesId, body: Annotated[SignUpForEvent | None, Body()] = None
    ) -> SeriesSignupResult:
        user = app.require_user()
        result = service.sign_up_for_series(series_id, user, body or SignUpForEvent())
        return SeriesSignupResult(
            series_id=series_id,
            signups=[my_view(r.listing, user, r.signup, r.position) for r in result.results],
        )

    # -- pages -----------------------------------------------------------------------------------------
    @app.get("/events", include_in_schema=False)
    def list_page() -> Response[str]:
        from .whats_on import FORMATS, KINDS, whats_on  # visits too: not for the API's cold start

        event = app.current_event
        fmt = event.get_query_string_value("format", "") or ""
        kind = event.get_query_string_value("kind", "") or ""
        items = whats_on(service.store, format=fmt if fmt in FORMATS else "", kind=kind if kind in KINDS else "")
        return app.page("events/list.html", items=items, format=fmt, kind=kind, formats=FORMATS, kinds=KINDS)

    register_publishing(
        app,
        service,
        template="events/new.html",
        labels=LABELS,
        read_form=read_event_form,
        context=lambda: {"series": service.all_series()},
    )

    @app.get("/series/new", include_in_schema=False)
    def new_series_page() -> Response[str]:
        if staff_or_none(app) is None:
            return app.redirect("/auth/sign-in?next=/series/new")
        return app.page("events/new_series.html", form={}, errors={})

    @app.post("/series/new", include_in_schema=False)
    def new_series_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = validate(PublishSeries, {k: form.get(k, "") for k in ("title", "description", "signup_mode")})
        if body is None:
            return app.page("events/new_series.html", status=422, user=user, form=form, errors=errors)
        series = service.publish_series(body, user)
        return app.redirect(f"/series/{series.series_id}?done=started")

    @app.get("/events/<event_id>", include_in_schema=False)
    def event_page(event_id: EventId) -> Response[str]:
        return _event_page(app, service, service.get(event_id), app.user(acting=False))

    @app.post("/events/<event_id>/signup", include_in_schema=False)
    def signup_submit(event_id: EventId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.user(form=form)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/events/{event_id}")
        event = service.get(event_id)
        fields: dict[str, Any] = {k: form.get(k, "") for k in ("access_needs", "dietary_needs", "note")}
        fields["answers"] = [form.get(f"answer_{i}", "") for i in range(1, len(event.access_questions) + 1)]
        return sign_up_from_form(
            app,
            SignUpForEvent,
            fields,
            sign_up=lambda body: service.sign_up_for_event(event_id, user, body),
            page=lambda **shown: _event_page(app, service, event, user, form=form, **shown),
            done=f"/events/{event_id}?done=signed-up",
        )

    register_member_pages(app, service)
    register_team(app, service, view=lambda event: event_view(event, event.joining_link or None), tag="Events")

    @app.get("/series/<series_id>", include_in_schema=False)
    def series_page(series_id: SeriesId) -> Response[str]:
        return _series_page(app, service, service.series(series_id), app.user(acting=False))

    @app.post("/series/<series_id>/signup", include_in_schema=False)
    def series_signup_submit(series_id: SeriesId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.user(form=form)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/series/{series_id}")
        series = service.series(series_id)
        body, errors = validate(SignUpForEvent, {k: form.get(k, "") for k in ("access_needs", "note")})
        if body is None:
            return _series_page(app, service, series, user, errors=errors, status=422)
        try:
            service.sign_up_for_series(series_id, user, body)
        except DomainError as error:
            return _series_page(app, service, series, user, errors={"signup": error.message}, status=error.status)
        return app.redirect(f"/series/{series_id}?done=signed-up")


def _event_page(
    app: App,
    service: EventService,
    event: Event,
    user: User | None,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    from functions.followups.service import takeaways_of

    signup = service.signup_of(event.event_id, user.member_id) if user else None
    series = service.events.series(event.series_id) if event.series_id else None
    return app.page(
        "events/event.html",
        takeaways=takeaways_of(event.event_id, service.events.store),
        status=status,
        user=user,
        event=event,
        series=series,
        signup=signup,
        position=service.position(signup) if signup else None,
        joining_link=service.joining_link_for(event, user, signup),
        now=utcnow(),
        form=form or {},
        errors=errors or {},
        done=app.current_event.get_query_string_value("done", "") or "",
    )


def _series_page(
    app: App,
    service: EventService,
    series: Series,
    user: User | None,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    sessions = service.sessions(series)
    mine = {}
    if user:
        for session in sessions:
            signup = service.signup_of(session.event_id, user.member_id)
            if signup is not None:
                mine[session.event_id] = (signup, service.position(signup))
    return app.page(
        "events/series.html",
        status=status,
        user=user,
        series=series,
        sessions=sessions,
        mine=mine,
        now=utcnow(),
        errors=errors or {},
        form={},
        done=app.current_event.get_query_string_value("done", "") or "",
        stamp=ts,
    )
