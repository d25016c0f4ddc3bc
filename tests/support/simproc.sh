# SPDX-License-Identifier: Apache-2.0
# tests/support/simproc.sh - what the scripts that run fwseal-sim on a pty
# share (sourced by tests/serial/serial_stall.sh and serial_access.sh):
# a temporary folder $T removed at exit with the simulator and the update
# still running, `fail` that shows every output kept in $T, `step`, and
# `start_sim`. Needs $SIM (the fwseal-sim program) and, when start_sim is
# used, $T/trust.fwst.
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-sim.XXXXXX")
SIM_PID=
FLASH_PID=
sim_cleanup() {
	[ -n "$SIM_PID" ] && { kill -CONT "$SIM_PID"; kill "$SIM_PID"; } 2>/dev/null
	[ -n "$FLASH_PID" ] && kill "$FLASH_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap sim_cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$T"/*.out "$T"/*.err; do
		[ -f "$f" ] && { echo "--- $f"; cat "$f"; } >&2
	done
	exit 1
}
step() { echo "== $*"; }

# start_sim STATE_DIR [fwseal-sim options]: sets DEV (serial:/dev/pts/N) and
# SIM_PID once the simulator says where it listens
start_sim() {
	dir=$1
	shift
	: >"$T/sim.out"
	"$SIM" --state "$T/$dir" --trust "$T/trust.fwst" "$@" >"$T/sim.out" 2>"$T/sim.err" &
	SIM_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		DEV=$(head -n 1 "$T/sim.out")
		case $DEV in serial:/dev/*) return 0 ;; esac
		sleep 0.05
		i=$((i + 1))
	done
	fail "fwseal-sim did not print its device"
}

stop_sim() {
	kill "$SIM_PID" 2>/dev/null
	wait "$SIM_PID" 2>/dev/null
	SIM_PID=
}
