#!/bin/bash
# bench/run.sh: measures contractd against the targets of bench/README.md.
#
#   bench/run.sh [N ...]            default: 100000 1000000
#
# For each N: generates N contracts (bench/gen-contracts), imports them into
# a fresh daemon, then measures start to first answer, resident memory,
# agenda --days 30, simulate over a month and wake-ups while idle.
#
# Environment:
#   BUILDDIR    where daemon/contractd, ctl/contractctl and plugins/.libs
#               are (default: the source tree; run `make` there first)
#   OUT         directory for the results (default: bench/results)
#   IDLE_SECS   length of each idle measurement (default 60)
#   STARTS      daemon starts to measure, best and median kept (default 5)
#   RUNS        timed runs of agenda (default 20), after 3 warm-up runs
#   SIM_RUNS    timed runs of simulate (default 10), after 3 warm-up runs
#   IMPORTS     imports to time, each into a fresh daemon and database;
#               the median is reported, and every one (default 3)
#   SEED        generator seed (default 1)
#   PROFILE=1   also profile the daemon during import (perf, DWARF call
#               graphs) into $OUT/import-profile-N.txt
#   COLD=1      also measure a start with the page cache dropped (root)
#   KEEP=1      keep each N's work directory (database, CSV, logs)
#
# Needs bash, cc, python3 (for JSON), strace (idle wake-ups); uses hyperfine
# when installed (apt-get install hyperfine), else a best-of loop.
# The results: $OUT/N.txt (key=value) and $OUT/summary.md (a table).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
BUILDDIR=${BUILDDIR:-$src}
OUT=${OUT:-$here/results}
IDLE_SECS=${IDLE_SECS:-60}
STARTS=${STARTS:-5}
RUNS=${RUNS:-20}
SIM_RUNS=${SIM_RUNS:-10}
IMPORTS=${IMPORTS:-3}
SEED=${SEED:-1}
CONTRACTD=$BUILDDIR/daemon/contractd
CTL=$BUILDDIR/ctl/contractctl
PLUGINS=$BUILDDIR/plugins/.libs
HOLIDAYS=$src/etc/holidays.txt
GEN=$here/gen-contracts
export TZ=Europe/London

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

for f in "$CONTRACTD" "$CTL" "$PLUGINS/log.so"; do
	[ -e "$f" ] || die "$f missing: build the tree first (make)"
done
# A snapshot of the binaries, so that a rebuild during a long run cannot mix
# versions; the commit and whether the tree was clean go into the results.
SNAP=$(mktemp -d "${TMPDIR:-/tmp}/contractd-bench-bin-XXXXXX")
trap 'rm -rf "$SNAP"' EXIT
mkdir -p "$SNAP/plugins"
cp "$CONTRACTD" "$CTL" "$SNAP/"
cp "$PLUGINS"/*.so "$SNAP/plugins/"
CONTRACTD=$SNAP/contractd
CTL=$SNAP/contractctl
PLUGINS=$SNAP/plugins
chmod 755 "$SNAP"
REV=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
command -v python3 >/dev/null || die "python3 needed"
if [ ! -x "$GEN" ] || [ "$here/gen-contracts.c" -nt "$GEN" ] ||
    [ "$src/daemon/dates.c" -nt "$GEN" ]; then
	log "compiling gen-contracts"
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -I"$src/daemon" -o "$GEN" \
	    "$here/gen-contracts.c" "$src/daemon/dates.c"
fi
mkdir -p "$OUT"

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

# A field of /proc/PID/status, in kB or as a count.
proc_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# Voluntary plus involuntary context switches of every thread of PID.
ctxt_switches() {
	local t v=0 i=0
	for t in /proc/"$1"/task/*/status; do
		v=$((v + $(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "$t")))
		i=$((i + $(awk '$1 == "nonvoluntary_ctxt_switches:" { print $2 }' "$t")))
	done
	echo "$v $i"
}

json_get() {	# json_get EXPR < json: prints python expression on object j
	python3 -c 'import json,sys; j=json.load(sys.stdin); print('"$1"')'
}

