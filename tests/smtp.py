"""A real SMTP server in the test process (aiosmtpd), and reading what it received."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler: keeps every DATA it accepts, in order."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()
        #: recipients this server refuses with 550 (a mailbox that does not exist)
        self.refuse = {address.lower() for address in refuse}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message_from_bytes(raw, policy=default) for _, _, raw in self.received]

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """Start, stop and restart on the same port, as a mail server that goes away and back."""

    def __init__(self, smtputf8: bool = False, refuse: tuple[str, ...] = ()):
        self.port = free_port()
        self.inbox = Inbox(refuse)
        self.smtputf8 = smtputf8  # whether EHLO offers SMTPUTF8 (RFC 6531)
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=self.smtputf8)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}


def calendar_part(message: EmailMessage) -> EmailMessage | None:
    return next((part for part in message.walk() if part.get_content_type() == "text/calendar"), None)


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    """Every iCalendar part of a mail (one per event in a publication's mail)."""
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def text_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
