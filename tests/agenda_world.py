"""A published schedule with three companies in three languages, and a local SMTP server."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy.orm import Session

from matchmaking.models import (
    Event,
    Meeting,
    MeetingChange,
    Offering,
    Participation,
    ScheduleVersion,
    Slot,
    User,
)
from tests.conftest import sector
from tests.functional.helpers import make_company_user, make_meeting, make_slots, make_staff

CHINESE_NAME = "重庆长江机械有限公司"
RUSSIAN_NAME = "ООО Волга Трейд"


@dataclass
class World:
    event: Event
    version: ScheduleVersion
    slots: list[Slot]
    buyer: User  # Kazakh buyer, Russian-speaking contact
    supplier: User  # Chongqing supplier, Chinese-speaking contact
    other: User  # Russian supplier, English-speaking contact, no common language with buyer
    organiser: User
    m1: Meeting  # buyer + supplier, slot 0
    m2: Meeting  # buyer + other, slot 2
    published_at: datetime

    @property
    def bp(self) -> Participation:
        return self.buyer.company.participations[0]

    @property
    def sp(self) -> Participation:
        return self.supplier.company.participations[0]

    @property
    def op(self) -> Participation:
        return self.other.company.participations[0]

    def day_start(self) -> datetime:
        """09:00 event time on the first day, in UTC (the first slot)."""
        return self.slots[0].starts_at


def make_world(session: Session, event: Event) -> World:
    buyer = make_company_user(session, event, status="approved")
    buyer.locale = "ru"
    supplier = make_company_user(
        session,
        event,
        email="sales@cq-machinery.cn",
        name=CHINESE_NAME,
        country="CN",
        status="approved",
    )
    supplier.locale = "zh"
    supplier.company.languages = ["zh", "ru"]
    other = make_company_user(
        session, event, email="export@volga.ru", name=RUSSIAN_NAME, country="RU", status="approved"
    )
    other.locale = "en"
    other.company.languages = ["en"]
    for user in (supplier, other):
        participation = user.company.participations[0]
        participation.offerings = [
            Offering(kind="sell", sector=sector(event, "nev.parts"), description="brake discs")
        ]
    other.company.participations[0].interpreter_note = "Bring an English-Russian interpreter"
    organiser = make_staff(session)
    slots = make_slots(session, event, count=6)
    bp = buyer.company.participations[0]
    m1 = make_meeting(session, bp, supplier.company.participations[0], slots[0], table=1)
    m1.reasons = [
        {"code": "common_language", "params": {"language": "ru"}},
        {"code": "same_subsector", "params": {"sector": "nev.parts"}},
    ]
    m2 = make_meeting(session, bp, other.company.participations[0], slots[2], table=2)
    version = m1.version
    published_at = datetime.now(UTC) - timedelta(hours=1)
    version.published_at = published_at
    session.flush()
    return World(event, version, slots, buyer, supplier, other, organiser, m1, m2, published_at)


def move(session: Session, meeting: Meeting, slot: Slot, at: datetime) -> MeetingChange:
    """What the schedule editor does when it moves a published meeting."""
    before = {"slot_id": meeting.slot_id}
    meeting.slot = slot
    for seat in meeting.seats:
        seat.slot_id = slot.id
    meeting.sequence += 1
    change = MeetingChange(
        meeting=meeting,
        kind="moved",
        before=before,
        after={"slot_id": slot.id},
        published=True,
        created_at=at,
    )
    session.add(change)
    session.flush()
    return change


def cancel(session: Session, meeting: Meeting, at: datetime) -> MeetingChange:
    meeting.status = "cancelled"
    for seat in list(meeting.seats):
        session.delete(seat)
    meeting.sequence += 1
    change = MeetingChange(
        meeting=meeting, kind="cancelled", before={}, after={}, published=True, created_at=at
    )
    session.add(change)
    session.flush()
    return change


@dataclass
class Inbox:
    """A handler for aiosmtpd that keeps every envelope, and can be told to refuse them."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    fail: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail:
            return "451 4.3.0 Temporary failure, try later"
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1; the app sends to it for the test's duration."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


def attachment(message: EmailMessage, suffix: str) -> bytes:
    for part in message.iter_attachments():
        if (part.get_filename() or "").endswith(suffix):
            content = part.get_content()
            return content.encode() if isinstance(content, str) else bytes(content)
    raise AssertionError(f"no {suffix} attachment")


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_fonts(content: bytes) -> set[str]:
    from pypdf import PdfReader

    fonts: set[str] = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts
