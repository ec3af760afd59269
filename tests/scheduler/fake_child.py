"""A stand-in crawl process for scheduler tests: does what its job's settings say (a real process,
so the daemon's process handling is what is tested), and logs when each round starts and ends."""

import json
import sys
import time

job = json.loads(sys.stdin.read())
how = job["settings"]
names = [s["name"] for s in job["sources"]]
with open(how["log"], "a") as f:
    f.write(json.dumps({"start": time.time(), "sources": names}) + "\n")
if how.get("mode") == "crash":
    sys.exit(3)
time.sleep(how.get("seconds", 0.1) if how.get("mode") != "hang" else 3600)
with open(how["log"], "a") as f:
    f.write(json.dumps({"end": time.time(), "sources": names}) + "\n")
for name in names:
    print(json.dumps({"name": name, "requests": 1, "new": 0, "list_items": 1}))
