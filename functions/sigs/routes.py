"""SIG API and pages."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.common import tokens
from functions.common.errors import DomainError, Forbidden
from functions.common.forms import Messages, lines, validate
from functions.common.http import App, User
from functions.common.identity import link_holder
from functions.common.web import parse_form
from functions.members.model import display_name
from schemas.api.origins import OriginView
from schemas.api.sigs import (
    Membership,
    ProposeSig,
    SigCreated,
    SigDecision,
    SigList,
    SigMembers,
    SigMemberView,
    SigView,
)

from .domain import Sig, SigStatus
from .service import SigService

SigId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


#: GOV.UK-style messages for the proposal form, in its own words; a co-convener's address is
#: named by its line.
PROPOSAL_MESSAGES: Messages = {
    "name": {
        "missing": "Enter the name of the group",
        "too_long": "The name must be 80 characters or fewer",
        "*": "Enter a name of at least 3 characters",
    },
    "purpose": {
        "missing": "Say what the group is for",
        "too_long": "The purpose must be 2,000 characters or fewer",
        "*": "Say what the group is for in at least 10 characters",
    },
    "themes": {"too_long": "Give at most 10 themes"},
    "co_convener_emails": {
        "too_long": "Name at most 5 co-conveners",
        "*": "Enter co-convener {line}'s email address in the correct format, like name@example.com",
    },
}


def view(sig: Sig) -> SigView:
    # Publicly by the name they gave only: never any part of an address (issue 14).
    names = [display_name(sig.convener_names.get(e, "")) for e in sig.convener_emails]
    return SigView(
        sig_id=sig.sig_id,
        name=sig.name,
        purpose=sig.purpose,
        themes=sig.themes,
        status=sig.status.value,  # type: ignore[arg-type]
        conveners=names,
        member_count=sig.member_count,
        created_at=sig.created_at,
        decided_at=sig.decided_at if sig.status != SigStatus.PROPOSED else None,
        came_from=_came_from(sig),
    )


def _came_from(sig: Sig) -> list[OriginView]:
    if not sig.origins:  # the chain's code is loaded only for a SIG that names an origin
        return []
    from functions.chain.pages import origin_view

    return [origin_view(o) for o in sig.origins]


def register(app: App) -> None:
    service = SigService()

    # -- API ------------------------------------------------------------------------------
    @app.get("/api/sigs", tags=["SIGs"], summary="List Special Interest Groups")
    def list_sigs(
        status: Annotated[Literal["approved", "proposed", "rejected"], Query()] = "approved",
    ) -> SigList:
        if status != "approved":
            app.require_staff()
        return SigList(sigs=[view(s) for s in service.directory(SigStatus(status))])

    @app.post("/api/sigs", tags=["SIGs"], status_code=201, summary="Propose a Special Interest Group")
    def propose(body: Annotated[ProposeSig, Body()]) -> SigCreated:
        sig = service.propose(body, app.require_user())
        return SigCreated(sig_id=sig.sig_id, status="proposed")

    @app.get("/api/sigs/<sig_id>", tags=["SIGs"], summary="One Special Interest Group")
    def get_sig(sig_id: SigId) -> SigView:
        return view(service.get(sig_id, app.user()))

    @app.post("/api/sigs/<sig_id>/decision", tags=["SIGs"], summary="Approve or reject a proposal (staff)")
    def decide(sig_id: SigId, body: Annotated[SigDecision, Body()]) -> SigView:
        user = app.require_staff()
        return view(service.decide_as_staff(sig_id, user, approve=body.decision == "approve", note=body.note))

    @app.post("/api/sigs/<sig_id>/members", tags=["SIGs"], status_code=201, summary="Join a SIG")
    def join(sig_id: SigId) -> Response[str]:
        joined = service.join(sig_id, app.require_user())
        body = Membership(
            sig_id=sig_id,
            member_id=joined.member.member_id,
            joined_at=joined.member.joined_at,
            status="joined" if joined.created else "already a member",
        )
        return Response(201 if joined.created else 200, "application/json", body.model_dump_json())

    @app.delete("/api/sigs/<sig_id>/members/me", tags=["SIGs"], status_code=204, summary="Leave a SIG")
    def leave(sig_id: SigId) -> Response[str]:
        service.leave(sig_id, app.require_user())
        return Response(204, None, "")

    @app.get("/api/sigs/<sig_id>/members", tags=["SIGs"], summary="Members of a SIG (conveners and staff)")
    def members(sig_id: SigId) -> SigMembers:
        sig, people = service.members(sig_id, app.require_user())
        return SigMembers(
            sig_id=sig_id,
            members=[
                SigMemberView(
                    member_id=m.member_id,
                    name=m.name,
                    email=m.email,
                    joined_at=m.joined_at,
                    convener=sig.is_convener(m.email),
                )
                for m in people
            ],
        )

    # -- pages ----------------------------------------------------------------------------
    @app.get("/sigs", include_in_schema=False)
    def directory_page() -> Response[str]:
        return app.page("sigs/directory.html", sigs=service.directory())

    @app.get("/sigs/new", include_in_schema=False)
    def proposal_page() -> Response[str]:
        user = app.user()
        if user is None:
            return app.redirect(f"/auth/sign-in?next={app.current_event.path}{_query(app)}")
        from functions.chain.pages import offered_origins

        origins, refs, errors = offered_origins(app, user)
        return app.page("sigs/propose.html", form={}, errors=errors, origins=origins, refs=refs)

    @app.post("/sigs/new", include_in_schema=False)
    def proposal_submit() -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        proposal, errors = validate(
            ProposeSig,
            {
                "name": form.get("name", ""),
                "purpose": form.get("purpose", ""),
                "themes": lines(form.get("themes", "")),
                "co_convener_emails": lines(form.get("co_convener_emails", "")),
                "origins": form.get("origins", "").split(),
            },
            PROPOSAL_MESSAGES,
        )
        refs = form.get("origins", "").split()
        if proposal is None:
            return app.page("sigs/propose.html", status=422, form=form, errors=errors, origins=[], refs=refs)
        try:
            sig = service.propose(proposal, user)
        except DomainError as error:
            return app.page(
                "sigs/propose.html",
                status=error.status,
                form=form,
                errors={error.field or "name": error.message},
                origins=[],
                refs=refs,
            )
        return app.redirect(f"/sigs/{sig.sig_id}?proposed=1")

    from .conveners import Conveners

    conveners = Conveners()

    @app.post("/sigs/<sig_id>/step-down", include_in_schema=False)
    def step_down(sig_id: SigId) -> Response[str]:
        user = app.require_user(form=parse_form(app.body_text))
        conveners.step_down(sig_id, user)
        return app.redirect(f"/sigs/{sig_id}?stepped_down=1")

    @app.post("/sigs/<sig_id>/offer-to-convene", include_in_schema=False)
    def offer_to_convene(sig_id: SigId) -> Response[str]:
        user = app.require_user(form=parse_form(app.body_text))
        conveners.offer(sig_id, user)
        return app.redirect(f"/sigs/{sig_id}?offered=1")

    @app.post("/sigs/<sig_id>/offers/<member_id>/appoint", include_in_schema=False)
    def appoint(sig_id: SigId, member_id: SigId) -> Response[str]:
        user = app.require_staff(form=parse_form(app.body_text))
        conveners.appoint(sig_id, member_id, user)
        return app.redirect(f"/sigs/{sig_id}?appointed=1")

    @app.get("/sigs/<sig_id>", include_in_schema=False)
    def sig_page(sig_id: SigId) -> Response[str]:
        user = app.user()
        sig = service.get(sig_id, user)
        return _sig_page(app, service, sig, user)

    @app.post("/sigs/<sig_id>/join", include_in_schema=False)
    def join_submit(sig_id: SigId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.user(form=form)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/sigs/{sig_id}")
        service.join(sig_id, user)
        return app.redirect(f"/sigs/{sig_id}?joined=1")

    @app.post("/sigs/<sig_id>/leave", include_in_schema=False)
    def leave_submit(sig_id: SigId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        service.leave(sig_id, user)
        return app.redirect(f"/sigs/{sig_id}?left=1")

    @app.get("/sigs/<sig_id>/review", include_in_schema=False)
    def review_page(sig_id: SigId) -> Response[str]:
        # Mail scanners open this link: showing the proposal changes nothing.
        token = app.current_event.get_query_string_value("token", "") or ""
        claims = service.review_claims(sig_id, token)
        sig = service.get(sig_id, _staff(claims.subject))
        return app.page(
            "sigs/review.html", sig=sig, token=token, reviewer=claims.subject, errors={}, note="", user=None
        )

    @app.post("/sigs/<sig_id>/review", include_in_schema=False)
    def review_submit(sig_id: SigId) -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        decision, errors = validate(SigDecision, {"decision": form.get("decision", ""), "note": form.get("note", "")})
        claims = service.review_claims(sig_id, token)
        sig = service.get(sig_id, _staff(claims.subject))
        if decision is None:
            return app.page(
                "sigs/review.html",
                status=422,
                sig=sig,
                token=token,
                reviewer=claims.subject,
                errors=errors,
                note=form.get("note", ""),  # keep what the reviewer wrote
                user=None,
            )
        try:
            decided = service.decide_by_link(sig_id, token, approve=decision.decision == "approve", note=decision.note)
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
            decided = service.get(sig_id, _staff(claims.subject))
        except DomainError:
            decided = service.get(sig_id, _staff(claims.subject))
        return app.page(
            "sigs/review.html", sig=decided, token="", reviewer=claims.subject, errors={}, note="", user=None
        )

    # -- a named co-convener confirms (GET shows the button, POST acts) ----------------------
    @app.get("/sigs/<sig_id>/conveners/confirm", include_in_schema=False)
    def convener_invitation(sig_id: SigId) -> Response[str]:
        token = app.current_event.get_query_string_value("token", "") or ""
        sig, email = service.invitation(sig_id, token)
        return app.page("sigs/confirm_convener.html", sig=sig, email=email, token=token, done=False, user=None)

    @app.post("/sigs/<sig_id>/conveners/confirm", include_in_schema=False)
    def convener_confirm(sig_id: SigId) -> Response[str]:
        token = parse_form(app.body_text).get("token", "")
        try:
            sig = service.confirm_convener(sig_id, token)
        except (tokens.TokenRejected, DomainError):
            sig, email = service.invitation(sig_id, token)
            if not sig.is_convener(email):  # already confirmed: show the outcome, not an error
                raise
        email = service.invitation(sig_id, token)[1]
        return app.page("sigs/confirm_convener.html", sig=sig, email=email, token="", done=True, user=None)


def _query(app: App) -> str:
    from urllib.parse import quote

    origin = app.current_event.get_query_string_value("origin", "") or ""
    return quote(f"?origin={origin}", safe="") if origin else ""


def _staff(email: str) -> User:
    """The holder of a valid review link acts as the staff member it was sent to, if still staff."""
    return link_holder(email)


def _sig_page(app: App, service: SigService, sig: Sig, user: User | None) -> Response[str]:
    is_member = bool(user and service.is_member(sig.sig_id, user.member_id))
    can_see_members = bool(user and (user.is_staff or sig.is_convener(user.email)))
    people = service.sigs.members(sig.sig_id) if can_see_members else []
    names = ("proposed", "joined", "left", "stepped_down", "offered", "appointed")
    flags = {k: app.current_event.get_query_string_value(k) == "1" for k in names}
    from functions.chain.pages import led_to

    from .conveners import Conveners

    offers = Conveners(service.store).offers(sig.sig_id) if user and user.is_staff and sig.looking_for_convener else []
    return app.page(
        "sigs/sig.html",
        sig=sig,
        view=view(sig),
        is_member=is_member,
        people=people,
        can_see_members=can_see_members,
        flags=flags,
        offers=offers,
        is_convener=bool(user and sig.is_convener(user.email)),
        led_to=led_to(f"sig:{sig.sig_id}", service.store) if sig.status == SigStatus.APPROVED else [],
    )


__all__ = ["Forbidden", "register"]
