"""`python -m tests.mockserver`: serve the sample sites until killed; prints their URLs as JSON."""

import argparse
import json
import signal
import sys
import threading

from .server import MockSites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--generated", type=int, default=0, help="serve one generated site with N articles instead"
    )
    args = parser.parse_args()
    sites = MockSites(generated=args.generated).start()
    print(json.dumps(sites.urls), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    sites.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
