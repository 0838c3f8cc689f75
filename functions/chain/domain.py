"""The chain of ideas, in plain Python: what followed from a conversation or an event, how a
thing that came from something else reaches the conversations it ultimately came from, and the
"taken forward" story told from it (issue 11).

- A **follow** is one public step taken forward: a SIG approved, funding awarded, a visit or an
  event published, a newsletter item added. It names people only by display name, and only
  those who agreed to be named (a bid's applicant only with ``consent_to_be_named``).
- Its **roots** are the conversations (or events) it came from, directly or through what it
  came from: a bid for a SIG that came from a conversation is taken forward from that
  conversation, "via" the SIG.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from schemas.events.origins import Origin

#: A root that is an event itself rather than one of its conversations.
WHOLE_EVENT = "-"
#: Conversations without a theme are shown under this heading.
OTHER_THEMES = "Other conversations"
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Follow:
    kind: str  # sig | bid | visit | event | newsletter | takeaway
    ref: str
    title: str
    at: str
    what: str
    url: str | None = None
    people: tuple[str, ...] = ()
    via: str = ""
    #: The members ``people`` names, by id (never shown): erasure finds their name through it.
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class Root:
    """A conversation (``conversation_id``) or a whole event (``WHOLE_EVENT``) something came from."""

    event_id: str
    conversation_id: str = WHOLE_EVENT

    @property
    def key(self) -> str:
        return f"{self.event_id}:{self.conversation_id}"

    @classmethod
    def parse(cls, key: str) -> Root:
        event_id, _, conversation_id = key.partition(":")
        return cls(event_id, conversation_id or WHOLE_EVENT)


def roots(origins: Sequence[Origin], known: Mapping[str, Sequence[str]]) -> dict[Root, str]:
    """The roots a thing with these ``origins`` reaches, each with the title it came through
    (empty when it came straight from it). ``known`` holds the root keys of origins that are
    themselves in the chain (by ``Origin.ref``)."""
    found: dict[Root, str] = {}
    for origin in origins:
        if origin.kind == "conversation":
            found[Root(origin.event_id, origin.id)] = ""
        elif origin.kind == "event":
            found.setdefault(Root(origin.id), "")
        else:
            for key in known.get(origin.ref, ()):
                found.setdefault(Root.parse(key), origin.title)
    return found


@dataclass(frozen=True)
class ConversationSummary:
    conversation_id: str
    title: str
    themes: tuple[str, ...]
    hosts: tuple[str, ...]
    named: tuple[str, ...] = ()


@dataclass
class ConversationChain:
    conversation: ConversationSummary
    followed: list[Follow] = field(default_factory=list)


@dataclass(frozen=True)
class TakenForward:
    event_id: str
    title: str
    themes: list[tuple[str, list[ConversationChain]]]
    from_the_event: list[Follow]

    @property
    def followed_count(self) -> int:
        # A conversation with two themes is shown under both, and counted once.
        chains = {c.conversation.conversation_id: c for _, group in self.themes for c in group}
        return len(self.from_the_event) + sum(len(c.followed) for c in chains.values())


def taken_forward(
    event_id: str, title: str, conversations: Sequence[ConversationSummary], follows: Mapping[str, Sequence[Follow]]
) -> TakenForward:
    """The event's conversations grouped by theme (a conversation under each of its themes,
    themes with most taken forward first), each with what followed, oldest first."""
    chains = {
        c.conversation_id: ConversationChain(c, sorted(follows.get(c.conversation_id, ()), key=_when))
        for c in conversations
    }
    by_theme: dict[str, list[ConversationChain]] = defaultdict(list)
    for chain in chains.values():
        for theme in chain.conversation.themes or (OTHER_THEMES,):
            by_theme[theme].append(chain)
    ordered = sorted(
        by_theme.items(),
        key=lambda t: (t[0] == OTHER_THEMES, -sum(len(c.followed) for c in t[1]), t[0].casefold()),
    )
    themes = [
        (theme, sorted(group, key=lambda c: (-len(c.followed), c.conversation.title.casefold())))
        for theme, group in ordered
    ]
    return TakenForward(event_id, title, themes, sorted(follows.get(WHOLE_EVENT, ()), key=_when))


def _when(follow: Follow) -> str:
    return follow.at


def day(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return ""
    return f"{moment.astimezone(LONDON):%-d %B %Y}"


def _people(follow: Follow) -> str:
    if not follow.people:
        return ""
    names = list(follow.people)
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f" ({joined})"


def _line(follow: Follow) -> str:
    via = f", through {follow.via}" if follow.via else ""
    return f"- {follow.what}: **{_escape(follow.title)}**{_people(follow)}, {day(follow.at)}{via}"


def _escape(text: str) -> str:
    """Titles members typed, as Markdown text (never as markup)."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|" else c for c in text)


def write_up(story: TakenForward) -> str:
    """A draft write-up of the story in the community's voice (Markdown, for staff to edit)."""
    title = _escape(story.title)
    if not story.followed_count:
        return (
            f"At {title}, members hosted Open Space conversations. Nothing has been taken forward from them "
            "yet that we know of: if you have taken an idea back into your workplace, let us know what you took away."
        )
    taken = [chain for _, chains in story.themes for chain in chains if chain.followed]
    unique = list({c.conversation.conversation_id: c for c in taken}.values())
    parts = [
        f"At {title}, members hosted Open Space conversations: a member proposed a topic they cared about, "
        "hosted the conversation and others joined in. Here is how ideas from those conversations are being "
        "taken forward.",
    ]
    for chain in unique:
        hosts = " and ".join(chain.conversation.hosts) if chain.conversation.hosts else "a member"
        parts.append(f"### {_escape(chain.conversation.title)}\n\nHosted by {_escape(hosts)}. Since then:\n")
        parts.append("\n".join(_line(f) for f in chain.followed))
    if story.from_the_event:
        parts.append("### From the event as a whole\n")
        parts.append("\n".join(_line(f) for f in story.from_the_event))
    parts.append(
        "Thank you to everyone who hosted and joined a conversation. Let us know what you took away, "
        "and how you have taken ideas back into your workplace."
    )
    return "\n\n".join(parts)


def since(event_title: str, follows: Sequence[Follow]) -> str:
    """The monthly newsletter's "since <event>" item body: what changed in the chain this month."""
    lines = "\n".join(_line(f) for f in sorted(follows, key=_when))
    return f"Ideas from the Open Space conversations at {_escape(event_title)} taken forward this month:\n\n{lines}"
