#!/bin/bash
# bench/delivery/run.sh: webhook delivery throughput of contractd beside
# `curl --parallel` posting the same bodies to the same local receiver.
#
#   bench/delivery/run.sh [N ...]          default: 1000 10000
#
# For each N, each cap in CAPS, RUNS times, three measurements against one
# local sink (receiver.c: epoll, answers 200 at once, counts POSTs and the
# connections that carried them, answers a long poll when it has N):
#
#  import   a fresh daemon in a temp directory, one webhook channel
#           (kinds = term_end, format generic, signed, no log channel,
#           `[daemon] max_transfers = cap`); `contractctl import` of N
#           contracts whose term_end/30 alert is past while their end date
#           is ahead, so all N deliveries are due at the same instant.
#           Rate: N / (import's answer -> N-th POST at the receiver).  Also:
#           when `status` shows outbox delivered == N (polled every 50 ms
#           once the receiver has all N); the daemon's time on a CPU,
#           waiting for one and blocked (/proc/PID/schedstat); the whole
#           machine's busy CPU time; VmRSS and VmHWM (VmHWM is reset through
#           /proc/PID/clear_refs at the import's answer, so that it is the
#           delivery phase's peak).
#  restart  the same N deliveries, enqueued by an import into a daemon that
#           points at a receiver that never answers, then stopped (they
#           stay pending); a fresh daemon pointed at the real receiver then
#           finds all N due at start.  Rate: N / (spawn -> N-th POST);
#           VmHWM here is the whole process's peak with no import in it:
#           the memory of delivering a backlog of N.  With perf, the daemon
#           runs under `perf stat` counting fdatasync/fsync, epoll_wait
#           (loop turns), pwrite64, pread64 and connect; bytes written come
#           from /proc/PID/io.
#  curl     curl --parallel --parallel-max cap -K cfg: N POSTs of the
#           daemon's own generic payload (captured at the receiver, one per
#           contract with its ref changed) with the daemon's headers.
#           Rate: N / wall time of the curl process.
# Every rate also exists as (N-1) / (first POST -> last POST), which leaves
# out curl's reading of its config and the daemon's start.  The three are
# interleaved, and before each the script waits (QUIET_MAX s at most) for
# a second in which other processes kept the CPUs busy for at most QUIET
# CPU-seconds: the runs share the machine with whatever else runs there.
#
# Environment:
#   BUILDDIR   where daemon/contractd, ctl/contractctl, plugins/.libs are
#              (default: the source tree; run `make -j2` there first)
#   CAPS       values of max_transfers and --parallel-max (default "16 64")
#   RUNS       runs of each configuration; medians are reported (3)
#   MODES      measurements to make (default "import restart curl")
#   OUT        results directory (default bench/delivery/results)
#   TMPBASE    where work directories go (default /var/tmp, a real disk as
#              /var/lib/contractd would be; on tmpfs fsync costs nothing)
#   TIMEOUT    seconds one run may take before it is abandoned (600)
#   QUIET      CPU-seconds per second of other work that count as quiet
#              (0.15); QUIET_MAX: seconds to wait for quiet (30)
#   SYSCOUNT=0 do not count the daemon's syscalls with `perf stat`
#   PROFILE=1  `perf record --call-graph dwarf` of the daemon during the
#              last import run of each configuration: $OUT/perf-N-cap.txt
#              (it slows that run: profile apart from measuring, and with
#              N large enough, 10000, for perf to attach in time)
#   STRACE=1   `strace -c -w -f` of the same: $OUT/strace-N-cap.txt
#   KEEP=1     keep the work directory
#
# Needs bash, cc, curl, python3; uses wrk (apt-get install wrk) when
# present to show the receiver alone is far faster than both, and perf
# (apt-get install linux-perf) for the syscall counts.
# Results: $OUT/runs.tsv (every run), $OUT/summary.md (medians).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
BUILDDIR=${BUILDDIR:-$src}
CAPS=${CAPS:-"16 64"}
RUNS=${RUNS:-3}
MODES=${MODES:-"import restart curl"}
OUT=${OUT:-$here/results}
TMPBASE=${TMPBASE:-/var/tmp}
TIMEOUT=${TIMEOUT:-600}
CONTRACTD=$BUILDDIR/daemon/contractd
CTL=$BUILDDIR/ctl/contractctl
PLUGINS=$BUILDDIR/plugins/.libs
HOLIDAYS=$src/etc/holidays.txt
export TZ=Europe/London

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
has_mode() { [[ " $MODES " == *" $1 "* ]]; }

