#!/bin/bash
# bench/smtp/run.sh: mail delivery throughput of contractd's smtp notifier
# beside Python's smtplib sending the same messages over one reused
# connection to the same local sink.
#
#   bench/smtp/run.sh [N]          default: 1000
#
# The sink listens on 127.0.0.1: Postfix's smtp-sink (/usr/sbin/smtp-sink,
# `apt-get install -y postfix`: it accepts everything, stores nothing, and
# counts sessions and messages with -c), or else sink.py (aiosmtpd, which
# is far slower and then limits both sides).  The channel says tls = none:
# plain SMTP, no STARTTLS, no AUTH, on both sides.
#
# 1. capture: a fresh daemon mails N contracts' alerts into sink.py
#    --save, which keeps each message's bytes and envelope.
# 2. RUNS times, in turn, each against a freshly started sink:
#    daemon   a fresh daemon in a temp directory with one [notifier email]
#             channel (plugin smtp, kinds = term_end, tls = none, the
#             default max_transfers); `contractctl import` of N contracts
#             whose term_end/30 alert is past while their end date is
#             ahead, one recipient each (owner_email, no notify): all N
#             deliveries are due at once.  Time: from the start of the
#             import to the first `status` that says outbox delivered ==
#             N, polled every POLL s once the sink's counters (polled as
#             often) show N messages.  The daemon is then stopped, and the
#             sink's count must be N.
#    smtplib  replay.py sends the N captured messages over ONE connection
#             (sendmail() for each, same bytes, same envelopes).  Time:
#             connect to QUIT; the sink must count N messages, 1 session.
#    Before each the script waits (QUIET_MAX s at most) for a second in
#    which the machine's CPUs were busy for at most QUIET CPU-seconds.
# 3. prints messages/s of both, and their ratio, for every run, and the
#    medians: $OUT/runs.tsv, $OUT/summary.md, $OUT/machine.txt.
#
# Environment:
#   BUILDDIR   where daemon/contractd, ctl/contractctl, plugins/.libs are
#              (default: the source tree; run `make -j2` there first)
#   RUNS       runs of each side (5)
#   SINK       smtp-sink or aiosmtpd (default: smtp-sink if installed)
#   POLL       seconds between status polls (0.02)
#   OUT        results directory (default bench/smtp/results)
#   TMPBASE    where work directories go (default /var/tmp, a real disk as
#              /var/lib/contractd would be; on tmpfs fsync costs nothing)
#   TIMEOUT    seconds one run may take before it is abandoned (300)
#   QUIET      CPU-seconds per second of other work that count as quiet
#              (0.15); QUIET_MAX: seconds to wait for quiet (15)
#   PROFILE=1  `perf record --call-graph dwarf` of the daemon during the
#              last daemon run: $OUT/perf.txt (it slows that run)
#   STRACE=1   `perf trace -s` of the same: $OUT/trace.txt, the daemon's
#              poll, fdatasync and epoll_wait calls and the time they took
#              (where its loop waits)
#   KEEP=1     keep the work directory
#
# Needs bash, python3 with aiosmtpd (Debian's python3-aiosmtpd).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
BUILDDIR=${BUILDDIR:-$src}
RUNS=${RUNS:-5}
POLL=${POLL:-0.02}
OUT=${OUT:-$here/results}
TMPBASE=${TMPBASE:-/var/tmp}
TIMEOUT=${TIMEOUT:-300}
QUIET=${QUIET:-0.15}
QUIET_MAX=${QUIET_MAX:-15}
CONTRACTD=$BUILDDIR/daemon/contractd
CTL=$BUILDDIR/ctl/contractctl
PLUGINS=$BUILDDIR/plugins/.libs
HOLIDAYS=$src/etc/holidays.txt
SMTP_SINK=/usr/sbin/smtp-sink
export TZ=Europe/London
N=${1:-1000}

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

for f in "$CONTRACTD" "$CTL" "$PLUGINS/smtp.so"; do
	[ -e "$f" ] || die "$f missing: build the tree first (make -j2)"
done
# a pyenv shim costs half a second a call: prefer the system's python
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 ||
	true)}
