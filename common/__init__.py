"""The bottom layer every package may import: small, dependency-free primitives shared by the
config, the commands, the daemon, the web and the senders (durations, known-key checks, the secret
key, address validation, redaction). It imports nothing of ours.
"""

from __future__ import annotations

from .redact import REDACTED, RedactingStream, redact
from .text import UNSAFE_CHARS, strip_unsafe

__all__ = ["REDACTED", "RedactingStream", "UNSAFE_CHARS", "redact", "strip_unsafe"]
