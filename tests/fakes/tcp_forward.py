"""A TCP forwarder for multi-host tests: `python -m tests.fakes.tcp_forward LISTEN TARGET PORT...`
listens on LISTEN:PORT for each port and relays every connection to TARGET:PORT.

Run inside a network namespace (`ip netns exec`) it makes a service of the root namespace's
127.0.0.1 appear on the namespace's own 127.0.0.1, carried over a veth link; run in the root
namespace on the veth address it reaches the real service. Both sockets of each relay use TCP
keepalives and TCP_USER_TIMEOUT (`--keepalive IDLE,INTERVAL,COUNT`, seconds), and a relay whose
one side fails closes the other: when the link is cut, PostgreSQL sees its client's session
close about IDLE + INTERVAL * COUNT seconds after the last packet, as it would with its own
`tcp_keepalives_*` settings for a client on another host. Prints "ready" once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket

__all__ = ["main"]


def _keepalive(writer: asyncio.StreamWriter, idle: int, interval: int, count: int) -> None:
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, interval)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, count)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, (idle + interval * count) * 1000)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _serve(listen: str, target: str, port: int, keep: tuple[int, int, int]) -> asyncio.Server:
    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _keepalive(writer, *keep)
        try:
            up_reader, up_writer = await asyncio.open_connection(target, port)
        except OSError:
            writer.close()
            return
        _keepalive(up_writer, *keep)
        # Either direction ending (EOF, reset, keepalive timeout) ends both.
        tasks = [asyncio.create_task(_pipe(reader, up_writer)), asyncio.create_task(_pipe(up_reader, writer))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for w in (writer, up_writer):
            with contextlib.suppress(Exception):
                w.close()
        for t in tasks:
            t.cancel()

    return await asyncio.start_server(relay, listen, port, reuse_address=True)


async def _main(args: argparse.Namespace) -> None:
    keep = tuple(int(x) for x in args.keepalive.split(","))
    servers = [await _serve(args.listen, args.target, p, keep) for p in args.ports]  # type: ignore[arg-type]
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listen")
    parser.add_argument("target")
    parser.add_argument("ports", type=int, nargs="+")
    parser.add_argument("--keepalive", default="3,1,3", help="IDLE,INTERVAL,COUNT seconds")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
