"""Outgoing e-mail: SMTP when configured, otherwise .eml files in a local outbox."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Attachment:
    """A file attached to an e-mail."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class Mail:
    """An e-mail to send."""

    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


class MailError(Exception):
    """The message could not be handed to the mail server."""


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """The MIME message for ``mail``."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    for att in mail.attachments:
        maintype, _, subtype = att.mimetype.partition("/")
        # Text attachments (.ics) are UTF-8: without the charset, readers take them as ASCII.
        params = {"charset": "utf-8"} if maintype == "text" else {}
        msg.add_attachment(
            att.content, maintype=maintype, subtype=subtype, filename=att.filename, params=params
        )
    return msg


def send_mail(config: Any, mail: Mail) -> EmailMessage:
    """Send through SMTP settings in ``config`` or write to the outbox folder; raises MailError."""
    msg = build_message(mail, config["MAIL_DEFAULT_SENDER"])
    server = config.get("MAIL_SERVER")
    if not server:
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        (outbox / name).write_bytes(bytes(msg))
        return msg
    port = int(config.get("MAIL_PORT") or 25)
    try:
        if config.get("MAIL_USE_SSL"):
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server, port, timeout=30, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(server, port, timeout=30)
        with client:
            if config.get("MAIL_USE_TLS"):
                client.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send e-mail to {mail.to}: {exc}") from exc
    return msg
