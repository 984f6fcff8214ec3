# Names are text in every format (issue 18): raw HTML of a name is escaped in Markdown
# reports; a name that is not valid UTF-8 is refused at import (so SVG and JSON stay well
# formed); a 510-byte layer name keeps its constants' names whole (no collision) and a
# message naming it keeps its reason.
cd "$SCRATCH" || exit 1
data="$ROOT/tests/data/reliability"
rel=tests/data/reliability
$MEMPLAN analyze "$data/report_markdown_html_name.json" --no-patch --db m.db >/dev/null
$MEMPLAN report --db m.db --run 1 --format markdown | grep -c '<b>'
$MEMPLAN report --db m.db --run 1 --format markdown | grep -o '&lt;b&gt;md&lt;/b&gt; \\`code\\`' | head -1
(cd "$ROOT" && $MEMPLAN render $rel/render_nonutf8_svg.json -o "$SCRATCH/bad.svg"); echo "render: exit $?"
(cd "$ROOT" && $MEMPLAN analyze $rel/render_nonutf8_svg.json --no-db --json >/dev/null); echo "analyze: exit $?"
ls
# weights and bias of the 510-byte layer: two whole names, no collision
$MEMPLAN convert "$data/layer_name_510.json" | grep -o 'e\{510\}/[a-z]*' | sed 's/e\{510\}/E510/' | sort
# the same name used twice: the message ends with its reason
python3 - "$data/layer_name_510.json" <<'PY' >twice.json
import json, sys
d = json.load(open(sys.argv[1]))
d["layers"].append(dict(d["layers"][0]))
json.dump(d, sys.stdout)
PY
$MEMPLAN analyze twice.json --no-db 2>&1 | sed 's/e\{20,\}/E.../g'
