"""The development console's e-mail: one line per message (who, what, the first link in it)
instead of its whole MIME source, so the first sweep of ``make run`` — hundreds of demo
reminders — stays readable. ``EMAIL_CONSOLE_FULL=1`` brings back Django's full console
output (settings)."""

import re
import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

_LINK = re.compile(r"https?://\S+")


def summary_line(message) -> str:
    """``[e-mail] to <address>: <subject> | <first link> | <n> attachment(s)``."""
    parts = [f"[e-mail] to {', '.join(message.to)}: {message.subject}"]
    link = _LINK.search(message.body or "")
    if link:
        parts.append(link.group().rstrip(".,)"))
    if message.attachments:
        count = len(message.attachments)
        parts.append(f"{count} attachment{'' if count == 1 else 's'}")
    return " | ".join(parts)


class SummaryEmailBackend(BaseEmailBackend):
    """Writes ``summary_line`` of each message to the console (standard output)."""

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        with self._lock:
            for message in email_messages:
                self.stream.write(summary_line(message) + "\n")
            self.stream.flush()
        return len(email_messages)