[ -n "$PYTHON" ] || die "python3 needed"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
	die "aiosmtpd needed (apt-get install python3-aiosmtpd)"
if [ -z "${SINK:-}" ]; then
	SINK=aiosmtpd
	[ ! -x "$SMTP_SINK" ] || SINK=smtp-sink
fi
case $SINK in
smtp-sink)	[ -x "$SMTP_SINK" ] || die "$SMTP_SINK missing: apt-get " \
		    "install -y postfix, or SINK=aiosmtpd" ;;
aiosmtpd)	;;
*)		die "SINK: smtp-sink or aiosmtpd, not $SINK" ;;
esac
mkdir -p "$OUT"
work=$(mktemp -d "$TMPBASE/contractd-bench-smtp.XXXXXX")
chmod 755 "$work"

# Everything started here is stopped on the way out, by its pid.
sink_pid=
dmn_pid=
prof_pid=
cleanup() {
	local p
	for p in $prof_pid $dmn_pid $sink_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $prof_pid $dmn_pid $sink_pid; do
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

# --- the sink ---------------------------------------------------------------
free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# port_open PORT: true once something accepts connections on it
port_open() {
	"$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
	    "$1" 2>/dev/null
}

# sink_start KIND [SAVEDIR]: a fresh sink (smtp-sink or aiosmtpd); sets
# sink_pid and sink_port.  Its counters go to $work/sink.out.
sink_start() {
	local u=
	rm -f "$work/sink.port" "$work/sink.out"
	sink_probes=0
	if [ "$1" = smtp-sink ]; then
		sink_port=$(free_port)
		[ "$(id -u)" != 0 ] || u="-u nobody"
		# shellcheck disable=SC2086
		"$SMTP_SINK" -c $u "127.0.0.1:$sink_port" 256 \
			>"$work/sink.out" 2>"$work/sink.err" &
		sink_pid=$!
		for _ in $(seq 100); do
			port_open "$sink_port" && sink_probes=1 && return 0
			sleep 0.05
		done
	else
		"$PYTHON" "$here/sink.py" "$work/sink.port" ${2:+--save "$2"} \
			>"$work/sink.out" 2>"$work/sink.err" &
		sink_pid=$!
		for _ in $(seq 100); do
			if [ -s "$work/sink.port" ]; then
				sink_port=$(cat "$work/sink.port")
				return 0
			fi
			sleep 0.05
		done
	fi
	cat "$work/sink.err" >&2
	die "the $1 sink did not start"
}

# sink_stop: stops the sink; sets sink_msgs and sink_sess from its last
# counters (smtp-sink -c: "sess=S quit=Q mesg=M", each update ending in \r;
# its sessions less the one port_open made)
sink_stop() {
	local last
	kill -TERM "$sink_pid" 2>/dev/null || true
	wait "$sink_pid" 2>/dev/null || true
	sink_pid=
	last=$(tr '\r' '\n' <"$work/sink.out" | grep "mesg=" | tail -1 || true)
	sink_msgs=$(echo "$last" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p')
	sink_sess=$(echo "$last" | sed -n 's/.*sess=\([0-9]*\).*/\1/p')
	sink_msgs=${sink_msgs:-0}
	sink_sess=$(( ${sink_sess:-0} - sink_probes ))
}

# --- the machine ------------------------------------------------------------
# sys_busy: CPU time (s) the whole machine has been busy, all CPUs: user,
# nice, system, irq, softirq (not idle, iowait, steal)
sys_busy() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {
	    printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat
}
# wait_quiet: waits, at most QUIET_MAX s, for a second in which the
# machine's CPUs were busy for at most QUIET CPU-seconds (other people's
# work skews a run); sets bg_busy to what the last second saw.
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

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "tree: $(git -C "$src" describe --always --dirty 2>/dev/null ||
		echo -)"
	echo "sink: $SINK$([ "$SINK" != smtp-sink ] || echo " ($(dpkg-query \
		-W -f '${Package} ${Version}' postfix 2>/dev/null))")"
	echo "python: $("$PYTHON" -V 2>&1)"
	echo "libcurl: $(curl --version 2>/dev/null | head -1 | cut -d' ' -f1-3)"
	echo "nproc: $(nproc)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' \
		/proc/cpuinfo)"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' \
		/proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "filesystem of $TMPBASE: $(df -T "$TMPBASE" | awk 'NR == 2 {
		print $2 }')"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"

# --- the daemon -------------------------------------------------------------
# dmn_config DIR PORT
dmn_config() {
	cat >"$1/contractd.conf" <<-EOF
	[daemon]
	database = $1/contractd.db
	socket = $1/control.sock
	plugin_dir = $PLUGINS
	holidays = $HOLIDAYS
	timezone = Europe/London
	alert_time = 09:00

	[alerts]
	term_end = 30
	procurement_start =

	[notifier email]
	plugin = smtp
	kinds = term_end
	url = smtp://127.0.0.1:$2
	from = Contract alerts <alerts@council.example>
	tls = none
	timeout = 30
	EOF
}

# dmn_start DIR PORT: a fresh daemon on a fresh DIR, its answer awaited
dmn_start() {
	rm -rf "$1"
	mkdir -p "$1"
	dmn_config "$1" "$2"
	"$CONTRACTD" -f -c "$1/contractd.conf" >>"$1/contractd.log" 2>&1 &
	dmn_pid=$!
	for _ in $(seq 200); do
		"$CTL" -s "$1/control.sock" ping >/dev/null 2>&1 && return 0
		kill -0 "$dmn_pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "$1/contractd.log" >&2
	die "the daemon did not start"
}

# dmn_stop: SIGTERM, then waits for the daemon to exit (its connections'
# QUITs go out as it does)
dmn_stop() {
	kill -TERM "$dmn_pid" 2>/dev/null || true
	wait "$dmn_pid" 2>/dev/null || true
	dmn_pid=
}

# dmn_import DIR: imports the N contracts, checks that N alerts fired
dmn_import() {
	local got fired
	got=$("$CTL" -s "$1/control.sock" --json import "$work/c.csv") ||
		die "import failed: $got"
	fired=$(echo "$got" | grep -o '"fired":[0-9]*' | cut -d: -f2)
	[ "$fired" -ge "$N" ] || die "import fired $fired alerts, not $N"
}

# sink_count: the sink's running count of messages, from its counters
sink_count() {
	tail -c 64 "$work/sink.out" | tr '\r' '\n' | grep "mesg=" | tail -1 |
		sed -n 's/.*mesg=\([0-9]*\).*/\1/p' || true
}

# dmn_drained DIR: waits for the sink to count N messages (polling its
# counters every POLL s: `status` costs the daemon a query of its overdue
# contracts, which would be measured with it), then polls status every
# POLL s until delivered == N; dies on a delivery that failed or is dead
dmn_drained() {
	local st delivered=0 end=$(( $(date +%s) + TIMEOUT ))
	while [ "$(date +%s)" -lt "$end" ] &&
	    [ "$(sink_count)" != "$N" ]; do
		sleep "$POLL"
	done
	while [ "$(date +%s)" -lt "$end" ]; do
		st=$("$CTL" -s "$1/control.sock" --json status)
		delivered=$(echo "$st" | grep -o '"delivered":[0-9]*' |
			cut -d: -f2)
		[ "$delivered" -lt "$N" ] || return 0
		echo "$st" | grep -q '"failed":0' && echo "$st" |
			grep -q '"dead":0' || die "deliveries failed: $st" \
			"$(tail -5 "$1/contractd.log")"
		sleep "$POLL"
	done
	die "outbox delivered $delivered of $N after ${TIMEOUT}s"
}

# csv_make FILE: N contracts ending 10 days ahead (their term_end/30 alert
# is past, so it fires at import), each owner a different address
csv_make() {
	"$PYTHON" - "$N" "$1" <<-'EOF'
	import datetime, sys
	from zoneinfo import ZoneInfo
	n, path = int(sys.argv[1]), sys.argv[2]
	end = (datetime.datetime.now(ZoneInfo("Europe/London")).date() +
	       datetime.timedelta(days=10)).isoformat()
	notes = ("Benchmark contract: residential and nursing placements, "
	         "homecare and supported living, with the usual extension "
	         "clauses and a re-procurement lead time.")
	with open(path, "w") as f:
	    f.write("ref,title,kind,supplier,owner_name,owner_email,"
	            "start_date,end_date,services,value,notes\n")
	    for i in range(n):
	        f.write('SB-%06d,Mail benchmark contract %d – residential '
	                'care,contract,Supplier %d Ltd,Senior Commissioner,'
	                'owner-%06d@council.example,2022-01-01,%s,'
	                'residential:LD;nursing:MH,1200000,"%s"\n'
	                % (i, i, i % 97, i, end, notes))
	EOF
}

# prof_start: perf record of the daemon, given a moment to attach
prof_start() {
	perf record -q --call-graph dwarf,16384 -F 2000 -p "$dmn_pid" \
		-o "$work/perf.data" 2>/dev/null &
	prof_pid=$!
	sleep 1
}

# prof_stop: ends the recording, writes its reports to $OUT/perf.txt
prof_stop() {
	kill -INT "$prof_pid" 2>/dev/null || true
	wait "$prof_pid" 2>/dev/null || true
	prof_pid=
	{
		echo "## by shared object (self)"
		perf report -i "$work/perf.data" --stdio --no-children \
			--sort dso -g none 2>/dev/null | grep -v '^#' || true
		echo "## by symbol (self)"
		perf report -i "$work/perf.data" --stdio --no-children \
			--sort sym -g none --percent-limit 0.5 \
			2>/dev/null | grep -v '^#' || true
		echo "## with what they call"
		perf report -i "$work/perf.data" --stdio --children \
			--sort sym -g none --percent-limit 2 \
			2>/dev/null | grep -v '^#' || true
	} >"$OUT/perf.txt"
}

# proc_sched PID: "ns on a CPU, ns waiting for one" (/proc/PID/schedstat)
proc_sched() {
	cut -d' ' -f1,2 "/proc/$1/schedstat"
}

# run_daemon RUN: one timed daemon run; appends its row to $tsv
run_daemon() {
	local d="$work/d" t0 t1 t2 c0 c1
	sink_start "$SINK"
	dmn_start "$d" "$sink_port"
	wait_quiet
	[ "$1" != "$RUNS" ] || [ "${PROFILE:-0}" != 1 ] || prof_start
	if [ "$1" = "$RUNS" ] && [ "${STRACE:-0}" = 1 ]; then
		perf trace -s -e poll,fdatasync,epoll_wait -o "$OUT/trace.txt" -p "$dmn_pid" 2>/dev/null &
		prof_pid=$!
		sleep 1
	fi
	c0=$(proc_sched "$dmn_pid")
	t0=$(now_ns)
	dmn_import "$d"
	t1=$(now_ns)
	dmn_drained "$d"
	t2=$(now_ns)
	c1=$(proc_sched "$dmn_pid")
	[ -z "$prof_pid" ] || [ "${STRACE:-0}" = 1 ] || prof_stop
	if [ -n "$prof_pid" ]; then
		kill -INT "$prof_pid" 2>/dev/null || true
		wait "$prof_pid" 2>/dev/null || true
		prof_pid=
	fi
	dmn_stop
	sink_stop
	[ "$sink_msgs" = "$N" ] || die "daemon run $1: the sink got" \
		"$sink_msgs messages, not $N"
	echo "$1 daemon $N $t0 $t1 $t2 $sink_sess $bg_busy $c0 $c1" |
	    awk -v OFS='\t' '{ s = ($6 - $4) / 1e9
	      printf "%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%s\t%s\t%.3f\t%.3f\n", \
	      $1, $2, $3, $3 / s, s, ($5 - $4) / 1e9, $7, $8, ($11 - $9) / 1e9, \
	      ($12 - $10) / 1e9 }' >>"$tsv"
}

