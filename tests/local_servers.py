"""Servers the tests run on loopback: a free port to put them on, and a real SMTP server's
handler that records what it receives."""

import asyncio
import email
import socket
import threading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """An SMTP server's handler that keeps every message it accepts, can refuse the first
    ``refuse_first`` deliveries with a temporary 451, refuse the recipients in
    ``refuse_recipients`` with a permanent 550, and can take its time per message. It offers
    PIPELINING, as the servers organisations run do, unless ``pipelining`` is False."""

    def __init__(self, refuse_first: int = 0, delay_seconds: float = 0.0):
        self.refuse_first = refuse_first
        self.delay_seconds = delay_seconds
        self.refuse_recipients: set[str] = set()
        self.pipelining = True
        self.attempts = 0
        self.messages: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.refuse_first:
                return "451 4.3.0 Try again later"
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self.lock:
            self.messages.append(envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def keys(self) -> list[str]:
        """The X-Notification-Key of every accepted message, in order."""
        with self.lock:
            return [email.message_from_bytes(m)["X-Notification-Key"] for m in self.messages]
