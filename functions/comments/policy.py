"""The comments policy every comment form links to. A deployment sets its own text in the
``COMMENTS_POLICY`` setting (plain text, paragraphs separated by a blank line; ``{community}``
and ``{newsletter}`` are replaced by the community's and newsletter's names); this is the default."""

from __future__ import annotations

import os

from functions.common.settings import settings

DEFAULT_POLICY = """\
Comments are how members of the {community} carry on the conversation: what you took away from \
an event, how you have taken ideas back into your workplace, and what you would add to what \
others have started. We welcome them.

You need an account to comment, so everyone knows comments come from members. Other members see \
the name you chose for your account, never your email address.

A member's first comment is read by the community team before it is shown. Once the team has \
approved one of your comments, your later comments are shown as soon as you post them.

Please be kind and constructive. Many comments are about responding to failure, inclusion and \
accessibility: speak from your own experience, and respect people's different experiences and \
needs.

Do not share anything that identifies a patient, a service user or a colleague who has not \
agreed to it, or anything confidential to your organisation.

No harassment, discrimination, personal attacks, advertising or spam, and nothing unlawful.

If you think a comment breaks this policy, report it: the team will look at it and may hide it. \
The team may also hide any comment that breaks this policy without a report.

Your comments are part of your data: they are in the copy of your data you can download from \
your account, and they are removed if you erase your account."""


def policy_paragraphs() -> list[str]:
    text = os.environ.get("COMMENTS_POLICY", "").strip() or DEFAULT_POLICY
    names = {"community": settings().community_name, "newsletter": settings().newsletter_name}
    text = text.replace("{community}", names["community"]).replace("{newsletter}", names["newsletter"])
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
