# lib.sh - what the `make bench` scripts share (sourced, not run).
#
# The contenders: every benchmark names its servers by a short label, and
# `server_cmd LABEL` gives the command line.  Servers print "listening on
# PORT" once they listen and stop on SIGTERM.
#
#   native   demos/httpd, a plain thread-per-connection server, natively
#   ub1      the same binary under unblock with 1 carrier
#   ubN      the same binary under unblock with every carrier (one per CPU)
#   epoll    demos/bench/epolld, a hand-written single-threaded epoll server
#   go       demos/bench/goserver, a goroutine per connection (if Go is here)
#
# Every wait is bounded, every server started is stopped (the EXIT trap
# kills what is left), and a failure says which step failed and exits 1.
# (Python's http.server says "Serving HTTP on ADDR port PORT ...".)

B=${B:?lib.sh: set B to the build directory}
HTTPD=$B/demos/httpd
UB=$B/unblock
EPOLLD=$B/demos/bench/epolld
GOSERVER=$B/demos/bench/goserver
RESULTS=${RESULTS:-$B/bench}
NCPU=$(nproc)
command -v wrk >/dev/null || { echo "bench: wrk is missing:" \
  "apt-get install wrk (demos/bench/run.sh does)" >&2; exit 1; }

die() {
  echo "bench: $*" >&2
  exit 1
}

# note MESSAGE: a line for the log and for docs/benchmarks.md's notes.
note() {
  echo "  note: $*"
  echo "$*" >>"$RESULTS/notes.txt"
}

# have_go: is the Go contender built?
have_go() { [ -x "$GOSERVER" ]; }

# http_servers: the HTTP contenders present on this machine, in table order.
http_servers() {
  echo native ub1 ubN epoll
  have_go && echo go
  return 0
}

server_cmd() {
  case $1 in
  native) echo "$HTTPD" ;;
  ub1) echo "$UB --workers 1 -- $HTTPD" ;;
  ubN) echo "$UB --workers $NCPU -- $HTTPD" ;;
  epoll) echo "$EPOLLD" ;;
  go) echo "$GOSERVER" ;;
  *) die "no server called '$1'" ;;
  esac
}

# server_title LABEL: its name in the tables.
server_title() {
  case $1 in
  native) echo "httpd, native threads" ;;
  ub1) echo "httpd, unblock, 1 carrier" ;;
  ubN) echo "httpd, unblock, $NCPU carriers" ;;
  epoll) echo "epoll server (1 thread)" ;;
  go) echo "Go, goroutine per conn" ;;
  *) echo "$1" ;;
  esac
}

SRV_PID= SRV_PORT= SRV_OUT=

# start_server LABEL [CMD...]: start it on a free port; sets SRV_PID and
# SRV_PORT.  CMD defaults to server_cmd LABEL, followed by "-p 0".
start_server() {
  local label=$1
  shift
  SRV_OUT=$RESULTS/tmp.$label.out
  if [ $# -eq 0 ]; then
    # shellcheck disable=SC2046 # the command line splits on purpose
    set -- $(server_cmd "$label") -p 0
  fi
  "$@" >"$SRV_OUT" 2>&1 &
  SRV_PID=$!
  SRV_PORT=
  local i
  for i in $(seq 200); do
    SRV_PORT=$(sed -n -e 's/^listening on \([0-9]*\)$/\1/p' \
      -e 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$SRV_OUT")
    [ -n "$SRV_PORT" ] && return 0
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.05
  done
  sed 's/^/    /' "$SRV_OUT" >&2
  die "$label: the server did not start: $*"
}

# stop_server: SIGTERM, at most 10 s to exit, then SIGKILL.
stop_server() {
  [ -n "$SRV_PID" ] || return 0
  kill -TERM "$SRV_PID" 2>/dev/null || true
  local i
  for i in $(seq 200); do
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$SRV_PID" 2>/dev/null; then
    note "a server (pid $SRV_PID) ignored SIGTERM for 10 s and was killed"
    kill -KILL "$SRV_PID" 2>/dev/null || true
  fi
  wait "$SRV_PID" 2>/dev/null || true
  SRV_PID=
}

# status_kb PID FIELD: a field of /proc/PID/status (kB or a count).
status_kb() {
  sed -n "s/^$2:[[:space:]]*\([0-9]*\).*/\1/p" "/proc/$1/status" 2>/dev/null
}

# median: of the numbers on stdin ("-" if there are none).
median() {
  sort -g | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'
}

# wrk_run CONNS SECS OUT: wrk against the running server, into OUT.
wrk_run() {
  timeout $(($2 + 60)) wrk -t "$NCPU" -c "$1" -d "$2s" --latency \
    "http://127.0.0.1:$SRV_PORT/" >"$3" 2>&1 ||
    { sed 's/^/    /' "$3" >&2; die "wrk failed against $SRV_OUT"; }
}

# wrk_fields OUT: "REQUESTS/S P50_MS P99_MS ERRORS" from wrk's output
# (latencies come as 850.00us, 6.66ms or 1.20s).
wrk_fields() {
  awk 'function ms(v) {
         n = v + 0
         if (v ~ /us$/) return n / 1000
         if (v ~ /ms$/) return n
         return n * 1000 }
       /^Requests\/sec:/ {rps = $2}
       $1 == "50%" {p50 = ms($2)}
       $1 == "99%" {p99 = ms($2)}
       /Socket errors/ {gsub(",", ""); e += $4 + $6 + $8 + $10}
       /Non-2xx/ {e += $5}
       END {printf "%d %.3f %.3f %d\n", rps, p50, p99, e}' "$1"
}

bench_cleanup() {
  if [ -n "$SRV_PID" ]; then
    kill -KILL "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
  fi
  rm -f "$RESULTS"/tmp.*
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$RESULTS"