# run_smtplib RUN: one timed replay; appends its row to $tsv
run_smtplib() {
	local got n secs
	sink_start "$SINK"
	wait_quiet
	got=$("$PYTHON" "$here/replay.py" "$work/msgs" "$sink_port") ||
		die "smtplib run $1 failed: $got"
	sink_stop
	read -r n secs <<<"$got"
	[ "$n" = "$N" ] && [ "$sink_msgs" = "$N" ] || die "smtplib run $1:" \
		"sent $n, the sink got $sink_msgs messages, not $N"
	[ "$sink_sess" = 1 ] || die "smtplib run $1: $sink_sess sessions"
	echo "$1 smtplib $N $secs $sink_sess $bg_busy" | awk -v OFS='\t' \
	    '{ printf "%s\t%s\t%s\t%.0f\t%.3f\t-\t%s\t%s\n", $1, $2, $3, \
	      $3 / $4, $4, $5, $6 "\t-\t-" }' >>"$tsv"
}

# --- the runs ---------------------------------------------------------------
log "N=$N, sink $SINK, $RUNS runs; work directory $work"
csv_make "$work/c.csv"
log "capturing the daemon's $N messages (sink.py --save)"
mkdir -p "$work/msgs"
sink_start aiosmtpd "$work/msgs"
dmn_start "$work/d" "$sink_port"
dmn_import "$work/d"
dmn_drained "$work/d"
dmn_stop
sink_stop
[ "$sink_msgs" = "$N" ] || die "capture: $sink_msgs messages, not $N"
cp "$work/msgs/000000.eml" "$OUT/captured-message.eml"
log "captured: $(cat "$work"/msgs/*.eml | wc -c) bytes in $N messages," \
	"over $sink_sess connections"