write_config() {	# write_config DIR
	cat >"$1/contractd.conf" <<EOF
[daemon]
database = $1/contractd.db
socket = $1/control.sock
socket_mode = 0660
plugin_dir = $PLUGINS
holidays = $HOLIDAYS
timezone = Europe/London
alert_time = 09:00

[alerts]

[notifier log]
plugin = log
kinds = *
EOF
}

PID=
start_daemon() {	# start_daemon DIR [extra env...]: sets PID
	local dir=$1; shift
	env "$@" "$CONTRACTD" -f -c "$dir/contractd.conf" \
	    >>"$dir/contractd.log" 2>&1 &
	PID=$!
}

# Polls ping until it answers; prints the ms from $1 (ns) until then.
wait_ping() {	# wait_ping DIR T0
	local i
	for ((i = 0; i < 200000; i++)); do
		if "$CTL" -s "$1/control.sock" ping >/dev/null 2>&1; then
			ms_since "$2"
			return 0
		fi
		kill -0 "$PID" 2>/dev/null || die "contractd died: $(tail -5 "$1/contractd.log")"
	done
	die "contractd did not answer"
}

stop_daemon() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" || die "contractd exited $? (see its log)"
	PID=
}

cleanup() {
	if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" || true; fi
	if [ -n "${WORK:-}" ] && [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; fi
	rm -rf "$SNAP"
}
trap cleanup EXIT

# Waits until the outbox has nothing pending or in flight.
wait_outbox() {	# wait_outbox DIR
	local i s
	for ((i = 0; i < 600; i++)); do
		s=$("$CTL" -s "$1/control.sock" --json status |
		    json_get 'j["outbox"]["pending"] + j["in_flight"]')
		[ "$s" = 0 ] && return 0
		sleep 1
	done
	die "outbox not drained after 10 minutes"
}

# daemon_cpu NAME K CMD...: the daemon's CPU time (user + system) per run
# of CMD over K runs, into R[NAME_daemon_cpu_ms]: the part of a query's time
# spent in contractd rather than in contractctl.
daemon_cpu() {
	local name=$1 k=$2 a b i; shift 2
	a=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
	for ((i = 0; i < k; i++)); do "$@" >/dev/null; done
	b=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
	R[${name}_daemon_cpu_ms]=$(( (b - a) * 1000 / $(getconf CLK_TCK) / k ))
}

# time_cmd NAME CMD...: mean/median/min ms of RUNS runs, into R[NAME_*].
declare -A R
time_cmd() {
	local name=$1 runs=$2; shift 2
	local ms t0 i
	if command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 3 --runs "$runs" --style none \
		    --export-json "$WORK/$name.json" -- "$*" >/dev/null 2>&1 ||
		    hyperfine --warmup 3 --runs "$runs" --style none \
		    --export-json "$WORK/$name.json" -- "$*" >/dev/null
		read -r R[${name}_mean] R[${name}_median] R[${name}_min] R[${name}_max] < <(
		    json_get '" ".join("%.1f" % (1000 * j["results"][0][k]) for k in ("mean", "median", "min", "max"))' \
		    <"$WORK/$name.json")
		R[${name}_tool]=hyperfine
	else
		"$@" >/dev/null; "$@" >/dev/null; "$@" >/dev/null
		: >"$WORK/$name.times"
		for ((i = 0; i < runs; i++)); do
			t0=$(now_ns)
			"$@" >/dev/null
			echo $(( $(now_ns) - t0 )) >>"$WORK/$name.times"
		done
		read -r R[${name}_mean] R[${name}_median] R[${name}_min] R[${name}_max] < <(
		    python3 -c 'import sys,statistics as s; v=[int(l)/1e6 for l in open(sys.argv[1])]; print("%.1f %.1f %.1f %.1f" % (s.mean(v), s.median(v), min(v), max(v)))' "$WORK/$name.times")
		R[${name}_tool]="date +%s%N loop"
	fi
}

# pinger DIR: pings every 50 ms until killed, one latency in ms a line.
pinger() {
	local t0
	while :; do
		t0=$(now_ns)
		"$CTL" -s "$1/control.sock" ping >/dev/null 2>&1 || echo fail
		ms_since "$t0"
		sleep 0.05
	done
}

bench_one() {
	local n=$1 t0 ms i starts=() today month next
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/contractd-bench-$n-XXXXXX")
	chmod 755 "$WORK"
	R=()
	R[n]=$n
	R[rev]=$REV
	R[date]=$(date -u +%FT%TZ)
	FAKE_OFFSET=0
	write_config "$WORK"
	today=$(date +%F)
	month=$(date -d "$today +1 month" +%F)

	log "N=$n: generating $WORK/contracts.csv"
	t0=$(now_ns)
	"$GEN" -n "$n" -s "$SEED" -r "$today" -o "$WORK/contracts.csv"
	R[gen_ms]=$(ms_since "$t0")
	R[csv_bytes]=$(stat -c %s "$WORK/contracts.csv")

	# The generator's file on disk first: its write-back would compete
	# with the import's own writes.
	sync

	# Import into an empty database, IMPORTS times; the last one stays.
	local times=()
	for ((i = 1; i <= IMPORTS; i++)); do
		rm -f "$WORK"/contractd.db*
		start_daemon "$WORK"
		R[start_empty_ms]=$(wait_ping "$WORK" "$(now_ns)")
		log "N=$n: importing (${R[csv_bytes]} bytes), $i of $IMPORTS"
		if [ -n "${PROFILE:-}" ] && [ "$i" -eq "$IMPORTS" ] &&
		    command -v perf >/dev/null; then
			# DWARF unwinding: Debian's libsqlite3 has no frame
			# pointers.
			perf record -F 49 --call-graph dwarf,16384 \
			    -o "$WORK/import.perf" -p "$PID" >/dev/null 2>&1 &
			local perfpid=$!
			sleep 0.5
		fi
		pinger "$WORK" >"$WORK/pings.txt" &
		local pingpid=$!
		t0=$(now_ns)
		"$CTL" -s "$WORK/control.sock" import "$WORK/contracts.csv" \
		    >"$WORK/import.out"
		ms=$(ms_since "$t0")
		kill "$pingpid" 2>/dev/null; wait "$pingpid" 2>/dev/null || true
		read -r R[ping_during_n] R[ping_during_max_ms] \
		    R[ping_during_over_100] < <(awk '{ n++; if ($1 > m) m = $1;
		    if ($1 > 100) o++ } END { print n + 0, m + 0, o + 0 }' \
		    "$WORK/pings.txt")
		log "N=$n: ${R[ping_during_n]} pings during the import, the slowest ${R[ping_during_max_ms]} ms, ${R[ping_during_over_100]} over 100 ms"
		times+=("$ms")
		log "N=$n: imported in $ms ms: $(cat "$WORK/import.out")"
		[ "$i" -lt "$IMPORTS" ] && stop_daemon
	done
	if [ -n "${perfpid:-}" ]; then
		kill -INT "$perfpid"; wait "$perfpid" || true
		perf report -i "$WORK/import.perf" --children --stdio -g none \
		    --percent-limit 0.5 2>/dev/null |
		    grep -vE '^#|^$|\] 0x0000' >"$OUT/import-profile-$n.txt" || true
		rm -f "$WORK/import.perf"
		unset perfpid
	fi
	R[import_runs_ms]=$(printf '%s\n' "${times[@]}" | sort -n | paste -sd ' ')
	R[import_ms]=$(printf '%s\n' "${times[@]}" | sort -n |
	    sed -n "$(( (IMPORTS + 1) / 2 ))p")
	R[import_per_s]=$(( n * 1000 / (R[import_ms] > 0 ? R[import_ms] : 1) ))
	R[import_result]=$(cat "$WORK/import.out")
	R[import_hwm_kb]=$(proc_field "$PID" VmHWM)
	log "N=$n: imports took ${R[import_runs_ms]} ms: median ${R[import_ms]} ms"
	wait_outbox "$WORK"
	stop_daemon
	R[db_bytes]=$(du -cb "$WORK"/contractd.db* | tail -1 | cut -f1)

	# Start to first answer with the page cache dropped (root only), and
	# the first agenda after it, which reads the database from disk.
	if [ -n "${COLD:-}" ]; then
		sync
		if echo 3 2>/dev/null >/proc/sys/vm/drop_caches; then
			t0=$(now_ns)
			start_daemon "$WORK"
			R[start_cold_ms]=$(wait_ping "$WORK" "$t0")
			t0=$(now_ns)
			"$CTL" -s "$WORK/control.sock" --json agenda --days 30 >/dev/null
			R[agenda_cold_ms]=$(ms_since "$t0")
			log "N=$n: cold start to first answer ${R[start_cold_ms]} ms, first agenda ${R[agenda_cold_ms]} ms"
			stop_daemon
		else
			log "N=$n: cannot drop the page cache: no cold start"
		fi
	fi

	# Start to first answer: STARTS times, page cache warm.
	for ((i = 0; i < STARTS; i++)); do
		t0=$(now_ns)
		start_daemon "$WORK"
		starts+=("$(wait_ping "$WORK" "$t0")")
		if [ "$i" -eq 0 ]; then
			R[rss_first_answer_kb]=$(proc_field "$PID" VmRSS)
			R[hwm_first_answer_kb]=$(proc_field "$PID" VmHWM)
		fi
		[ "$i" -eq $((STARTS - 1)) ] || stop_daemon
	done
	read -r R[start_min_ms] R[start_median_ms] R[start_max_ms] < <(
	    printf '%s\n' "${starts[@]}" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)], v[NR] }')
	log "N=$n: start to first answer: ${starts[*]} ms"
	sleep 2	# the start-up catch-up pass, if any, is done by now
	R[rss_settled_kb]=$(proc_field "$PID" VmRSS)
	R[hwm_settled_kb]=$(proc_field "$PID" VmHWM)

	# agenda and simulate.
	R[agenda_rows]=$("$CTL" -s "$WORK/control.sock" --json agenda --days 30 | wc -l)
	R[agenda_bytes]=$("$CTL" -s "$WORK/control.sock" --json agenda --days 30 | wc -c)
	time_cmd agenda "$RUNS" "$CTL" -s "$WORK/control.sock" --json agenda --days 30
	daemon_cpu agenda 5 "$CTL" -s "$WORK/control.sock" --json agenda --days 30
	log "N=$n: agenda --days 30: median ${R[agenda_median]} ms (${R[agenda_rows]} lines)"
	R[simulate_rows]=$("$CTL" -s "$WORK/control.sock" --json simulate --from "$today" --to "$month" | wc -l)
	time_cmd simulate "$SIM_RUNS" "$CTL" -s "$WORK/control.sock" --json simulate --from "$today" --to "$month"
	daemon_cpu simulate 2 "$CTL" -s "$WORK/control.sock" --json simulate --from "$today" --to "$month"
	log "N=$n: simulate $today..$month: median ${R[simulate_median]} ms (${R[simulate_rows]} lines)"
	R[rss_after_queries_kb]=$(proc_field "$PID" VmRSS)
	R[hwm_after_queries_kb]=$(proc_field "$PID" VmHWM)

	# Idle: nothing may be due during the measurement.
	idle_check "$WORK"
	if [ "${R[idle_ok]}" != yes ]; then
		log "N=$n: an alert is due within the idle window: restarting under faketime"
		stop_daemon
		start_daemon "$WORK" LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
		    FAKETIME="@$today 03:00:00" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1
		FAKE_OFFSET=$(( $(date -d "$today 03:00:00" +%s) - $(date +%s) ))
		wait_ping "$WORK" "$(now_ns)" >/dev/null
		sleep 2
		R[idle_faketime]="$today 03:00:00"
		idle_check "$WORK"
	fi
	log "N=$n: idle for ${IDLE_SECS}s (next alert ${R[next_alert]}): context switches"
	local c0 c1
	c0=$(ctxt_switches "$PID")
	sleep "$IDLE_SECS"
	c1=$(ctxt_switches "$PID")
	R[idle_vol_ctxt]=$(( ${c1% *} - ${c0% *} ))
	R[idle_invol_ctxt]=$(( ${c1#* } - ${c0#* } ))
	if command -v strace >/dev/null; then
		log "N=$n: idle for ${IDLE_SECS}s: strace"
		timeout -s INT "$IDLE_SECS" strace -f -qq -tt -p "$PID" \
		    -o "$WORK/idle.strace" || true
		# The call strace interrupts on attach shows as resumed; count
		# the calls that return, and every syscall.
		R[idle_epoll_returns]=$(grep -cE 'epoll_(p?wait2?)\(.*\) = [0-9]' "$WORK/idle.strace" || true)
		R[idle_syscalls]=$(grep -cvE 'unfinished|detached|resumed' "$WORK/idle.strace" || true)
		cp "$WORK/idle.strace" "$OUT/idle-$n.strace"
	fi
	R[threads]=$(proc_field "$PID" Threads)
	stop_daemon

	{
		local k
		for k in "${!R[@]}"; do printf '%s=%s\n' "$k" "${R[$k]}"; done | sort
	} >"$OUT/$n.txt"
	cp "$WORK/contractd.log" "$OUT/contractd-$n.log" 2>/dev/null || true
	log "N=$n: done: $OUT/$n.txt"
	[ -n "${KEEP:-}" ] && log "N=$n: kept $WORK" || rm -rf "$WORK"
	WORK=
}

idle_check() {	# sets R[next_alert], R[idle_ok]
	local st now next
	st=$("$CTL" -s "$1/control.sock" --json status)
	R[next_alert]=$(json_get 'j.get("next_alert")' <<<"$st")
	R[outbox_pending]=$(json_get 'j["outbox"]["pending"] + j["in_flight"]' <<<"$st")
	now=$(( $(date +%s) + FAKE_OFFSET ))	# the daemon's clock
	if [ "${R[next_alert]}" = None ]; then
		next=$((now + 10 * IDLE_SECS))
	else
		next=$(date -d "${R[next_alert]}" +%s)
	fi
	if [ "${R[outbox_pending]}" = 0 ] && [ $((next - now)) -gt $((2 * IDLE_SECS + 30)) ]; then
		R[idle_ok]=yes
	else
		R[idle_ok]=no
	fi
}

for n in "${sizes[@]}"; do
	bench_one "$n"
done

# The summary table.
val() { local v; v=$(sed -n "s/^$2=//p" "$OUT/$1.txt"); echo "${v:--}"; }
mb() { local v; v=$(val "$1" "$2"); [ "$v" != - ] && echo $((v / 1024)) || echo -; }
{
	echo "| N | import: median (all) | contracts/s | start to first answer: median (min), cold | RSS / HWM at first answer | RSS / HWM after queries | agenda --days 30: median (daemon CPU) | simulate 1 month: median (daemon CPU) | idle ${IDLE_SECS} s: epoll returns, ctxt switches |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for n in "${sizes[@]}"; do
		printf '| %s | %s ms (%s) | %s | %s (%s) ms, %s ms | %s / %s MB | %s / %s MB | %s ms (%s ms), %s lines | %s ms (%s ms), %s lines | %s, %s |\n' \
		    "$n" "$(val "$n" import_ms)" "$(val "$n" import_runs_ms)" \
		    "$(val "$n" import_per_s)" \
		    "$(val "$n" start_median_ms)" "$(val "$n" start_min_ms)" \
		    "$(val "$n" start_cold_ms)" \
		    "$(mb "$n" rss_first_answer_kb)" "$(mb "$n" hwm_first_answer_kb)" \
		    "$(mb "$n" rss_after_queries_kb)" "$(mb "$n" hwm_after_queries_kb)" \
		    "$(val "$n" agenda_median)" "$(val "$n" agenda_daemon_cpu_ms)" \
		    "$(val "$n" agenda_rows)" \
		    "$(val "$n" simulate_median)" "$(val "$n" simulate_daemon_cpu_ms)" \
		    "$(val "$n" simulate_rows)" \
		    "$(val "$n" idle_epoll_returns)" \
		    "$(( $(val "$n" idle_vol_ctxt) + $(val "$n" idle_invol_ctxt) ))"
	done
} | tee "$OUT/summary.md"
