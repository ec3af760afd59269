#!/usr/bin/env bash
# Run newsradar end to end against the sample sites served on 127.0.0.1 (no network needed).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${NEWSRADAR_DEMO_DIR:-demo-run}"  # where the config, database and site list go
mkdir -p "$work"
rm -f "$work/sites.json"  # a previous run's file would be read before the new server writes its own
python -m tests.mockserver > "$work/sites.json" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
python - "$work" <<'PY'
import json, sys, time
from pathlib import Path
from tests.helpers import sample_sources, write_config

work = Path(sys.argv[1]).resolve()  # the config resolves a relative SQLite path against its own folder
deadline = time.monotonic() + 30
while True:  # the server prints its sites as one JSON line once they all listen
    text = (work / "sites.json").read_text() if (work / "sites.json").exists() else ""
    if text.endswith("\n"):
        break
    if time.monotonic() > deadline:
        sys.exit(f"the sample sites did not start within 30 s (python -m tests.mockserver wrote {text!r})")
    time.sleep(0.1)
urls = json.loads(text)
(work / "newsradar.db").unlink(missing_ok=True)
write_config(work, sample_sources(urls))
print(f"config: {work / 'newsradar.toml'} (sample sites: {', '.join(urls.values())})")
PY
cfg="$work/newsradar.toml"
echo "note: the sample sites serve some broken pages (404, 500, an empty body, a page robots.txt forbids, an anti-bot challenge) and one dead source on purpose; the errors the crawl reports for them are expected"
echo "== a subscriber following digital currency and the city sub-center (alerts print here)"
newsradar --config "$cfg" subscribers add --console --topics digital_currency,sub_center --name demo
echo "== crawl (first run: every article is new)"
newsradar --config "$cfg" crawl
echo "== crawl again (nothing new: only list pages are fetched)"
newsradar --config "$cfg" crawl
echo "== stored articles"
newsradar --config "$cfg" articles list --limit 15
echo "== stories (republished copies grouped)"
newsradar --config "$cfg" stories list --limit 8
echo "== alerts: one per story, naming every site that carried it"
newsradar --config "$cfg" dispatch
echo "== dispatch again: nothing more to send"
newsradar --config "$cfg" dispatch
echo "== status"
newsradar --config "$cfg" status