sync	# no writeback of the new files during the runs

tsv="$OUT/runs.tsv"
printf 'run\twho\tN\tper_s\tsecs\timport_s\tsessions\tbg_busy\tcpu_s\t%s\n' \
	runq_s >"$tsv"
for run in $(seq "$RUNS"); do
	run_daemon "$run"
	log "$(tail -1 "$tsv" | cut -f1-6,9,10)"
	run_smtplib "$run"
	log "$(tail -1 "$tsv" | cut -f1-5)"
done

# --- summary ----------------------------------------------------------------
"$PYTHON" - "$tsv" "$SINK" >"$OUT/summary.md" <<-'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {(r["run"], r["who"]): r for r in rows}
runs = sorted({r["run"] for r in rows}, key=int)
med = statistics.median
print("| run | daemon msg/s | smtplib msg/s | ratio | daemon s: all (import) "
      "| after the import's answer, msg/s | daemon CPU s / run queue s "
      "| SMTP sessions | other work, CPU-s/s |")
print("|---|---|---|---|---|---|---|---|---|")
col = {k: [] for k in ("d", "s", "r", "a", "c", "q")}
for k in runs:
    d, s = by[(k, "daemon")], by[(k, "smtplib")]
    n, secs, imp = int(d["N"]), float(d["secs"]), float(d["import_s"])
    vals = dict(d=float(d["per_s"]), s=float(s["per_s"]),
                a=n / (secs - imp), c=float(d["cpu_s"]),
                q=float(d["runq_s"]))
    vals["r"] = vals["d"] / vals["s"]
    for key, v in vals.items():
        col[key].append(v)
    print("| %s | %.0f | %.0f | %.2f | %.3f (%.3f) | %.0f | %.2f / %.2f | "
          "%s | %s / %s |" % (k, vals["d"], vals["s"], vals["r"], secs, imp,
          vals["a"], vals["c"], vals["q"], d["sessions"], d["bg_busy"],
          s["bg_busy"]))
print("| median | %.0f | %.0f | **%.2f** (%.2f–%.2f) | | %.0f | %.2f / %.2f "
      "| | |" % (med(col["d"]), med(col["s"]), med(col["r"]),
                 min(col["r"]), max(col["r"]), med(col["a"]),
                 med(col["c"]), med(col["q"])))
print()
print("N = %s messages, sink %s. The ratio of a run is the daemon's rate "
      "over that of the smtplib run right after it; beside the median, the "
      "lowest and highest. Other work: the CPU-seconds per second the "
      "machine spent elsewhere in the second before the daemon's and the "
      "smtplib run." % (rows[0]["N"], sys.argv[2]))
EOF
cat "$OUT/summary.md"
