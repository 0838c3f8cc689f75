"""Newsletter use cases: each call is one thing a reader, an editor or a staff member does."""

from __future__ import annotations

from dataclasses import dataclass, replace

from functions.common import limits, tokens
from functions.common.errors import Conflict, Forbidden, NotFound
from functions.common.identity import User, is_staff_now
from functions.common.ids import new_id, utcnow
from functions.common.settings import settings
from functions.common.store import Store
from schemas.api.newsletter import NewItem, Preferences, Subscribe
from schemas.events.newsletter import NewsletterApproved, NewsletterSubscriptionRequested

from . import domain
from .domain import AlreadyApproved, Issue, IssueContent, IssueStatus, Item, SubscribeOutcome, Subscriber
from .files import IssueFiles
from .repository import EmailTaken, NewsletterRepository, NotInState, TokenAlreadyUsed


def link(purpose: str, path: str, subject: str, **data: object) -> str:
    return settings().url(f"{path}?token={tokens.issue(purpose, subject, **data)}")


def unsubscribe_url(subscriber_id: str) -> str:
    return link("newsletter-unsubscribe", "/newsletter/unsubscribe", subscriber_id)


def preferences_url(subscriber_id: str) -> str:
    return link("newsletter-preferences", "/newsletter/preferences", subscriber_id)


def review_url(issue_id: str, editor: str) -> str:
    return link("newsletter-approve", f"/newsletter/issues/{issue_id}/review", editor, issue_id=issue_id)


def accepted_message(email: str) -> str:
    # The same words whatever the address's state, so the form does not reveal who subscribes.
    return (
        f"We have sent an email to {email}. Follow its link to confirm your subscription. "
        "If you are already subscribed, the email says so and nothing changes."
    )


@dataclass(frozen=True)
class Outcome:
    subscriber: Subscriber
    #: False when the action had already happened: nothing changed.
    changed: bool