for f in "$CONTRACTD" "$CTL" "$PLUGINS/webhook.so"; do
	[ -e "$f" ] || die "$f missing: build the tree first (make -j2)"
done
# a pyenv shim costs half a second a call: prefer the system's python
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 ||
	true)}
[ -n "$PYTHON" ] || die "python3 needed"
for c in cc curl; do
	command -v $c >/dev/null || die "$c needed"
done
SYSCOUNT=${SYSCOUNT:-1}
if [ "$SYSCOUNT" = 1 ] && ! perf stat -e syscalls:sys_enter_fdatasync \
    -o /dev/null true >/dev/null 2>&1; then
	SYSCOUNT=0
fi
mkdir -p "$OUT"
work=$(mktemp -d "$TMPBASE/contractd-bench-delivery.XXXXXX")
chmod 755 "$work"

# Everything started here is stopped on the way out, by its pid.
rcv_pid=
hole_pid=
dmn_pid=
dmn_wrap=
prof_pid=
cleanup() {
	local p
	[ -z "$hole_pid" ] || kill -CONT "$hole_pid" 2>/dev/null || true
	for p in $prof_pid $dmn_pid $dmn_wrap $hole_pid $rcv_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $prof_pid $dmn_pid $dmn_wrap $hole_pid $rcv_pid; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		log "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A copy of the binaries: a rebuild of the tree during the runs must not
# change (or remove) what is measured.
mkdir -p "$work/bin/plugins"
cp "$CONTRACTD" "$CTL" "$work/bin/"
cp "$PLUGINS"/*.so "$work/bin/plugins/"
CONTRACTD=$work/bin/contractd
CTL=$work/bin/contractctl
PLUGINS=$work/bin/plugins

now_ns() { date +%s%N; }

log "compiling the receiver"
${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$work/receiver" \
	"$here/receiver.c"

# rcv_start PORTFILE: starts a receiver, prints its pid
rcv_start() {
	"$work/receiver" -P "$1" -c "$1.capture" >/dev/null &
	echo $!
	for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done
	die "the receiver did not start"
}
rcv_pid=$(rcv_start "$work/port")
base="http://127.0.0.1:$(cat "$work/port")"
url="$base/hook"
capture="$work/port.capture"
# The black hole: a receiver that is stopped, so that the kernel accepts
# connections and requests for it but nothing ever answers.
hole_pid=$(rcv_start "$work/hole")
kill -STOP "$hole_pid"
hole_url="http://127.0.0.1:$(cat "$work/hole")/hook"

rcv_reset() { curl -sf -X POST "$base/reset" -o /dev/null; }
rcv_stat() {	# rcv_stat FIELD: a number from /stats
	curl -sf "$base/stats" | grep -o "\"$1\":[0-9]*" | cut -d: -f2
}
# rcv_wait N WHAT: returns when the receiver has counted N POSTs (a long
# poll: nothing polls, nothing takes CPU from the run meanwhile)
rcv_wait() {
	curl -sf --max-time "$TIMEOUT" "$base/wait/$1" >/dev/null ||
		die "$2: $(rcv_stat count) of $1 POSTs after ${TIMEOUT}s"
}

# --- the receiver alone ---------------------------------------------------
wrk_rate=-
if command -v wrk >/dev/null; then
	log "the receiver alone: wrk -t1 -c16 -d5s, ~1 KB POST bodies"
	cat >"$work/post.lua" <<-'EOF'
	wrk.method = "POST"
	wrk.body = string.rep("x", 1000)
	wrk.headers["Content-Type"] = "application/json"
	EOF
	wrk -t1 -c16 -d5s -s "$work/post.lua" "$url" >"$OUT/wrk.txt" 2>&1 ||
		true
	wrk_rate=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/wrk.txt")
	log "receiver alone: $wrk_rate req/s"
fi

# --- the disk -------------------------------------------------------------
# fsync_probe: median fdatasync latency (ms) of a 4 KiB write in $work
fsync_probe() {
	"$PYTHON" - "$work/fsync-probe" <<-'EOF'
	import os, statistics, sys, time
	fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
	ts = []
	for i in range(200):
	    os.pwrite(fd, b"x" * 4096, (i % 64) * 4096)
	    t = time.perf_counter()
	    os.fdatasync(fd)
	    ts.append(time.perf_counter() - t)
	os.close(fd)
	os.unlink(sys.argv[1])
	print("%.2f" % (statistics.median(ts) * 1e3))
	EOF
}
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $(git -C "$src" rev-parse --short HEAD 2>/dev/null ||
		echo -)$(git -C "$src" diff --quiet -- daemon plugins \
		2>/dev/null || echo ' (daemon/ or plugins/ modified)')"
	echo "nproc: $(nproc)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' \
		/proc/cpuinfo)"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' \
		/proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "filesystem of $TMPBASE: $(df -T "$TMPBASE" | awk 'NR == 2 {
		print $2 }')"
	echo "curl: $(curl --version | head -1)"
	echo "sqlite: $("$PYTHON" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"
fsync_before=$(fsync_probe)
log "fdatasync of 4 KiB in $TMPBASE: $fsync_before ms (median of 200)"

# --- the daemon -----------------------------------------------------------
proc_kb() {	# proc_kb PID FIELD: VmRSS, VmHWM in kB
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
proc_sched() {	# proc_sched PID: "ns on a CPU, ns waiting for one, now in ns"
	echo "$(cut -d' ' -f1,2 "/proc/$1/schedstat") $(now_ns)"
}
# sys_busy: CPU time (s) the whole machine has been busy, all CPUs: user,
# nice, system, irq, softirq (not idle, iowait, steal)
sys_busy() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {
	    printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat
}
# wait_quiet: waits, at most QUIET_MAX s, for a second in which the
# machine's CPUs were busy for at most QUIET CPU-seconds (other sessions'
# work skews a run); sets bg_busy to what the last second saw.
QUIET=${QUIET:-0.15}
QUIET_MAX=${QUIET_MAX:-30}
wait_quiet() {
	local a b
	for _ in $(seq "$QUIET_MAX"); do
		a=$(sys_busy)
		sleep 1
		b=$(sys_busy)
		bg_busy=$(echo "$a $b" | awk '{ printf "%.2f", $2 - $1 }')
		awk -v x="$bg_busy" -v q="$QUIET" 'BEGIN { exit !(x <= q) }' &&
			return 0
	done
	log "busy machine ($bg_busy CPU-s/s from elsewhere): measuring anyway"
}
bg_busy=-

# sched_delta "BEFORE" "AFTER": "cpu_s runq_s blocked_s" in between
sched_delta() {
	echo "$1 $2" | awk '{ c = $4 - $1; r = $5 - $2; w = $6 - $3
	    printf "%.2f %.2f %.2f", c / 1e9, r / 1e9, (w - c - r) / 1e9 }'
}

# dmn_config DIR CAP URL
dmn_config() {
	cat >"$1/contractd.conf" <<-EOF
	[daemon]
	database = $1/contractd.db
	socket = $1/control.sock
	plugin_dir = $PLUGINS
	holidays = $HOLIDAYS
	timezone = Europe/London
	alert_time = 09:00
	max_transfers = $2

	[alerts]
	term_end = 30

	[notifier hook]
	plugin = webhook
	kinds = term_end
	format = generic
	url = $3
	secret_file = $1/hook.secret
	timeout = 30
	connect_timeout = 5
	EOF
}

# dmn_start DIR [count]: starts contractd on DIR's config, waits for its
# answer; with "count" (and perf), under `perf stat` counting its syscalls
# into $work/sys.csv: dmn_pid is then the daemon, dmn_wrap perf.
dmn_start() {
	if [ "${2:-}" = count ] && [ "$SYSCOUNT" = 1 ]; then
		perf stat -x, -o "$work/sys.csv" \
		    -e syscalls:sys_enter_fdatasync \
		    -e syscalls:sys_enter_fsync \
		    -e syscalls:sys_enter_epoll_wait \
		    -e syscalls:sys_enter_pwrite64 \
		    -e syscalls:sys_enter_pread64 \
		    -e syscalls:sys_enter_connect \
		    -- "$CONTRACTD" -f -c "$1/contractd.conf" \
		    >>"$1/contractd.log" 2>&1 &
		dmn_wrap=$!
		dmn_pid=
		for _ in $(seq 100); do
			dmn_pid=$(pgrep -P "$dmn_wrap" -x contractd || true)
			[ -z "$dmn_pid" ] || break
			sleep 0.02
		done
		[ -n "$dmn_pid" ] || die "contractd under perf stat: no pid"
	else
		"$CONTRACTD" -f -c "$1/contractd.conf" >>"$1/contractd.log" 2>&1 &
		dmn_pid=$!
	fi
	for _ in $(seq 200); do
		"$CTL" -s "$1/control.sock" ping >/dev/null 2>&1 && return 0
		kill -0 "$dmn_pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "$1/contractd.log" >&2
	die "the daemon did not start"
}

dmn_stop() {
	local rc=0
	[ -n "$dmn_pid" ] || return 0
	kill -TERM "$dmn_pid" 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$dmn_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$dmn_pid" 2>/dev/null || true
	wait "${dmn_wrap:-$dmn_pid}" || rc=$?
	dmn_pid=
	dmn_wrap=
	[ $rc = 0 ] || log "contractd exited $rc"
}

# dmn_fresh DIR CAP URL: a new work directory with its config and secret
dmn_fresh() {
	rm -rf "$1"
	mkdir -p "$1"
	dmn_config "$1" "$2" "$3"
	# the Standard Webhooks secret: as in production, requests are signed
	echo "whsec_$(head -c 32 /dev/urandom | base64 -w0)" >"$1/hook.secret"
	chmod 600 "$1/hook.secret"
}

# dmn_import DIR N: imports N contracts, checks that N alerts fired
dmn_import() {
	local got fired
	got=$("$CTL" -s "$1/control.sock" --json import "$work/c$2.csv") ||
		die "import failed: $got"
	fired=$(echo "$got" | grep -o '"fired":[0-9]*' | cut -d: -f2)
	[ "$fired" -ge "$2" ] || die "import fired $fired alerts, not $2"
}

# dmn_delivered DIR N: polls status every 50 ms until delivered == N
dmn_delivered() {
	local delivered=0
	for _ in $(seq $(( TIMEOUT * 20 ))); do
		delivered=$("$CTL" -s "$1/control.sock" --json status |
			grep -o '"delivered":[0-9]*' | cut -d: -f2)
		[ "$delivered" -lt "$2" ] || break
		sleep 0.05
	done
	[ "$delivered" = "$2" ] || die "outbox delivered $delivered, not $2"
}

# sys_counts: "FSYNCS LOOP_TURNS PWRITES PREADS CONNECTS" from $work/sys.csv
sys_counts() {
	if [ "$SYSCOUNT" != 1 ] || [ ! -s "$work/sys.csv" ]; then
		echo "- - - - -"
		return 0
	fi
	awk -F, '/sys_enter_f/ { s += $1 } /epoll_wait/ { e = $1 }
	    /pwrite64/ { w = $1 } /pread64/ { r = $1 } /connect/ { c = $1 }
	    END { print s + 0, e + 0, w + 0, r + 0, c + 0 }' "$work/sys.csv"
}

# row WHO N CAP RUN T0 END FIRST LAST DONE CONNS "CPU_S RUNQ_S BLOCKED_S"
#     "SYSCOUNTS" WBYTES MACHINE_BUSY_S RSS0 HWM0 RSS1 HWM1: one line of
#     $tsv, with $bg_busy last.  Times in ns: T0 the start, END the
#     end, FIRST and LAST the first and last POST at the receiver, DONE
#     when the outbox said delivered == N (or -).
row() {
	"$PYTHON" - "$@" "$bg_busy" >>"$tsv" <<-'EOF'
	import sys
	who, n, cap, run = sys.argv[1:5]
	bg = sys.argv[19]
	t0, end, first, last = map(int, sys.argv[5:9])
	done, conns, cpu, sysc, wbytes, busy = sys.argv[9:15]
	rss0, hwm0, rss1, hwm1 = sys.argv[15:19]
	fs, turns, pw, pr, cn = sysc.split()
	cpu, runq, blocked = cpu.split()
	n = int(n)
	secs = (end - t0) / 1e9
	span = (last - first) / 1e9
	done = "%.3f" % ((int(done) - t0) / 1e9) if done != "-" else "-"
	print("\t".join([who, str(n), cap, run, "%.0f" % (n / secs),
	      "%.0f" % ((n - 1) / span) if span > 0 else "-", "%.3f" % secs,
	      "%.3f" % ((first - t0) / 1e9), done, conns, cpu, runq, blocked,
	      fs, turns,
	      pw, pr, cn, wbytes, busy, rss0, hwm0, rss1, hwm1, bg]))
	EOF
}

# run_import N CAP RUN
run_import() {
	local n=$1 cap=$2 run=$3 d="$work/d" t0 t_done first last conns
	local rss0 hwm0 rss1 hwm1 sch0 sch1 busy0 busy1

	dmn_fresh "$d" "$cap" "$url"
	dmn_start "$d"
	rcv_reset
	wait_quiet
	dmn_import "$d" "$n"
	t0=$(now_ns)
	sch0=$(proc_sched "$dmn_pid")
	busy0=$(sys_busy)
	rss0=$(proc_kb "$dmn_pid" VmRSS)
	hwm0=$(proc_kb "$dmn_pid" VmHWM)
	echo 5 >"/proc/$dmn_pid/clear_refs" 2>/dev/null || true
	if [ "$run" = "$RUNS" ] && [ "${PROFILE:-0}" = 1 ]; then
		perf record -q --call-graph dwarf,16384 -F 1000 \
			-p "$dmn_pid" -o "$work/perf.data" 2>/dev/null &
		prof_pid=$!
	elif [ "$run" = "$RUNS" ] && [ "${STRACE:-0}" = 1 ]; then
		strace -c -w -f -p "$dmn_pid" -o "$OUT/strace-$n-$cap.txt" &
		prof_pid=$!
	fi
	rcv_wait "$n" "import N=$n cap=$cap"
	sch1=$(proc_sched "$dmn_pid")
	busy1=$(sys_busy)
	if [ -n "$prof_pid" ]; then
		kill -INT "$prof_pid" 2>/dev/null || true
		wait "$prof_pid" 2>/dev/null || true
		prof_pid=
	fi
	run_done "$d" "$n"
	[ "$(rcv_stat count)" = "$n" ] ||
		log "receiver got $(rcv_stat count) POSTs for $n deliveries"
	dmn_stop
	if [ -e "$work/perf.data" ]; then
		{
			echo "## by shared object (self)"
			perf report -i "$work/perf.data" --stdio --no-children \
				--sort dso -g none 2>/dev/null | grep -v '^#' || true
			echo "## by symbol (self)"
			perf report -i "$work/perf.data" --stdio --no-children \
				--sort sym -g none --percent-limit 0.5 \
				2>/dev/null | grep -v '^#' || true
			echo "## the daemon's functions, with what they call"
			perf report -i "$work/perf.data" --stdio --children \
				--sort sym -g none --percent-limit 2 \
				2>/dev/null | grep -v '^#' || true
		} >"$OUT/perf-$n-$cap.txt"
		rm -f "$work/perf.data"
	fi
	row import "$n" "$cap" "$run" "$t0" "$last" "$first" "$last" "$t_done" \
		"$conns" "$(sched_delta "$sch0" "$sch1")" "- - - - -" - \
		"$(echo "$busy0 $busy1" | awk '{ printf "%.2f", $2 - $1 }')" \
		"$rss0" "$hwm0" "$rss1" "$hwm1"
}

# run_done DIR N: waits until the daemon has N delivered, then sets the
# caller's t_done, rss1, hwm1 and the receiver's first, last and conns.
run_done() {
	dmn_delivered "$1" "$2"
	t_done=$(now_ns)
	rss1=$(proc_kb "$dmn_pid" VmRSS)
	hwm1=$(proc_kb "$dmn_pid" VmHWM)
	first=$(rcv_stat first_ns)
	last=$(rcv_stat last_ns)
	conns=$(rcv_stat conns)
}

# run_restart N CAP RUN
run_restart() {
	local n=$1 cap=$2 run=$3 d="$work/d" t0 t_done first last conns
	local rss1 hwm1 sch1 pending wbytes busy0 busy1

	# enqueue: N deliveries that the black hole keeps from going out
	dmn_fresh "$d" "$cap" "$hole_url"
	dmn_start "$d"
	dmn_import "$d" "$n"
	dmn_stop		# waits for the drain: in flight stays pending
	if command -v sqlite3 >/dev/null; then
		pending=$(sqlite3 "$d/contractd.db" "SELECT count(*) FROM \
			deliveries WHERE state = 'pending'")
		[ "$pending" = "$n" ] || die "restart: $pending pending, not $n"
	fi
	dmn_config "$d" "$cap" "$url"
	rcv_reset
	rm -f "$work/sys.csv"
	wait_quiet
	busy0=$(sys_busy)
	t0=$(now_ns)
	dmn_start "$d" count
	rcv_wait "$n" "restart N=$n cap=$cap"
	sch1=$(proc_sched "$dmn_pid")
	busy1=$(sys_busy)
	run_done "$d" "$n"
	wbytes=$(awk '$1 == "write_bytes:" { print $2 }' "/proc/$dmn_pid/io")
	dmn_stop
	row restart "$n" "$cap" "$run" "$t0" "$last" "$first" "$last" "$t_done" \
		"$conns" "$(sched_delta "0 0 $t0" "$sch1")" \
		"$(sys_counts)" "$wbytes" \
		"$(echo "$busy0 $busy1" | awk '{ printf "%.2f", $2 - $1 }')" \
		- - "$rss1" "$hwm1"
}

# csv_make N FILE: N contracts ending 10 days ahead: their term_end/30
# alert is past, so it fires at import.
csv_make() {
	"$PYTHON" - "$1" "$2" <<-'EOF'
	import datetime, sys
	from zoneinfo import ZoneInfo
	n, path = int(sys.argv[1]), sys.argv[2]
	end = (datetime.datetime.now(ZoneInfo("Europe/London")).date() +
	       datetime.timedelta(days=10)).isoformat()
	notes = ("Benchmark contract: residential and nursing placements, "
	         "homecare and supported living, with the usual extension "
	         "clauses and a re-procurement lead time; the text is here to "
	         "give the payload a realistic size of about one kilobyte.")
	with open(path, "w") as f:
	    f.write("ref,title,kind,supplier,owner_name,owner_email,notify,"
	            "start_date,end_date,services,value,notes\n")
	    for i in range(n):
	        f.write('BD-%06d,Delivery benchmark contract %d,framework,'
	                'Supplier %d Ltd,Senior Commissioner,'
	                'commissioning@council.example,'
	                'procurement@council.example,2022-01-01,%s,'
	                'residential:LD;nursing:MH;domiciliary:PSD,1200000,'
	                '"%s"\n' % (i, i, i % 97, end, notes))
	EOF
}

# --- the baseline: curl --parallel ------------------------------------------
# curl_prepare N: the daemon's captured generic payload, one per contract
# (its ref and key changed), and a -K config posting each with the
# daemon's headers.
curl_prepare() {
	"$PYTHON" - "$1" "$capture" "$work/bodies$1" "$work/curl$1.cfg" \
	    "$url" <<-'EOF'
	import json, os, sys
	n, cap, bdir, cfg, url = (int(sys.argv[1]),) + tuple(sys.argv[2:])
	raw = open(cap, "rb").read()
	head, body = raw.split(b"\r\n\r\n", 1)
	hdrs = {}
	for line in head.decode().split("\r\n")[1:]:
	    k, v = line.split(":", 1)
	    hdrs[k.strip().lower()] = v.strip()
	ref0 = json.loads(body)["contract"]["ref"]
	os.makedirs(bdir, exist_ok=True)
	with open(cfg, "w") as f:
	    for i in range(n):
	        ref = "BD-%06d" % i
	        p = os.path.join(bdir, "%d.json" % i)
	        with open(p, "wb") as g:
	            g.write(body.replace(ref0.encode(), ref.encode()))
	        if i:
	            f.write("next\n")
	        f.write('url = "%s"\n' % url)
	        f.write('header = "Content-Type: application/json"\n')
	        for h in ("webhook-id", "webhook-timestamp", "webhook-signature"):
	            if h in hdrs:
	                f.write('header = "%s: %s"\n'
	                        % (h, hdrs[h].replace(ref0, ref)))
	        f.write('data-binary = "@%s"\n' % p)
	        f.write('output = "/dev/null"\n')
	EOF
}

# run_curl N CAP RUN
run_curl() {
	local n=$1 cap=$2 run=$3 t0 t1 first last conns cpu busy0 busy1
	local TIMEFORMAT='%3U %3S'
	rcv_reset
	wait_quiet
	busy0=$(sys_busy)
	t0=$(now_ns)
	# (its progress meter is per transfer: -s would not silence it)
	{ time curl --no-progress-meter --parallel --parallel-max "$cap" \
		-K "$work/curl$n.cfg" 2>"$work/curl.err" ; } \
		2>"$work/curl.time" || die "curl failed: $(cat "$work/curl.err")"
	t1=$(now_ns)
	busy1=$(sys_busy)
	[ "$(rcv_stat count)" = "$n" ] ||
		die "curl: the receiver got $(rcv_stat count) POSTs, not $n"
	cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/curl.time")
	first=$(rcv_stat first_ns)
	last=$(rcv_stat last_ns)
	conns=$(rcv_stat conns)
	row curl "$n" "$cap" "$run" "$t0" "$t1" "$first" "$last" - "$conns" \
		"$cpu - -" "- - - - -" - \
		"$(echo "$busy0 $busy1" | awk '{ printf "%.2f", $2 - $1 }')" \
		- - - -
}

# --- the runs -------------------------------------------------------------
log "capturing one generic payload from the daemon"
csv_make 1 "$work/c1.csv"
dmn_fresh "$work/d" 16 "$url"
dmn_start "$work/d"
rcv_reset
dmn_import "$work/d" 1
rcv_wait 1 "capture"
dmn_stop
cp "$capture" "$OUT/captured-request.txt"
log "payload: $(($(wc -c <"$capture"))) bytes with headers"

tsv="$OUT/runs.tsv"
printf '%s\t' who N cap run per_s span_per_s secs first_s done_s conns \
	cpu_s runq_s blocked_s fsyncs loop_turns pwrites preads connects \
	write_bytes machine_busy_s \
	rss_start_kB hwm_start_kB rss_end_kB \
	>"$tsv"
printf 'hwm_end_kB\tbg_busy\n' >>"$tsv"
for n in "${sizes[@]}"; do
	log "N=$n: contracts and curl bodies"
	csv_make "$n" "$work/c$n.csv"
	! has_mode curl || curl_prepare "$n"
	sync	# no writeback of the new files during the runs
	for cap in $CAPS; do
		for run in $(seq "$RUNS"); do
			for m in import restart curl; do
				has_mode $m || continue
				"run_$m" "$n" "$cap" "$run"
				log "$(tail -1 "$tsv" | cut -f1-7)"
			done
		done
	done
	rm -rf "$work/bodies$n" "$work/curl$n.cfg"
done

fsync_after=$(fsync_probe)

# --- summary ----------------------------------------------------------------
"$PYTHON" - "$tsv" "$wrk_rate" "$TMPBASE" "$fsync_before" "$fsync_after" \
    >"$OUT/summary.md" <<-'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
keys = sorted({(int(r["N"]), int(r["cap"])) for r in rows})
def med(who, n, cap, key, scale=1.0):
    xs = [float(r[key]) for r in rows if r["who"] == who and
          int(r["N"]) == n and int(r["cap"]) == cap and r[key] != "-"]
    return statistics.median(xs) / scale if xs else None
def fmt(x, f="%.0f"):
    return "-" if x is None else f % x
def paired(who, n, cap, key="per_s"):
    """The median of the ratios who / curl of the same run: the runs are
    interleaved, so a run's pair saw the same machine."""
    get = lambda w: {r["run"]: float(r[key]) for r in rows
                     if r["who"] == w and int(r["N"]) == n and
                     int(r["cap"]) == cap and r[key] != "-"}
    a, b = get(who), get("curl")
    xs = [a[k] / b[k] for k in a if k in b]
    return "-" if not xs else "%.0f %%" % (100 * statistics.median(xs))
print("| N | cap | daemon deliveries/s | curl req/s | ratio | daemon "
      "deliveries/s, backlog at start | ratio | daemon VmHWM, backlog at "
      "start | daemon VmHWM, delivery phase after import | daemon VmRSS "
      "after import |")
print("|---|---|---|---|---|---|---|---|---|---|")
for n, cap in keys:
    m = lambda who, key="per_s", scale=1.0: med(who, n, cap, key, scale)
    print("| %d | %d | %s | %s | %s | %s | %s | %s MiB | %s MiB | %s MiB |"
          % (n, cap, fmt(m("import")), fmt(m("curl")),
             paired("import", n, cap), fmt(m("restart")),
             paired("restart", n, cap),
             fmt(m("restart", "hwm_end_kB", 1024), "%.1f"),
             fmt(m("import", "hwm_end_kB", 1024), "%.1f"),
             fmt(m("import", "rss_start_kB", 1024), "%.1f")))
print()
print("Diagnostics. Rates from the first to the last POST at the receiver "
      "(this leaves out curl's reading of its config and the daemon's "
      "start). The daemon's time while it delivered (import runs, "
      "/proc/PID/schedstat): on a CPU, waiting for one, blocked (fsync, "
      "I/O, idle). Whole machine busy: CPU seconds of all CPUs, every "
      "process and the kernel's threads (disk writeback included), from "
      "/proc/stat over the same time. Syscalls and bytes written: restart runs (perf stat, "
      "/proc/PID/io).")
print()
print("| N | cap | daemon/s | curl/s | ratio | daemon s: CPU / run queue / "
      "blocked | curl CPU s | whole machine busy s, daemon / curl "
      "| fdatasync per delivery | loop turns per "
      "delivery | pwrite per delivery | KiB written per delivery | TCP "
      "connections daemon / curl | outbox delivered == N after |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for n, cap in keys:
    m = lambda who, key, scale=1.0: med(who, n, cap, key, scale)
    per = lambda x, f="%.2f": fmt(None if x is None else x / n, f)
    print("| %d | %d | %s | %s | %s | %s / %s / %s | %s | %s / %s | %s | %s "
          "| %s | %s | %s / %s | %s s |"
          % (n, cap, fmt(m("import", "span_per_s")),
             fmt(m("curl", "span_per_s")),
             paired("import", n, cap, "span_per_s"),
             fmt(m("import", "cpu_s"), "%.2f"),
             fmt(m("import", "runq_s"), "%.2f"),
             fmt(m("import", "blocked_s"), "%.2f"),
             fmt(m("curl", "cpu_s"), "%.2f"),
             fmt(m("import", "machine_busy_s"), "%.2f"),
             fmt(m("curl", "machine_busy_s"), "%.2f"),
             per(m("restart", "fsyncs")), per(m("restart", "loop_turns")),
             per(m("restart", "pwrites"), "%.1f"),
             per(m("restart", "write_bytes", 1024), "%.1f"),
             fmt(m("import", "conns")), fmt(m("curl", "conns")),
             fmt(m("import", "done_s"), "%.2f")))
print()
bg = [float(r["bg_busy"]) for r in rows if r["bg_busy"] != "-"]
print("Medians of %d runs each; a ratio is the median of the ratios of the "
      "runs, each daemon run paired with the curl run that followed it. The "
      "receiver alone (wrk -t1 -c16, 1 KB POSTs): %s req/s. fdatasync of "
      "4 KiB in %s: %s ms before the runs, %s ms after (medians of 200). "
      "Other work on the machine in the second before a measurement: "
      "median %s, at most %s CPU-s/s."
      % ((max(int(r["run"]) for r in rows),) + tuple(sys.argv[2:6]) +
         (fmt(bg and statistics.median(bg), "%.2f"),
          fmt(bg and max(bg), "%.2f"))))
EOF
cat "$OUT/summary.md"
