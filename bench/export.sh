#!/bin/bash
# bench/export.sh: CSV export of N contracts beside sqlite3 -csv over the
# same rows, in one run.
#
#   bench/export.sh [N]            default: 1000000
#
# Generates N contracts (bench/gen-contracts), imports them into a fresh
# daemon, then times `contractctl export` to a file and `sqlite3 -csv
# -header` selecting the same columns in the same order from the
# daemon's database (the daemon stopped, so that both read a quiet
# file), and prints the ratio, the row counts and the peak RSS of the
# client and of the daemon.  BUILDDIR and SEED as for run.sh; KEEP=1
# keeps the work directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
BUILDDIR=${BUILDDIR:-$src}
SEED=${SEED:-1}
N=${1:-1000000}
CONTRACTD=$BUILDDIR/daemon/contractd
CTL=$BUILDDIR/ctl/contractctl
GEN=$here/gen-contracts
export TZ=Europe/London

die() { echo "export.sh: $*" >&2; exit 1; }
for f in "$CONTRACTD" "$CTL"; do
	[ -x "$f" ] || die "$f missing: build the tree first (make)"
done
command -v sqlite3 >/dev/null || die "sqlite3 needed (apt-get install sqlite3)"
if [ ! -x "$GEN" ] || [ "$here/gen-contracts.c" -nt "$GEN" ]; then
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -I"$src/daemon" -o "$GEN" \
	    "$here/gen-contracts.c" "$src/daemon/dates.c"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/contractd-export-XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || kill "$PID" 2>/dev/null || true
	[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
cat >"$WORK/contractd.conf" <<CONF
[daemon]
database = $WORK/contractd.db
socket = $WORK/control.sock
plugin_dir = $BUILDDIR/plugins/.libs
[notifier log]
plugin = log
kinds = expired
CONF
now_ns() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
rss_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"; }

"$GEN" -n "$N" -s "$SEED" -o "$WORK/in.csv"
"$CONTRACTD" -f -c "$WORK/contractd.conf" >"$WORK/contractd.log" 2>&1 &
PID=$!
for _ in $(seq 1 500); do
	"$CTL" -s "$WORK/control.sock" ping >/dev/null 2>&1 && break
	sleep 0.02
done
"$CTL" -s "$WORK/control.sock" import "$WORK/in.csv" >/dev/null
rss0=$(rss_kb "$PID")

t0=$(now_ns)
/usr/bin/env time -f "%M" -o "$WORK/ctl.rss" \
    "$CTL" -s "$WORK/control.sock" export >"$WORK/export.csv"
t1=$(now_ns)
rss1=$(rss_kb "$PID")
kill "$PID"; wait "$PID" || true; PID=

cols=$(head -1 "$WORK/export.csv" | tr -d '\r')
t2=$(now_ns)
sqlite3 -csv -header "$WORK/contractd.db" \
    "SELECT $cols FROM contracts ORDER BY ref" >"$WORK/sqlite.csv"
t3=$(now_ns)

e=$(ms "$t0" "$t1"); s=$(ms "$t2" "$t3")
echo "contracts         $N"
echo "export rows       $(( $(wc -l <"$WORK/export.csv") - 1 ))"
echo "sqlite3 rows      $(( $(wc -l <"$WORK/sqlite.csv") - 1 ))"
echo "export            $e ms, $(wc -c <"$WORK/export.csv") bytes"
echo "sqlite3 -csv      $s ms, $(wc -c <"$WORK/sqlite.csv") bytes"
echo "ratio             $(awk -v a="$e" -v b="$s" 'BEGIN { printf "%.2f", a / (b ? b : 1) }')"
echo "client peak RSS   $(cat "$WORK/ctl.rss") kB"
echo "daemon peak RSS   $rss0 kB after the import, $rss1 kB after the export"
echo "tree              $(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)"
