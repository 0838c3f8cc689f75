"""Open Space API and pages: the marketplace, the agenda, the harvest and the proceedings.

Paths are under ``/api/open-space/<event id>`` and ``/open-space/<event id>`` (the event's own
pages live with the events area). Email links (co-host confirmation, harvest) show a page on
GET and act only on the page's POST.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.common import tokens
from functions.common.errors import DomainError, NotFound
from functions.common.forms import lines, validate
from functions.common.http import App, User, attachment
from functions.common.web import parse_form
from schemas.api.openspace import (
    AddToHarvest,
    AgendaView,
    ClashView,
    ConversationView,
    HarvestView,
    Marketplace,
    PinConversation,
    PlacementView,
    ProceedingsView,
    ProposeConversation,
    RecordHarvest,
    SlotView,
    SpaceView,
    UnplacedView,
)

from .domain import Conversation, Layout
from .service import STAFF, OpenSpaceService

EventId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ConversationId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
TAG = ["Open Space"]

FIELD_LABELS = {
    "title": "Title",
    "question": "The question it explores",
    "themes": "Themes",
    "co_host_emails": "Co-hosts' email addresses",
    "discussed": "What was discussed",
    "next_steps": "Next steps",
    "keep_going": "Who wants to keep going",
    "text": "What you want to add",
    "pin": "Pin",
    "slot_id": "Time slot",
    "space_id": "Space",
}


def conversation_view(
    c: Conversation, marked: set[str] | None = None, placed: dict[str, Any] | None = None
) -> ConversationView:
    where = (placed or {}).get(c.conversation_id, {})
    return ConversationView(
        conversation_id=c.conversation_id,
        title=c.title,
        question=c.question,
        themes=list(c.themes),
        hosts=c.host_names,
        interested=c.interested,
        marked_by_you=c.conversation_id in (marked or set()),
        proposed_at=c.proposed_at,
        slot_id=where.get("slot_id"),
        space_id=where.get("space_id"),
        pinned_slot=c.pinned_slot,
        pinned_space=c.pinned_space,
    )


def agenda_view(event_id: str, body: dict[str, Any], conversations: dict[str, Conversation], lay: Layout) -> AgendaView:
    def title(cid: str) -> str:
        c = conversations.get(cid)
        return c.title if c else "(withdrawn)"

    return AgendaView(
        gathering_id=event_id,
        version=body["version"],
        built_at=body["built_at"],
        attendee_clashes=body["attendee_clashes"],
        seats_short=body["seats_short"],
        first_come_clashes=body["first_come_clashes"],
        summary=body["summary"],
        placements=[
            PlacementView(
                conversation_id=p["conversation_id"],
                title=title(p["conversation_id"]),
                hosts=conversations[p["conversation_id"]].host_names if p["conversation_id"] in conversations else [],
                slot_id=p["slot_id"],
                space_id=p["space_id"],
                space=(lay.space(p["space_id"]).name if lay.space(p["space_id"]) else p["space_id"]),  # type: ignore[union-attr]
                audience=p["audience"],
                capacity=p["capacity"],
                pinned=p["pinned"],
                why_slot=p["why_slot"],
                why_space=p["why_space"],
                clashes=[ClashView(**c) for c in p["clashes"]],
            )
            for p in body["placements"]
        ],
        unplaced=[
            UnplacedView(conversation_id=u["conversation_id"], title=title(u["conversation_id"]), reason=u["reason"])
            for u in body["unplaced"]
        ],
    )


def harvest_view(c: Conversation) -> HarvestView:
    return HarvestView(
        conversation_id=c.conversation_id,
        title=c.title,
        hosts=c.host_names,
        discussed=c.discussed,
        next_steps=c.next_steps,
        keep_going=c.keep_going,
        additions=[str(a) for a in c.additions],
        recorded_at=c.harvested_at,
    )


def _placed(agenda: dict[str, Any] | None) -> dict[str, Any]:
    return {p["conversation_id"]: p for p in (agenda or {}).get("body", {}).get("placements", [])}


def register(app: App) -> None:
    service = OpenSpaceService()

    # -- API ------------------------------------------------------------------------------------
    @app.get("/api/open-space/<event_id>", tags=TAG, summary="An event's Open Space marketplace")
    def marketplace(event_id: EventId) -> Marketplace:
        market = service.marketplace(event_id, app.user(acting=False))
        placed = _placed(market.agenda)
        return Marketplace(
            gathering_id=event_id,
            title=market.event.title,
            open=market.open,
            closes_at=market.layout.closes_at,
            slots=[SlotView(slot_id=s.slot_id, starts_at=s.starts_at, ends_at=s.ends_at) for s in market.layout.slots],
            spaces=[
                SpaceView(space_id=s.space_id, name=s.name, capacity=s.capacity, online=s.online)
                for s in market.layout.spaces
            ],
            conversations=[conversation_view(c, market.marked, placed) for c in market.conversations],
        )

    @app.post("/api/open-space/<event_id>/conversations", tags=TAG, status_code=201, summary="Propose a conversation")
    def propose(event_id: EventId, body: Annotated[ProposeConversation, Body()]) -> ConversationView:
        return conversation_view(service.propose(event_id, body, app.require_user()))

    @app.get("/api/open-space/<event_id>/conversations/<conversation_id>", tags=TAG, summary="One conversation")
    def get_conversation(event_id: EventId, conversation_id: ConversationId) -> ConversationView:
        service.event(event_id)
        return conversation_view(service.conversation(event_id, conversation_id))

    @app.post(
        "/api/open-space/<event_id>/conversations/<conversation_id>/mark",
        tags=TAG,
        summary="Mark a conversation you want to join",
    )
    def mark(event_id: EventId, conversation_id: ConversationId) -> ConversationView:
        return conversation_view(service.mark(event_id, conversation_id, app.require_user()), {conversation_id})

    @app.delete("/api/open-space/<event_id>/conversations/<conversation_id>/mark", tags=TAG, summary="Remove your mark")
    def unmark(event_id: EventId, conversation_id: ConversationId) -> ConversationView:
        return conversation_view(service.mark(event_id, conversation_id, app.require_user(), wanted=False))

    @app.post(
        "/api/open-space/<event_id>/conversations/<conversation_id>/pin",
        tags=TAG,
        summary="Pin a conversation to a slot and/or a space (staff); rebuild the agenda to apply it",
    )
    def pin(
        event_id: EventId, conversation_id: ConversationId, body: Annotated[PinConversation, Body()]
    ) -> ConversationView:
        return conversation_view(service.pin(event_id, conversation_id, body, app.require_staff()))

    @app.post("/api/open-space/<event_id>/agenda", tags=TAG, summary="Build and publish the agenda (staff)")
    def build(event_id: EventId) -> AgendaView:
        service.build_agenda(event_id, STAFF, app.require_staff())
        _, lay, body, conversations = service.agenda(event_id)
        return agenda_view(event_id, body, conversations, lay)

    @app.get("/api/open-space/<event_id>/agenda", tags=TAG, summary="The published agenda, and why it is so")
    def get_agenda(event_id: EventId) -> AgendaView:
        _, lay, body, conversations = service.agenda(event_id)
        return agenda_view(event_id, body, conversations, lay)

    @app.post(
        "/api/open-space/<event_id>/conversations/<conversation_id>/harvest",
        tags=TAG,
        summary="Record the harvest of a conversation (its hosts, or staff)",
    )
    def harvest(
        event_id: EventId, conversation_id: ConversationId, body: Annotated[RecordHarvest, Body()]
    ) -> HarvestView:
        return harvest_view(service.harvest_as_host(event_id, conversation_id, body, app.require_user()))

    @app.post(
        "/api/open-space/<event_id>/conversations/<conversation_id>/harvest/additions",
        tags=TAG,
        status_code=201,
        summary="Add to a conversation's harvest (anyone with a place)",
    )
    def add(event_id: EventId, conversation_id: ConversationId, body: Annotated[AddToHarvest, Body()]) -> HarvestView:
        return harvest_view(service.add_to_harvest(event_id, conversation_id, body, app.require_user()))

    @app.get("/api/open-space/<event_id>/proceedings", tags=TAG, summary="Every harvest of the event")
    def proceedings(event_id: EventId) -> ProceedingsView:
        event, harvested, published_at = service.proceedings(event_id, app.user(acting=False))
        return ProceedingsView(
            gathering_id=event_id,
            title=event.title,
            published_at=published_at,
            harvests=[harvest_view(c) for c in harvested],
        )

    @app.post(
        "/api/open-space/<event_id>/proceedings",
        tags=TAG,
        summary="Publish the proceedings and email attendees (staff)",
    )
    def publish(event_id: EventId) -> ProceedingsView:
        service.publish_proceedings(event_id, app.require_staff())
        return proceedings(event_id)

    # -- pages ----------------------------------------------------------------------------------
    def market_page(event_id: str, user: User | None, *, status: int = 200, **extra: Any) -> Response[str]:
        market = service.marketplace(event_id, user)
        return app.page(
            "openspace/marketplace.html",
            status=status,
            market=market,
            placed=_placed(market.agenda),
            form=extra.pop("form", {}),
            errors=extra.pop("errors", {}),
            notice=extra.pop("notice", ""),
            labels=FIELD_LABELS,
            **extra,
        )

    @app.get("/open-space/<event_id>", include_in_schema=False)
    def market_get(event_id: EventId) -> Response[str]:
        query = app.current_event.query_string_parameters or {}
        return market_page(event_id, app.user(acting=False), notice=query.get("done", ""))

    @app.post("/open-space/<event_id>/conversations", include_in_schema=False)
    def propose_submit(event_id: EventId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        body, errors = validate(
            ProposeConversation,
            {
                "title": form.get("title", ""),
                "question": form.get("question", ""),
                "themes": [t.strip() for t in form.get("themes", "").split(",") if t.strip()],
                "co_host_emails": lines(form.get("co_host_emails", "")),
            },
        )
        if body is None:
            return market_page(event_id, user, status=422, form=form, errors=errors)
        try:
            service.propose(event_id, body, user)
        except DomainError as error:
            return market_page(
                event_id, user, status=error.status, form=form, errors={error.field or "title": error.message}
            )
        return app.redirect(f"/open-space/{event_id}?done=proposed")

    @app.post("/open-space/<event_id>/conversations/<conversation_id>/mark", include_in_schema=False)
    def mark_submit(event_id: EventId, conversation_id: ConversationId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        service.mark(event_id, conversation_id, user, wanted=form.get("wanted") != "no")
        return app.redirect(f"/open-space/{event_id}#{conversation_id}")

    @app.post("/open-space/<event_id>/conversations/<conversation_id>/pin", include_in_schema=False)
    def pin_submit(event_id: EventId, conversation_id: ConversationId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = validate(
            PinConversation, {"slot_id": form.get("slot_id") or None, "space_id": form.get("space_id") or None}
        )
        if body is None:
            return market_page(event_id, user, status=422, errors=errors)
        try:
            service.pin(event_id, conversation_id, body, user)
        except DomainError as error:
            return market_page(event_id, user, status=error.status, errors={error.field or "pin": error.message})
        return app.redirect(f"/open-space/{event_id}?done=pinned")

    @app.post("/open-space/<event_id>/agenda", include_in_schema=False)
    def build_submit(event_id: EventId) -> Response[str]:
        form = parse_form(app.body_text)
        service.build_agenda(event_id, STAFF, app.require_staff(form=form))
        return app.redirect(f"/open-space/{event_id}/agenda")

    @app.get("/open-space/<event_id>/agenda", include_in_schema=False)
    def agenda_page(event_id: EventId) -> Response[str]:
        event, lay, body, conversations = service.agenda(event_id)
        view = agenda_view(event_id, body, conversations, lay)
        by_slot = [(s, [p for p in view.placements if p.slot_id == s.slot_id]) for s in lay.slots]
        user = app.user(acting=False)
        chosen: set[str] = set()
        if user is not None:
            email = user.email.lower()
            chosen = service.repo.marked_by(event_id, email)
            chosen |= {cid for cid, c in conversations.items() if c.is_host(email)}
        mine = [p for p in view.placements if p.conversation_id in chosen]
        return app.page(
            "openspace/agenda.html", event=event, agenda=view, by_slot=by_slot, layout=lay, mine=mine, chosen=chosen
        )

    @app.get("/open-space/<event_id>/conversations/<conversation_id>/calendar.ics", include_in_schema=False)
    def calendar(event_id: EventId, conversation_id: ConversationId) -> Response[str]:
        from .calendar import conversation_ics

        event, lay, body, conversations = service.agenda(event_id)
        placed = next((p for p in body["placements"] if p["conversation_id"] == conversation_id), None)
        conversation = conversations.get(conversation_id)
        if placed is None or conversation is None:
            raise NotFound("This conversation is not on the agenda.")
        ics = conversation_ics(event, lay, conversation, placed, datetime.now(UTC))
        return attachment(ics, f"{conversation_id}.ics", "text/calendar; charset=UTF-8")

    # Email links: GET shows, POST acts.
    @app.get("/open-space/co-host", include_in_schema=False)
    def co_host_page() -> Response[str]:
        token = app.current_event.get_query_string_value("token", "") or ""
        claims, conversation = service.co_host_claims(token)
        co_host = conversation.co_host(claims.subject)
        return app.page(
            "openspace/co_host.html",
            conversation=conversation,
            token=token,
            email=claims.subject,
            confirmed=bool(co_host and co_host.confirmed),
            user=None,
        )

    @app.post("/open-space/co-host", include_in_schema=False)
    def co_host_submit() -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        claims, _ = service.co_host_claims(token)
        try:
            conversation = service.confirm_co_host(token, form.get("name", ""))
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
            conversation = service.co_host_claims(token)[1]
        return app.page(
            "openspace/co_host.html",
            conversation=conversation,
            token="",
            email=claims.subject,
            confirmed=True,
            user=None,
        )

    @app.get("/open-space/harvest", include_in_schema=False)
    def harvest_page() -> Response[str]:
        token = app.current_event.get_query_string_value("token", "") or ""
        _, conversation = service.harvest_claims(token)
        form = {
            "discussed": conversation.discussed,
            "next_steps": conversation.next_steps,
            "keep_going": conversation.keep_going,
        }
        return app.page(
            "openspace/harvest.html",
            conversation=conversation,
            token=token,
            form=form,
            errors={},
            labels=FIELD_LABELS,
            user=None,
            done=False,
        )

    @app.post("/open-space/harvest", include_in_schema=False)
    def harvest_submit() -> Response[str]:
        form = parse_form(app.body_text)
        token = form.get("token", "")
        _, conversation = service.harvest_claims(token)
        body, errors = validate(
            RecordHarvest,
            {k: form.get(k, "") for k in ("discussed", "next_steps", "keep_going")},
        )
        if body is None:
            return app.page(
                "openspace/harvest.html",
                status=422,
                conversation=conversation,
                token=token,
                form=form,
                errors=errors,
                labels=FIELD_LABELS,
                user=None,
                done=False,
            )
        try:
            conversation = service.harvest_by_link(token, body)
        except tokens.TokenRejected as rejected:
            if rejected.code != "used":
                raise
            conversation = service.harvest_claims(token)[1]
        return app.page(
            "openspace/harvest.html",
            conversation=conversation,
            token="",
            form={},
            errors={},
            labels=FIELD_LABELS,
            user=None,
            done=True,
        )

    @app.post("/open-space/<event_id>/conversations/<conversation_id>/harvest/additions", include_in_schema=False)
    def add_submit(event_id: EventId, conversation_id: ConversationId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_user(form=form)
        body, errors = validate(AddToHarvest, {"text": form.get("text", "")})
        if body is None:
            return proceedings_page_for(event_id, user, status=422, errors=errors, form=form, target=conversation_id)
        service.add_to_harvest(event_id, conversation_id, body, user)
        return app.redirect(f"/open-space/{event_id}/proceedings#{conversation_id}")

    def proceedings_page_for(event_id: str, user: User | None, *, status: int = 200, **extra: Any) -> Response[str]:
        event, harvested, published_at = service.proceedings(event_id, user)
        comments = None
        if published_at is not None:  # members comment on published proceedings (issue 11 §4)
            from functions.comments.thread import thread_for

            comments = thread_for(f"proceedings:{event_id}", user, service.store)
        return app.page(
            "openspace/proceedings.html",
            comments=comments,
            status=status,
            event=event,
            harvested=harvested,
            published_at=published_at,
            labels=FIELD_LABELS,
            errors=extra.pop("errors", {}),
            form=extra.pop("form", {}),
            target=extra.pop("target", ""),
            **extra,
        )

    @app.get("/open-space/<event_id>/proceedings", include_in_schema=False)
    def proceedings_page(event_id: EventId) -> Response[str]:
        return proceedings_page_for(event_id, app.user(acting=False))

    @app.post("/open-space/<event_id>/proceedings", include_in_schema=False)
    def publish_submit(event_id: EventId) -> Response[str]:
        form = parse_form(app.body_text)
        service.publish_proceedings(event_id, app.require_staff(form=form))
        return app.redirect(f"/open-space/{event_id}/proceedings")
