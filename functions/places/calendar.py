"""Calendar invitations (.ics) for anything with places (visits, events), built with icalendar.

One entry per (listing, member): the UID never changes, so a later REQUEST updates the entry and a
CANCEL removes it, provided its SEQUENCE is higher (``domain.calendar_sequence``). Times are
written in UTC, which every calendar program converts to its own zone (no VTIMEZONE to get wrong).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from functions.common.mail import Attachment, one_line

from .domain import Listing, Signup

Method = Literal["REQUEST", "CANCEL"]


def uid(listing_id: str, member_id: str, domain: str) -> str:
    return f"{listing_id}.{member_id}@{domain}"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # Parameter values cannot hold double quotes; names are one line already, but be sure.
    address.params["CN"] = vText(one_line(name).replace('"', "'"))
    return address


def invitation(
    listing: Listing,
    signup: Signup,
    *,
    method: Method,
    sequence: int,
    sender: str,
    organiser_name: str,
    page_url: str,
    now: datetime,
) -> Attachment:
    organiser_email = parseaddr(sender)[1] or "no-reply@localhost"
    calendar = Calendar()
    calendar.add("prodid", f"-//Convene//{listing.noun.capitalize()}s//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(listing.listing_id, signup.member_id, organiser_email.rsplit("@", 1)[-1]))
    event.add("sequence", sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", listing.starts_at.astimezone(UTC))
    event.add("dtend", listing.ends_at.astimezone(UTC))
    event.add("summary", listing.calendar_summary)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("location", listing.location or ("Online" if listing.online else ""))
    lines = [listing.description, ""]
    # The invitation goes only to confirmed attendees, who may see how to join.
    if method == "REQUEST" and listing.online and listing.joining_link:
        lines.append(f"Join online: {listing.joining_link}")
        event.add("url", listing.joining_link)
    else:
        event.add("url", page_url)
    lines.append(f"Your place, and cancelling it: {page_url}")
    event.add("description", "\n".join(lines).strip())
    event.add("organizer", _address(organiser_email, organiser_name))
    attendee = _address(signup.email, signup.name or signup.email)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("ACCEPTED" if method == "REQUEST" else "DECLINED")
    attendee.params["RSVP"] = vText("FALSE")
    event.add("attendee", attendee)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return Attachment(
        filename="invite.ics" if method == "REQUEST" else "cancel.ics",
        content_type=f"text/calendar; method={method}; charset=UTF-8",
        content=calendar.to_ical(),
    )
