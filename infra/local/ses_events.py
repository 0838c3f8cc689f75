"""SES bounce and complaint events, locally: moto's SES never bounces, so this puts on the
local bus the event SES would publish through an EventBridge event destination (source
``aws.ses``, detail-type "Email Bounced" / "Email Complaint Received", the detail being SES's
event record), and the newsletter's rule delivers it like any other."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import LocalRuntime

KINDS = ("bounce", "complaint")


def ses_event_detail(kind: str, email: str, *, bounce_type: str = "Permanent") -> tuple[str, dict[str, Any]]:
    """(detail-type, detail) as SES publishes them for one recipient."""
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    mail = {
        "timestamp": now,
        "source": "no-reply@q.example.org",
        "messageId": f"local-{uuid.uuid4()}",
        "destination": [email],
        "headersTruncated": False,
    }
    if kind == "bounce":
        return "Email Bounced", {
            "eventType": "Bounce",
            "bounce": {
                "feedbackId": f"local-{uuid.uuid4()}",
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": email,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 no such user",
                    }
                ],
                "timestamp": now,
                "reportingMTA": "dns; local.convene",
            },
            "mail": mail,
        }
    if kind == "complaint":
        return "Email Complaint Received", {
            "eventType": "Complaint",
            "complaint": {
                "feedbackId": f"local-{uuid.uuid4()}",
                "complainedRecipients": [{"emailAddress": email}],
                "complaintFeedbackType": "abuse",
                "timestamp": now,
            },
            "mail": mail,
        }
    raise ValueError(f"kind must be one of {', '.join(KINDS)}")


def inject_ses_event(runtime: LocalRuntime, kind: str, email: str, *, bounce_type: str = "Permanent") -> dict[str, Any]:
    """Put one SES bounce or complaint about ``email`` on the default bus, where SES publishes."""
    if runtime.resources is None:
        raise RuntimeError("the local runtime is not started")
    detail_type, detail = ses_event_detail(kind, email, bounce_type=bounce_type)
    result = runtime.client("events").put_events(
        Entries=[
            {
                "Source": "aws.ses",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "EventBusName": "default",
            }
        ]
    )
    if result.get("FailedEntryCount"):
        raise RuntimeError(f"put_events failed: {result}")
    return {"detail-type": detail_type, "email": email}


def from_request(runtime: LocalRuntime, body: str) -> tuple[dict[str, Any], int]:
    """``POST /_local/ses-events`` with ``{"kind": "bounce" | "complaint", "email": ...}``:
    (JSON answer, status), for the local endpoint behind ``convene ses-event KIND EMAIL``."""
    try:
        request = json.loads(body or "{}")
        kind, email = str(request["kind"]), str(request["email"])
        if "@" not in email:
            raise ValueError("give an email address")
        return inject_ses_event(runtime, kind, email), 200
    except (KeyError, ValueError, TypeError) as error:
        return {"message": f"Give kind (bounce or complaint) and email: {error}"}, 400
