#!/usr/bin/env bash
# Opens a tinstream report (report.html from 'tinstream demo' or 'tinstream report') in headless
# Chromium, as a person's browser would, and checks that every chart image on the page rendered;
# writes a screenshot of the whole page next to it (<page>-screenshot.png).
#
#   scripts/check-report.sh tinstream-report/report.html
#
# Exits 0 when all charts rendered, 1 when fewer did (or the page has none), 2 on bad usage or
# when no Chromium is installed (Debian: apt-get install -y chromium). CHROMIUM=/path overrides.
set -euo pipefail

die() {
  echo "check-report: $2" >&2
  exit "$1"
}

[ $# -eq 1 ] || die 2 "usage: $0 <report.html>"
[ -f "$1" ] || die 2 "no such file: $1"

chrome="${CHROMIUM:-}"
if [ -z "$chrome" ]; then
  for c in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$c" >/dev/null 2>&1; then
      chrome="$c"
      break
    fi
  done
fi
[ -n "$chrome" ] || die 2 "no Chromium found (tried chromium, chromium-browser, google-chrome); install it (Debian: apt-get install -y chromium) or set CHROMIUM=/path/to/chrome"

dir="$(cd "$(dirname "$1")" && pwd)"
name="$(basename "$1")"
expected="$(grep -o '<img ' "$dir/$name" | wc -l | tr -d ' ')"
[ "$expected" -gt 0 ] || die 1 "$1 has no <img>: not a tinstream report?"

# The report holds no script; a copy beside it (so that its relative image links resolve) gets a
# small one that, once the page loaded, writes into the DOM how many images decoded (at the width
# the page gives them) and how tall the page is. That each chart is not blank is HtmlReportTest's
# check (a PNG cut short still decodes in part here). --dump-dom prints that DOM. (No '&' in the script: sed's replacement would expand it.)
probe="$dir/.check-${name}"
trap 'rm -f "$probe"' EXIT
script='<script>addEventListener("load",function(){var im=document.images,n=0;for(var i=0;i<im.length;i++){var w=im[i].getAttribute("width");if(im[i].complete){if(im[i].naturalWidth>0){if(!w||im[i].naturalWidth==w)n++;}}}document.body.setAttribute("data-rendered",n);document.body.setAttribute("data-height",document.documentElement.scrollHeight);});</script>'
sed "s#</body>#${script}</body>#" "$dir/$name" >"$probe"

flags=(--headless --disable-gpu --no-sandbox --hide-scrollbars --virtual-time-budget=10000)
width=1520
dom="$("$chrome" "${flags[@]}" --window-size="$width,1000" --dump-dom "file://$probe" 2>/dev/null)" ||
  die 1 "$chrome failed to load $1"
rendered="$(sed -n 's/.*data-rendered="\([0-9]*\)".*/\1/p' <<<"$dom" | head -1)"
height="$(sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' <<<"$dom" | head -1)"
[ -n "$rendered" ] || die 1 "the page did not finish loading in Chromium (no load event seen)"

screenshot="$dir/${name%.html}-screenshot.png"
"$chrome" "${flags[@]}" --window-size="$width,${height:-2400}" --screenshot="$screenshot" \
  "file://$dir/$name" >/dev/null 2>&1 || die 1 "$chrome could not take the screenshot"
[ -s "$screenshot" ] || die 1 "no screenshot written to $screenshot"

if [ "$rendered" -lt "$expected" ]; then
  die 1 "only $rendered of $expected charts rendered in $1 (screenshot: $screenshot)"
fi
echo "check-report: $rendered of $expected charts rendered; screenshot $screenshot"
