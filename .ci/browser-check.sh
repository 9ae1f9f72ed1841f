#!/usr/bin/env bash
# Renders a kampung report in headless Chromium and checks it in a real browser.
#
#   .ci/browser-check.sh REPORT.html OUT.png
#
# Writes OUT.png (a 1400×4000 screenshot of the top of the page), OUT.png.dom.html
# (the DOM as the browser parsed it) and OUT.png.log (Chromium's log, with the page's
# console messages). Fails when the page logs a console error or an uncaught
# exception (any console message: the report has no scripts), refers to anything
# outside the page (the network is blocked anyway), or has a chart (an
# <svg class="chart ...">) without data marks in the parsed DOM.
# Needs Debian's `chromium` (apt-get install -y --no-install-recommends chromium).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 REPORT.html OUT.png" >&2
  exit 2
fi
report=$1
png=$2
[ -f "$report" ] || { echo "browser-check: $report: no such file" >&2; exit 2; }
command -v chromium >/dev/null 2>&1 || { echo "browser-check: chromium is not installed" >&2; exit 2; }

abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
url="file://$abs"
log=$png.log
dom=$png.dom.html
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

flags=(
  --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-dev-shm-usage --hide-scrollbars
  --user-data-dir="$profile"
  --enable-logging=stderr --v=0
  --window-size=1400,4000
  --host-resolver-rules="MAP * ~NOTFOUND"
  --virtual-time-budget=5000
)

rm -f "$png" "$log" "$dom"
# The screenshot, with the browser's log.
timeout 120 chromium "${flags[@]}" --screenshot="$png" "$url" >"$log" 2>&1 || {
  echo "browser-check: chromium failed to render $report (log: $log)" >&2
  tail -20 "$log" >&2
  exit 1
}
# The DOM as the browser parsed it (and ran it, were there scripts), in a second pass.
timeout 120 chromium "${flags[@]}" --dump-dom "$url" >"$dom" 2>>"$log" || {
  echo "browser-check: chromium failed to dump the DOM of $report (log: $log)" >&2
  exit 1
}

fail=0
[ -s "$png" ] || { echo "browser-check: no screenshot written" >&2; fail=1; }

# Console messages: the report has no scripts, so any console message (Chromium logs
# them as CONSOLE lines, errors and uncaught exceptions included) is a failure, as is
# a resource that failed to load.
if grep -nE 'CONSOLE|Uncaught|net::ERR_|Failed to load resource' "$log" >&2; then
  echo "browser-check: console messages while loading $report (above; log: $log)" >&2
  fail=1
fi

# Nothing loaded from elsewhere: no src/href/url() pointing off the page.
if grep -noE '(src|href|xlink:href)="(https?:)?//[^"]*"|url\((["'"'"'])?(https?:)?//' "$dom" >&2; then
  echo "browser-check: the page refers to external resources (above)" >&2
  fail=1
fi

# Every chart has data in the parsed DOM: count the charts, and the charts whose
# markup holds a data mark (a mean line, a band, a bar, a stage, a household).
charts=$(grep -o '<svg[^>]*class="chart[^"]*"' "$dom" | wc -l)
if [ "$charts" -eq 0 ]; then
  echo "browser-check: no charts in the rendered page" >&2
  fail=1
fi
empty=0
# One chart per line: split the DOM at each <svg and keep up to its </svg>.
while IFS= read -r chart; do
  case "$chart" in
    *'class="mean"'* | *'class="bar"'* | *'class="stage"'* | *'class="hh"'* ) ;;
    *) empty=$((empty + 1))
       echo "browser-check: a chart without data: ${chart:0:160}" >&2 ;;
  esac
done < <(tr '\n' ' ' <"$dom" | sed 's/<svg /\n<svg /g' | grep '^<svg[^>]*class="chart' | sed 's#</svg>.*#</svg>#')
[ "$empty" -eq 0 ] || fail=1

if [ "$fail" -eq 0 ]; then
  echo "browser-check: ok: $report rendered to $png ($charts charts, all with data, no console errors)"
fi
exit "$fail"
