"""The chain's API and pages: the "taken forward" page of an event and of the community, what
something led to, and the staff write-up."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.common.errors import Conflict
from functions.common.forms import validate
from functions.common.http import App
from functions.common.web import parse_form
from schemas.api.chain import (
    CommunityChainView,
    ConversationChainView,
    EditWriteUp,
    EventChainSummary,
    FollowView,
    LedToView,
    TakenForwardView,
    ThemeView,
    WriteUpPublished,
    WriteUpView,
)
from schemas.api.origins import ORIGIN_PATTERN

from .domain import Follow, TakenForward
from .service import ChainService, WriteUp

TAG = ["Taking ideas forward"]
EventId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
#: Where something followed from: ``ORIGIN_PATTERN`` plus the newsletter items it may lead from.
Ref = Annotated[str, Query(max_length=140, pattern=ORIGIN_PATTERN)]
LABELS = {"markdown": "Write-up"}


def follow_view(f: Follow) -> FollowView:
    return FollowView(
        kind=f.kind,  # type: ignore[arg-type]
        ref=f.ref,
        title=f.title,
        url=f.url,
        at=f.at,
        what=f.what,
        people=list(f.people),
        via=f.via,
    )


def story_view(story: TakenForward) -> TakenForwardView:
    return TakenForwardView(
        gathering_id=story.event_id,
        title=story.title,
        themes=[
            ThemeView(
                theme=theme,
                conversations=[
                    ConversationChainView(
                        conversation_id=c.conversation.conversation_id,
                        title=c.conversation.title,
                        themes=list(c.conversation.themes),
                        hosts=list(c.conversation.hosts),
                        followed=[follow_view(f) for f in c.followed],
                    )
                    for c in chains
                ],
            )
            for theme, chains in story.themes
        ],
        from_the_event=[follow_view(f) for f in story.from_the_event],
        followed_count=story.followed_count,
    )


def write_up_view(w: WriteUp) -> WriteUpView:
    return WriteUpView(
        gathering_id=w.event_id,
        markdown=w.markdown,
        edited=w.edited,
        edited_at=w.edited_at,
        published_item_id=w.published_item_id,
    )


def register(app: App) -> None:
    service = ChainService()

    # -- API ------------------------------------------------------------------------------------
    @app.get("/api/chain", tags=TAG, summary="What has been taken forward from every event")
    def community() -> CommunityChainView:
        return CommunityChainView(
            events=[
                EventChainSummary(gathering_id=e, title=t, followed=[follow_view(f) for f in fs])
                for e, t, fs in service.community()
            ]
        )

    @app.get("/api/chain/events/<event_id>", tags=TAG, summary="How ideas from an event are being taken forward")
    def event_story(event_id: EventId) -> TakenForwardView:
        return story_view(service.taken_forward(event_id, app.user(acting=False))[0])

    @app.get("/api/chain/led-to", tags=TAG, summary="What followed straight from a conversation, event, SIG or bid")
    def led_to(ref: Ref) -> LedToView:
        return LedToView(ref=ref, led_to=[follow_view(f) for f in service.led_to(ref)])

    @app.get("/api/chain/events/<event_id>/write-up", tags=TAG, summary="The draft write-up of the story (staff)")
    def get_write_up(event_id: EventId) -> WriteUpView:
        return write_up_view(service.write_up(event_id, app.require_staff()))

    @app.put("/api/chain/events/<event_id>/write-up", tags=TAG, summary="Edit the write-up (staff)")
    def put_write_up(event_id: EventId, body: Annotated[EditWriteUp, Body()]) -> WriteUpView:
        return write_up_view(service.save_write_up(event_id, body.markdown, app.require_staff()))

    @app.post(
        "/api/chain/events/<event_id>/write-up/publication",
        tags=TAG,
        status_code=201,
        summary="Publish the write-up as an item of the next Q-municate (staff)",
    )
    def publish(event_id: EventId) -> WriteUpPublished:
        return WriteUpPublished(item_id=service.publish_write_up(event_id, app.require_staff()))

    # -- pages ------------------------------------------------------------------------------------
    @app.get("/chain", include_in_schema=False)
    def community_page() -> Response[str]:
        return app.page("chain/community.html", events=service.community())

    @app.get("/chain/events/<event_id>", include_in_schema=False)
    def story_page(event_id: EventId) -> Response[str]:
        user = app.user(acting=False)
        story, _ = service.taken_forward(event_id, user)
        from functions.comments.thread import thread_for  # members' comments (issue 11 §4)

        comments = thread_for(f"taken-forward:{event_id}", user, service.store)
        return app.page("chain/taken_forward.html", story=story, comments=comments)

    def write_up_page(event_id: str, **extra: Any) -> Response[str]:
        user = app.user(acting=False)
        if user is None:
            return app.redirect(f"/auth/sign-in?next=/chain/events/{event_id}/write-up")
        current = service.write_up(event_id, user)  # says so if they are not on the team
        form = extra.pop("form", {"markdown": current.markdown})
        return app.page(
            "chain/write_up.html",
            status=extra.pop("status", 200),
            write_up=current,
            form=form,
            errors=extra.pop("errors", {}),
            labels=LABELS,
            flags=extra,
        )

    @app.get("/chain/events/<event_id>/write-up", include_in_schema=False)
    def write_up_get(event_id: EventId) -> Response[str]:
        done = app.current_event.get_query_string_value("done", "") or ""
        return write_up_page(event_id, saved=done == "saved", published=done == "published")

    @app.post("/chain/events/<event_id>/write-up", include_in_schema=False)
    def write_up_save(event_id: EventId) -> Response[str]:
        form = parse_form(app.body_text)
        user = app.require_staff(form=form)
        body, errors = validate(EditWriteUp, {"markdown": form.get("markdown", "")})
        if body is None:
            return write_up_page(event_id, status=422, form=form, errors=errors)
        service.save_write_up(event_id, body.markdown, user)
        return app.redirect(f"/chain/events/{event_id}/write-up?done=saved")

    @app.post("/chain/events/<event_id>/write-up/publish", include_in_schema=False)
    def write_up_publish(event_id: EventId) -> Response[str]:
        user = app.require_staff(form=parse_form(app.body_text))
        with suppress(Conflict):  # pressed twice: it is published, which is what they asked
            service.publish_write_up(event_id, user)
        return app.redirect(f"/chain/events/{event_id}/write-up?done=published")
