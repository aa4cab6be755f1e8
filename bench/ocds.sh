#!/bin/bash
# bench/ocds.sh: OCDS import against jq over the same file, in one run.
#
#   bench/ocds.sh [N]               default: 100000 releases
#
# Generates a release package of N releases (bench/gen-ocds.py), then, in
# turn, RUNS times each: `jq -c '.releases[]' FILE > /dev/null` (jq only
# parses and prints; it stores nothing) and `contractctl import --format
# ocds FILE` into a fresh daemon and database (parse, map, stage, store,
# schedule, commit).  Prints the medians, the ratio and the daemon's peak
# resident memory; the results go to $OUT/ocds-N.txt.
#
# Environment: BUILDDIR (default the source tree), OUT (bench/results),
# RUNS (default 3), KEEP=1 keeps the work directory.  Needs jq
# (apt-get install jq) and python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
BUILDDIR=${BUILDDIR:-$src}
OUT=${OUT:-$here/results}
RUNS=${RUNS:-3}
N=${1:-100000}
CONTRACTD=$BUILDDIR/daemon/contractd
CTL=$BUILDDIR/ctl/contractctl
export TZ=Europe/London

die() { echo "ocds.sh: $*" >&2; exit 1; }
command -v jq >/dev/null || die "jq missing (apt-get install jq)"
for f in "$CONTRACTD" "$CTL" "$BUILDDIR/plugins/.libs/log.so"; do
	[ -e "$f" ] || die "$f missing: build the tree first (make)"
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/contractd-ocds-XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

python3 "$here/gen-ocds.py" "$N" >"$WORK/releases.json"
bytes=$(stat -c %s "$WORK/releases.json")

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

jq_once() {
	local t0=$(now_ns)
	jq -c '.releases[]' "$WORK/releases.json" >/dev/null
	echo $(( ($(now_ns) - t0) / 1000000 ))
}

import_once() {	# prints ms, and the daemon's peak RSS (KiB) to $WORK/rss
	local d=$WORK/run pid t0 ms i
	rm -rf "$d"; mkdir -p "$d"
	cat >"$d/contractd.conf" <<EOC
[daemon]
database = $d/contractd.db
socket = $d/control.sock
plugin_dir = $BUILDDIR/plugins/.libs
holidays = $src/etc/holidays.txt
timezone = Europe/London

[notifier log]
plugin = log
kinds = *
EOC
	"$CONTRACTD" -f -c "$d/contractd.conf" >>"$d/contractd.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 1000; i++)); do
		"$CTL" -s "$d/control.sock" ping >/dev/null 2>&1 && break
		sleep 0.01
	done
	t0=$(now_ns)
	"$CTL" -s "$d/control.sock" --json import --format ocds \
	    "$WORK/releases.json" >"$d/answer.json"
	ms=$(( ($(now_ns) - t0) / 1000000 ))
	awk '/VmHWM/ { print $2 }' "/proc/$pid/status" >"$WORK/rss"
	kill "$pid"; wait "$pid" || true
	echo "$ms"
}

jqs=(); imps=()
for ((r = 0; r < RUNS; r++)); do
	jqs+=("$(jq_once)")
	imps+=("$(import_once)")
done
jq_ms=$(printf '%s\n' "${jqs[@]}" | median)
imp_ms=$(printf '%s\n' "${imps[@]}" | median)
added=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["added"])' "$WORK/run/answer.json")
res=$OUT/ocds-$N.txt
{
	echo "commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo none)"
	echo "releases=$N"
	echo "bytes=$bytes"
	echo "contracts=$added"
	echo "jq_ms=$jq_ms (runs: ${jqs[*]})"
	echo "import_ms=$imp_ms (runs: ${imps[*]})"
	echo "ratio=$(awk -v a="$imp_ms" -v b="$jq_ms" 'BEGIN { printf "%.2f", a / b }')"
	echo "daemon_peak_rss_kib=$(cat "$WORK/rss")"
} | tee "$res"
