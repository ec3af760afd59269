"""The console channel: alerts printed to stdout, for people trying newsradar out (and `make demo`)."""

from __future__ import annotations

import sys
from typing import TextIO

from common import printable

from .alerts import ChannelBatch
from .base import Message, Outcome, Sender, Sent
from .messages import digest_plain_text, plain_text

__all__ = ["ConsoleSender"]


class ConsoleSender(Sender):
    kind = "console"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def render(self, batch: ChannelBatch) -> list[Message]:
        out = [Message(plain_text(batch.alerts), batch.alerts)] if batch.alerts else []
        return out + [Message(digest_plain_text(d), [], d) for d in batch.digests]

    async def send(self, batch: ChannelBatch, message: Message) -> Outcome:
        who = f"subscriber {batch.subscriber_id}" + (
            f" ({batch.subscriber_name})" if batch.subscriber_name else ""
        )
        what = "digest" if message.digest is not None else "alert"
        self.out.write(printable(f"=== newsradar {what} for {who} ===\n{message.payload}\n\n"))
        self.out.flush()
        return Sent()
