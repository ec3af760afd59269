"""The ingest worker stores what has arrived in one transaction, waiting briefly for a batch
(a transaction of one article costs about twice the CPU per article), and never waits once the
crawl has said it is done."""

from __future__ import annotations

import multiprocessing
import time

from crawler.worker import BATCH, BATCH_WAIT, _next_batch


def test_waits_briefly_for_a_batch_then_takes_what_came():
    receive, send = multiprocessing.Pipe(duplex=False)
    send.send((0, "a"))
    t0 = time.monotonic()
    batch, stop = _next_batch(receive)
    assert batch == [(0, "a")] and not stop
    assert BATCH_WAIT * 0.9 <= time.monotonic() - t0 < BATCH_WAIT + 1.0


def test_a_full_batch_or_the_crawls_end_is_taken_at_once():
    receive, send = multiprocessing.Pipe(duplex=False)
    for key in range(BATCH + 3):
        send.send((key, "x"))
    batch, stop = _next_batch(receive)
    assert [k for k, _ in batch] == list(range(BATCH + 3)) and not stop  # all that was waiting
    send.send((99, "y"))
    send.send(None)
    batch, stop = _next_batch(receive)
    assert batch == [(99, "y")] and stop
    send.close()
    assert _next_batch(receive) == ([], True)  # the crawl ended without a word
