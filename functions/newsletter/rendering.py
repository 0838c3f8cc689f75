"""Turning an issue into HTML and text: the same sections for the email and the archive page.

Staff write items in Markdown, rendered by markdown-it with raw HTML disabled, so any HTML or
script in an item is shown as text. Text members typed elsewhere (a SIG's purpose) is never
interpreted: it is escaped and its paragraphs kept. Everything else is escaped by Jinja.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from functions.common.settings import settings
from functions.common.web import render

from .domain import IssueContent, Item

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # "commonmark" with html off: <script> and other tags in an item come out as text;
    # markdown-it also refuses javascript:, vbscript:, file: and data: link targets.
    return MarkdownIt("commonmark", {"html": False})


def body_html(item: Item) -> Markup:
    if item.body_format == "markdown":
        return Markup(_markdown().render(item.body))  # noqa: S704 - markdown-it output with raw HTML disabled
    paragraphs = [p.strip() for p in item.body.split("\n\n") if p.strip()]
    return Markup("").join(Markup("<p>{}</p>\n").format(escape(p).replace("\n", Markup("<br>\n"))) for p in paragraphs)


@dataclass(frozen=True)
class RenderedItem:
    title: str
    link: str | None
    html: Markup
    text: str
    item_id: str = ""  # the editors' draft page acts on an item by its id


@dataclass(frozen=True)
class RenderedSection:
    section: str
    heading: str
    items: list[RenderedItem]


def sections(content: IssueContent) -> list[RenderedSection]:
    return [
        RenderedSection(
            section.section,
            section.heading,
            [RenderedItem(i.title, i.link, body_html(i), i.body, i.item_id) for i in section.items],
        )
        for section in content.sections
    ]


def archive_url(issue_id: str) -> str:
    return settings().url(f"/newsletter/issues/{issue_id}")


def issue_email(
    content: IssueContent,
    rendered: list[RenderedSection] | None = None,
    *,
    unsubscribe_url: str | None,
    preferences_url: str | None,
    review_url: str | None = None,
) -> tuple[str, str]:
    """(HTML, text) of the issue as one person receives it. ``review_url`` makes it the
    editors' test send, with the link to approve it on top."""
    context = {
        "content": content,
        "sections": rendered if rendered is not None else sections(content),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "review_url": review_url,
        "archive_url": settings().url("/newsletter"),
        "issue_url": archive_url(content.issue_id),
    }
    return render("email/newsletter_issue.html", **context), render("email/newsletter_issue.txt", **context)
