"""Visits programme API and pages."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.common.http import App, User
from functions.common.ids import utcnow
from functions.common.web import parse_form
from functions.places import views
from functions.places.api import PlaceModels, register_place_api
from functions.places.forms import LISTING_LABELS, read_listing_form
from functions.places.pages import register_member_pages, sign_up_from_form
from functions.places.team import register_publishing, register_team
from schemas.api.visits import (
    AttendeeList,
    MySignup,
    MySignups,
    PublishVisit,
    SignUp,
    SignupView,
    VisitList,
    VisitView,
)

from .domain import Signup, Visit
from .service import VisitService

VisitId = Annotated[str, Path(max_length=64, pattern=r"^visit_[A-Za-z0-9]+$")]

#: Fields of the publishing form, in order, with the labels its error summary uses.
PUBLISH_LABELS = {"title": "Title", "host_organisation": "Host organisation", **LISTING_LABELS}


def visit_view(visit: Visit, joining_link: str | None = None) -> VisitView:
    return VisitView(
        **views.listing_fields(visit, joining_link), visit_id=visit.visit_id, host_organisation=visit.host_organisation
    )


def signup_view(signup: Signup, position: int | None, joining_link: str | None) -> SignupView:
    return SignupView(**views.place_fields(signup, position, joining_link), visit_id=signup.listing_id)


def _json(status: int, model: Any) -> Response[str]:
    return Response(status, "application/json", model.model_dump_json())


def register(app: App) -> None:
    service = VisitService()

    def my_view(visit: Visit, user: User, signup: Signup, position: int | None = None) -> SignupView:
        link = service.joining_link_for(visit, user, signup)
        return signup_view(signup, position if position is not None else service.position(signup), link)

    # -- API: visits ------------------------------------------------------------------------------
    @app.get("/api/visits", tags=["Visits"], summary="Upcoming visits, with places left")
    def list_visits() -> VisitList:
        return VisitList(visits=[visit_view(v) for v in service.upcoming()])

    @app.post("/api/visits", tags=["Visits"], status_code=201, summary="Publish a visit (staff)")
    def publish(body: Annotated[PublishVisit, Body()]) -> Response[str]:
        visit = service.publish(body, app.require_staff())
        return _json(201, visit_view(visit, visit.joining_link or None))

    # Not /api/visits/mine: any other method there would reach the /api/visits/<visit_id> routes.
    @app.get("/api/visits/signups/mine", tags=["Visits"], summary="My sign-ups, with my waiting-list positions")
    def my_signups() -> MySignups:
        user = app.require_user()
        return MySignups(
            signups=[
                MySignup(
                    visit=visit_view(visit, service.joining_link_for(visit, user, signup)),
                    signup=my_view(visit, user, signup, position),
                )
                for visit, signup, position in service.signups_of(user.member_id)
            ]
        )

    register_place_api(
        app,
        service,
        PlaceModels(
            tag="Visits",
            listing=VisitView,
            listing_view=visit_view,
            signup=SignupView,
            signup_view=lambda _, signup, position, link: signup_view(signup, position, link),
            attendees=AttendeeList,
            attendees_view=lambda visit, rows: AttendeeList(
                visit_id=visit.visit_id,
                confirmed=visit.confirmed,
                waiting=visit.waiting,
                attendees=[views.attendee_view(s, position) for s, position in rows],
            ),
            signup_body=SignUp,
            sign_up=service.sign_up,
        ),
    )

    # -- pages: everyone ---------------------------------------------------------------------------
    @app.get("/visits", include_in_schema=False)
    def list_page() -> Response[str]:
        return app.page("visits/list.html", visits=service.upcoming())

    @app.get("/visits/mine", include_in_schema=False)
    def mine_page() -> Response[str]:
        user = app.user()
        if user is None:
            return app.redirect("/auth/sign-in?next=/visits/mine")
        return app.page("visits/mine.html", rows=service.signups_of(user.member_id), now=utcnow())

    @app.get("/visits/<visit_id>", include_in_schema=False)
    def visit_page(visit_id: VisitId) -> Response[str]:
        return _visit_page(app, service, service.get(visit_id), app.user())

    @app.post("/visits/<visit_id>/signup", include_in_schema=False)
    def signup_submit(visit_id: VisitId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.user(form=form)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/visits/{visit_id}")
        visit = service.get(visit_id)
        fields = {k: form.get(k, "") for k in ("access_needs", "dietary_needs", "note")}
        return sign_up_from_form(
            app,
            SignUp,
            fields,
            sign_up=lambda body: service.sign_up(visit_id, user, body),
            page=lambda **shown: _visit_page(app, service, visit, user, form=form, **shown),
            done=f"/visits/{visit_id}?done=signed-up",
        )

    register_member_pages(app, service)

    # -- pages: the community team ----------------------------------------------------------------
    register_publishing(app, service, template="visits/new.html", labels=PUBLISH_LABELS, read_form=_publish_form)
    register_team(app, service, view=lambda visit: visit_view(visit, visit.joining_link or None), tag="Visits")


def _publish_form(form: dict[str, str]) -> tuple[PublishVisit | None, dict[str, str]]:
    """The form's fields as the API's body: dates from the date input, in UK time."""
    return read_listing_form(PublishVisit, form, PUBLISH_LABELS)


def _visit_page(
    app: App,
    service: VisitService,
    visit: Visit,
    user: User | None,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    signup = service.signup_of(visit.visit_id, user.member_id) if user else None
    return app.page(
        "visits/visit.html",
        status=status,
        # Given, not looked up: on a re-rendered POST the lookup would not see the form's CSRF token.
        user=user,
        visit=visit,
        signup=signup,
        position=service.position(signup) if signup else None,
        joining_link=service.joining_link_for(visit, user, signup),
        now=utcnow(),
        form=form or {},
        errors=errors or {},
        done=app.current_event.get_query_string_value("done", "") or "",
    )