class NewsletterService:
    def __init__(self, repository: NewsletterRepository | None = None, store: Store | None = None) -> None:
        self.store = store or Store()
        self.repo = repository or NewsletterRepository(self.store)

    # -- subscribing ----------------------------------------------------------------------
    def subscribe(self, request: Subscribe, client: str = "") -> str:
        email = request.email.lower()
        limits.check_request(
            "subscribe",
            email,
            client,
            self.store,
            mailbox_message="We have already sent several emails to this address in the last hour. Use the newest one.",
        )
        for _ in range(3):  # a concurrent first sign-up for the same address: read it and go on
            existing = self.repo.subscriber_by_email(email)
            outcome = domain.on_subscribe(existing, self.repo.is_suppressed(email))
            try:
                self._act(outcome, existing, request)
            except (EmailTaken, NotInState):
                continue
            break
        return accepted_message(email)

    def _act(self, outcome: SubscribeOutcome, existing: Subscriber | None, request: Subscribe) -> None:
        if outcome == SubscribeOutcome.SILENT:
            return  # bounced or complained: we never email it again, not even to confirm
        if outcome == SubscribeOutcome.NEW:
            subscriber = domain.new_subscriber(new_id("sub"), request.email, request.name, request.topics, utcnow())
            event = NewsletterSubscriptionRequested(subscriber_id=subscriber.subscriber_id)
            self.repo.create_subscriber(subscriber, [event])
            return
        assert existing is not None
        if outcome == SubscribeOutcome.ALREADY:
            # Changes nothing (the form proves nothing about who filled it in); the owner of the
            # address is told, with a link to their preferences.
            event = NewsletterSubscriptionRequested(subscriber_id=existing.subscriber_id, already_confirmed=True)
            self.repo.announce(event)
            return
        # Asking again proves no more than asking first: it re-sends the link and changes none of
        # the details held (a stranger cannot rename or re-topic someone's pending subscription).
        event = NewsletterSubscriptionRequested(subscriber_id=existing.subscriber_id)
        self.repo.request_again(existing, existing.name, existing.topics, event)

    def _subscriber(self, token: str, purpose: str) -> tuple[tokens.Claims, Subscriber]:
        claims = tokens.verify(token, purpose)
        subscriber = self.repo.subscriber(claims.subject) if len(claims.subject) < 64 else None
        if subscriber is None:
            raise tokens.TokenRejected("This link is for a subscription we no longer hold.", code="unknown")
        return claims, subscriber

    def confirmation(self, token: str) -> Subscriber:
        return self._subscriber(token, "newsletter-confirm")[1]

    def confirm(self, token: str) -> Outcome:
        claims, subscriber = self._subscriber(token, "newsletter-confirm")
        at = utcnow().isoformat()
        try:
            self.repo.confirm(
                subscriber.subscriber_id, at, self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
            )
        except NotInState:
            current = self.repo.subscriber(subscriber.subscriber_id) or subscriber
            if current.status == domain.SubscriberStatus.CONFIRMED:
                return Outcome(current, changed=False)
            raise tokens.TokenRejected(
                "This subscription is no longer waiting for confirmation. Subscribe again to receive the newsletter.",
                code="used",
            ) from None
        except TokenAlreadyUsed:
            raise tokens.TokenRejected(
                "This confirmation link has already been used. Use the newest link we sent you.", code="used"
            ) from None
        return Outcome(replace(subscriber, status=domain.SubscriberStatus.CONFIRMED, confirmed_at=at), changed=True)

    def unsubscription(self, token: str) -> Subscriber:
        return self._subscriber(token, "newsletter-unsubscribe")[1]

    def unsubscribe(self, token: str) -> Outcome:
        """Repeatable: the link in every issue keeps working, and a second use says so."""
        _, subscriber = self._subscriber(token, "newsletter-unsubscribe")
        at = utcnow().isoformat()
        try:
            self.repo.unsubscribe(subscriber.subscriber_id, at)
        except NotInState:
            return Outcome(self.repo.subscriber(subscriber.subscriber_id) or subscriber, changed=False)
        return Outcome(replace(subscriber, status=domain.SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=at), True)

    def preferences(self, token: str) -> Subscriber:
        return self._subscriber(token, "newsletter-preferences")[1]

    def save_preferences(self, token: str, preferences: Preferences) -> Subscriber:
        subscriber = self.preferences(token)
        self.repo.save_preferences(subscriber.subscriber_id, preferences.name, preferences.topics)
        return replace(subscriber, name=preferences.name, topics=tuple(preferences.topics))

    # -- items ----------------------------------------------------------------------------
    def add_item(self, new: NewItem, user: User | None = None, item_id: str | None = None) -> Item:
        """A staff item for the next issue; its origins are checked as ``user`` sees them."""
        from functions.chain.origins import resolve
        from schemas.events.newsletter import NewsletterItemAdded

        origins = tuple(resolve(new.origins, user, self.repo.store)) if new.origins else ()
        item = replace(
            domain.staff_item(
                item_id or new_id("nli"),
                section=new.section,
                title=new.title,
                body=new.body,
                link=str(new.link) if new.link else None,
                now=utcnow(),
            ),
            origins=origins,
        )
        added = NewsletterItemAdded(item_id=item.item_id, title=item.title, section=item.section, origins=list(origins))
        if not self.repo.add_item(item, [added]):
            raise Conflict("This item has been added already.")
        return item

    def pending_items(self) -> list[Item]:
        return sorted(self.repo.pending_items(), key=lambda i: (i.created_at, i.item_id))

    # -- issues ---------------------------------------------------------------------------
    def archive(self) -> list[Issue]:
        return self.repo.issues(IssueStatus.APPROVED)

    def issue(self, issue_id: str, *, staff: bool = False) -> tuple[Issue, IssueContent]:
        """An approved issue (its public archive page); staff also see drafts."""
        issue = self.repo.issue(issue_id) if issue_id.startswith("nl_") and len(issue_id) < 64 else None
        if issue is None or (issue.status != IssueStatus.APPROVED and not staff):
            raise NotFound("There is no such issue.")
        content = IssueFiles().content(issue_id)
        if content is None:
            raise NotFound("There is no such issue.")
        return issue, content

    def review_claims(self, issue_id: str, token: str) -> tokens.Claims:
        claims = tokens.verify(token, "newsletter-approve")
        if claims.data.get("issue_id") != issue_id:
            raise tokens.TokenRejected("This review link is for a different issue.", code="wrong-subject")
        if not is_staff_now(claims.subject):
            # Someone who has left the team keeps their old emails, not the right to send.
            raise tokens.TokenRejected("This review link's editor is no longer on the team.", code="not-staff")
        return claims

    def approve_by_link(self, issue_id: str, token: str) -> Issue:
        claims = self.review_claims(issue_id, token)
        spend = self.store.use_token_op(claims.jti, claims.expires_at, claims.subject)
        try:
            return self._approve(issue_id, claims.subject, spend)
        except TokenAlreadyUsed:
            raise tokens.TokenRejected("This review link has already been used.", code="used") from None

    def approve_as_staff(self, issue_id: str, user: User) -> Issue:
        if not user.is_staff:
            raise Forbidden("Only the community team can approve an issue.")
        return self._approve(issue_id, user.email, None)

    def _approve(self, issue_id: str, by: str, spend: object) -> Issue:
        issue, _ = self.issue(issue_id, staff=True)
        approved = domain.approve(issue, by=by, now=utcnow())
        event = NewsletterApproved(issue_id=issue_id, title=issue.title, approved_by=by)
        try:
            self.repo.approve(approved, event, spend)  # type: ignore[arg-type]
        except NotInState:
            raise AlreadyApproved(self.repo.issue(issue_id) or approved) from None
        return approved
