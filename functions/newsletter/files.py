"""Issues in S3: ``issues/<id>/content.json`` is what the issue says (the source of every
rendering: the test send, each subscriber's email, the archive page); ``issue.html`` and
``issue.txt`` keep the draft as the editors first saw it."""

from __future__ import annotations

from typing import Any

from functions.common.aws import client
from functions.common.settings import settings

from .domain import IssueContent

BUCKET = "newsletter"


def _key(issue_id: str, name: str) -> str:
    return f"issues/{issue_id}/{name}"


class IssueFiles:
    def __init__(self, s3: Any | None = None) -> None:
        self._s3 = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = client("s3")
        return self._s3

    @property
    def bucket(self) -> str:
        return settings().bucket(BUCKET)

    def put(self, content: IssueContent, html: str, text: str) -> None:
        for name, body, kind in (
            ("content.json", content.to_json(), "application/json"),
            ("issue.html", html, "text/html; charset=utf-8"),
            ("issue.txt", text, "text/plain; charset=utf-8"),
        ):
            self.s3.put_object(
                Bucket=self.bucket, Key=_key(content.issue_id, name), Body=body.encode(), ContentType=kind
            )

    def delete(self, issue_id: str) -> None:
        self.s3.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": _key(issue_id, n)} for n in ("content.json", "issue.html", "issue.txt")]},
        )

    def content(self, issue_id: str) -> IssueContent | None:
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=_key(issue_id, "content.json"))
        except self.s3.exceptions.NoSuchKey:
            return None
        return IssueContent.from_json(response["Body"].read())


_CACHE: dict[str, IssueContent] = {}


def cached_content(issue_id: str) -> IssueContent | None:
    """An issue's content never changes once its issue exists, so a warm container reads it
    once however many batches of the issue it sends. (A miss is not remembered.)"""
    if issue_id not in _CACHE:
        content = IssueFiles().content(issue_id)
        if content is None:
            return None
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[issue_id] = content
    return _CACHE[issue_id]
