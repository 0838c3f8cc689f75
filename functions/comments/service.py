"""Comment use cases: post one, report one, and the team's decisions (approve or reject a held
first comment, by the emailed link or the moderation page; hide a shown one; keep a reported one).

Every use case checks, at the moment it acts, who is asking (``User``: session, erasure and the
staff role resolved for this request) and that the comment's target exists and is theirs to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from functions.common import tokens
from functions.common.errors import Conflict, NotFound
from functions.common.identity import is_staff_now
from functions.common.ids import new_id, utcnow
from functions.common.store import ConditionFailed, Store
from functions.members.model import display_name
from schemas.events.comments import (
    CommentApproved,
    CommentHeld,
    CommentHidden,
    CommentPublished,
    CommentRejected,
    CommentReported,
    CommentReportsDismissed,
)

from . import domain
from .domain import AlreadyDecided, Comment, Status, Target
from .repository import HELD_QUEUE, REPORTED_QUEUE, CommentRepository, TokenAlreadyUsed

if TYPE_CHECKING:
    from functions.common.identity import User

MODERATION_PURPOSE = "comment-moderation"


@dataclass(frozen=True)
class Moderation:
    held: list[Comment]
    reported: list[Comment]


def target_title(target: Target, user: User | None, store: Store) -> str:
    """The title of what a comment is on, if it exists and ``user`` may see it (one or two
    GetItems); ``NotFound`` otherwise: a target that does not exist and one they may not see
    get the same answer."""
    missing = NotFound("There is nothing to comment on there that you can see.", field="target")
    if target.kind in ("proceedings", "taken-forward"):
        from functions.events.attendance import get_event
        from functions.places.domain import ListingStatus

        event = get_event(target.id, store)
        if event is None or not (event.status == ListingStatus.PUBLISHED or (user and user.is_staff)):
            raise missing
        if target.kind == "proceedings" and store.get(f"OS#{target.id}", "PROCEEDINGS") is None:
            raise missing  # only published proceedings take comments
        return target.title_of(event.title)
    issue = store.get(f"NEWSLETTER#{target.id}", "ISSUE") if target.id.startswith("nl_") else None
    if issue is None or issue.get("status") != "approved":
        raise missing
    return target.title_of(str(issue.get("title", "")))


class CommentService:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.repo = CommentRepository(self.store)

    # -- members ----------------------------------------------------------------------------------
    def post(self, target_ref: str, text: str, user: User) -> Comment:
        """A member's comment: published at once if the team approved one of theirs before, held
        for the team otherwise (``CommentHeld`` emails them a link to decide it)."""
        target = Target.parse(target_ref)
        title = target_title(target, user, self.store)
        status = domain.first_status(self.repo.is_approved(user.member_id))
        if status == Status.HELD:
            from functions.common import limits

            message = "You have several comments waiting for the team already: please wait until they have looked."
            limits.check("comments-held-member", user.member_id, self.store, message=message)
        comment = Comment(
            comment_id=new_id("comment"),
            target=target.ref,
            target_title=title,
            author_id=user.member_id,
            author_name=display_name(user.name),
            text=text,
            status=status,
            created_at=utcnow().isoformat(),
        )
        event = (
            CommentPublished(comment_id=comment.comment_id, target=target.ref, author_id=user.member_id)
            if status == Status.PUBLISHED
            else CommentHeld(
                comment_id=comment.comment_id, target=target.ref, target_title=title, author_id=user.member_id
            )
        )
        self.repo.add(comment, event)
        return comment

    def get(self, comment_id: str, user: User | None) -> Comment:
        comment = self.repo.get(comment_id)
        if comment is None or not domain.visible_to(
            comment, user.member_id if user else None, bool(user and user.is_staff)
        ):
            raise NotFound("There is no such comment.")
        return comment

    def thread(self, target_ref: str, user: User | None) -> list[Comment]:
        target = Target.parse(target_ref)
        target_title(target, user, self.store)
        return self.repo.thread(target.ref)

    def report(self, comment_id: str, reason: str, user: User) -> bool:
        """One report per person per comment; True if this one is new (the team is told)."""
        comment = self.get(comment_id, user)
        domain.ensure_reportable(comment, user.member_id)
        event = CommentReported(
            comment_id=comment.comment_id,
            target=comment.target,
            target_title=comment.target_title,
            reports=comment.reports + 1,
        )
        try:
            return self.repo.report(comment, user.member_id, reason, utcnow().isoformat(), event)
        except ConditionFailed:
            raise NotFound("There is no such comment.") from None  # hidden meanwhile

    # -- the team ---------------------------------------------------------------------------------
    def moderation(self, user: User) -> Moderation:
        user.require_staff()
        return Moderation(held=self.repo.queue(HELD_QUEUE), reported=self.repo.queue(REPORTED_QUEUE))

    def decide_as_staff(self, comment_id: str, user: User, *, approve: bool) -> Comment:
        user.require_staff()
        return self._decide(comment_id, approve=approve, by=user.email, spend=None)

    def link_claims(self, token: str) -> tokens.Claims:
        """The moderation link's claims, if it is valid and its holder is on the team *now*."""
        claims = tokens.verify(token, MODERATION_PURPOSE)
        if not is_staff_now(claims.subject):
            raise tokens.TokenRejected("This link's team member is no longer on the team.", code="not-staff")
        return claims

    def for_link(self, token: str) -> tuple[Comment, tokens.Claims]:
        """What a moderation link is about (reading only: mail scanners open links). A link
        already used says so, whoever used it."""
        claims = self.link_claims(token)
        if self.store.token_used(claims.jti) is not None:
            raise tokens.TokenRejected("This link has already been used.", code="used")
        comment = self.repo.get(str(claims.data.get("comment_id", "")))
        if comment is None:
            raise tokens.TokenRejected("This comment no longer exists.", code="unknown")
        return comment, claims

    def decide_by_link(self, token: str, *, approve: bool) -> Comment:
        comment, claims = self.for_link(token)
        spend = self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
        try:
            return self._decide(comment.comment_id, approve=approve, by=claims.subject, spend=spend)
        except TokenAlreadyUsed:
            raise tokens.TokenRejected("This link has already been used.", code="used") from None

    def _decide(self, comment_id: str, *, approve: bool, by: str, spend: object) -> Comment:
        comment = self.repo.get(comment_id)
        if comment is None:
            raise NotFound("There is no such comment.")
        decided = domain.decide(comment, approve=approve, by=by, at=utcnow().isoformat())
        kind = CommentApproved if approve else CommentRejected
        event = kind(
            comment_id=comment.comment_id,
            target=comment.target,
            target_title=comment.target_title,
            author_id=comment.author_id,
            decided_by=by,
        )
        try:
            self.repo.decide(decided, event, spend)  # type: ignore[arg-type]
        except ConditionFailed:
            raise AlreadyDecided(self.repo.get(comment_id) or decided) from None
        return decided

    def hide(self, comment_id: str, reason: str, user: User) -> Comment:
        user.require_staff()
        comment = self.get(comment_id, user)
        hidden = domain.hide(comment, reason=reason, by=user.email, at=utcnow().isoformat(), is_staff=user.is_staff)
        try:
            self.repo.hide(hidden, CommentHidden(comment_id=comment_id, target=comment.target))
        except ConditionFailed:
            raise Conflict("This comment changed meanwhile: it is no longer shown.") from None
        return hidden

    def keep(self, comment_id: str, user: User) -> Comment:
        """The team looked at a reported comment and keeps it shown."""
        user.require_staff()
        comment = self.get(comment_id, user)
        try:
            self.repo.dismiss_reports(comment_id, CommentReportsDismissed(comment_id=comment_id, target=comment.target))
        except ConditionFailed:
            raise Conflict("This comment is not waiting for the team.") from None
        return self.repo.get(comment_id) or comment
