#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# serial_window.sh FWSEAL FWSEAL_SIM UART_MODEL - the windowed serial download
# (docs/serial-protocol.md, "Windowed download") end to end: the fwseal CLI
# and fwseal-sim with the independent UART model between them (two ptys, a
# paced 8N1 line at 921,600 baud), and line noise the model puts on chosen
# frames:
#   1. window 4: a DNLOAD damaged on its way in (the device drops it and the
#      ones after it) and a DNLOAD's answer damaged on its way back: the
#      install completes and the device runs the new version (a byte fed
#      twice or skipped would fail the hash chain);
#   2. the same noise with --dl-window 1 (one DNLOAD at a time, the older
#      behaviour): the install completes too;
#   3. window 4 over a clean line: `fwseal info --json` shows the window;
#   4. window 4 over a clean line at 115,200 baud, where four 4 KiB frames
#      take 1.4 s to cross: no request is sent twice (each one's time-out
#      counts the frames that were ahead of it when it was sent, also
#      when the window drains at the end of the download).
set -u

FWSEAL=$1
SIM=$2
MODEL_BIN=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-window.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
export XDG_DATA_HOME="$T/data"

fail() {
	echo "FAIL: $*" >&2
	for f in "$T"/*.out "$T"/*.err; do
		[ -f "$f" ] && { echo "--- $f"; cat "$f"; } >&2
	done
	exit 1
}
step() { echo "== $*"; }

# wait_line FILE PREFIX: the value after PREFIX on the first line that has it
wait_line() {
	i=0
	while [ $i -lt 100 ]; do
		v=$(sed -n "s|^$2||p" "$1" | head -n 1)
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# start LABEL [model options] -- [sim options]: a line and a device behind it;
# sets HOST (the host's device string) and PIDS; BAUD (921600) the line's rate
start() {
	label=$1
	shift
	baud=${BAUD:-921600}
	mopts=
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do mopts="$mopts $1"; shift; done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	"$MODEL_BIN" --baud "$baud" $mopts >"$T/$label-line.out" 2>"$T/$label-line.err" &
	PIDS="$PIDS $!"
	host=$(wait_line "$T/$label-line.out" "host=") || fail "uart-model did not start"
	dev=$(wait_line "$T/$label-line.out" "device=") || fail "uart-model did not start"
	"$SIM" --state "$T/$label-state" --trust "$T/trust.fwst" --model WIN-1 --component app --tty "$dev" "$@" \
		>"$T/$label-sim.out" 2>"$T/$label-sim.err" &
	PIDS="$PIDS $!"
	wait_line "$T/$label-sim.out" "serial:" >/dev/null || fail "fwseal-sim did not start"
	HOST="serial:$host@$baud"
}

step "keys and a 96 KiB package"
"$FWSEAL" key generate --out "$T/k" >/dev/null || fail "key generate"
"$FWSEAL" key export-trust --out "$T/trust.fwst" "$T/k.pub" >/dev/null || fail "export-trust"
head -c 98304 /dev/urandom >"$T/img"
"$FWSEAL" pack --image "$T/img" --release "$(dirname "$0")/../../examples/release-example.ini" \
	--key "$T/k.key" --out "$T/p.fwseal" --set model=WIN-1 --set hw_rev_min=1 \
	--set version=2.0.0 --set security_counter=2 >/dev/null || fail "pack"

# h2d frames: INFO, GETSTATUS, then the DNLOADs (the prefix first): frame 8
# is the 6th block. d2h frame 13 answers a DNLOAD further on.
for w in 4 1; do
	step "window $w: a DNLOAD and an answer damaged on the line"
	start "w$w" --corrupt h2d:8 --corrupt d2h:13 -- --dl-window "$w"
	"$FWSEAL" flash "$T/p.fwseal" --device "$HOST" --trust "$T/trust.fwst" --yes --json \
		--no-records >"$T/w$w-flash.out" 2>"$T/w$w-flash.err" ||
		fail "flash with window $w and line noise failed"
	grep -q '"event":"done".*"version":"2.0.0"' "$T/w$w-flash.out" ||
		fail "window $w: the device does not report 2.0.0"
	"$FWSEAL" info "$HOST" --json >"$T/w$w-info.out" 2>"$T/w$w-info.err" || fail "info"
	grep -q '"firmware_version": "2.0.0"' "$T/w$w-info.out" || fail "window $w: not running 2.0.0"
	grep -q "damaged h2d frame 8" "$T/w$w-line.err" || fail "the line did not damage h2d frame 8"
	grep -q "damaged d2h frame 13" "$T/w$w-line.err" || fail "the line did not damage d2h frame 13"
	# the device's account of the download (printed when it stops, for the
	# boot that took it: the one before the reset)
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=
	stats=$(grep "serial link" "$T/w$w-sim.err" | head -n 1)
	case $w:$stats in
	4:*", 0 windowed"*) fail "window 4: no DNLOAD was out of order after the damaged one: $stats" ;;
	1:*", 0 windowed"*) ;;
	1:*) fail "window 1: DNLOADs out of order: $stats" ;;
	esac
	case $stats in
	*" 0 requests answered again"*) fail "window $w: no answer was sent again: $stats" ;;
	esac
done

step "the window in the device-info record"
start clean -- --dl-window 4
"$FWSEAL" info "$HOST" --json >"$T/clean-info.out" 2>&1 || fail "info"
grep -q '"dl_window": 4' "$T/clean-info.out" || fail "info --json does not show dl_window 4"
for p in $PIDS; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
PIDS=

step "window 4 at 115,200 baud over a clean line: nothing sent twice"
head -c 32768 /dev/urandom >"$T/img32"
"$FWSEAL" pack --image "$T/img32" --release "$(dirname "$0")/../../examples/release-example.ini" \
	--key "$T/k.key" --out "$T/p32.fwseal" --set model=WIN-1 --set hw_rev_min=1 \
	--set version=2.0.0 --set security_counter=2 >/dev/null || fail "pack 32 KiB"
BAUD=115200 start slow -- --dl-window 4
"$FWSEAL" flash "$T/p32.fwseal" --device "$HOST" --trust "$T/trust.fwst" --yes --json \
	--no-records >"$T/slow-flash.out" 2>"$T/slow-flash.err" || fail "flash at 115,200 failed"
grep -q '"event":"done".*"version":"2.0.0"' "$T/slow-flash.out" ||
	fail "115,200: the device does not report 2.0.0"
for p in $PIDS; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
PIDS=
stats=$(grep "serial link" "$T/slow-sim.err" | head -n 1)
case $stats in
*" 0 requests answered again"*) ;;
*) fail "115,200: the host sent a request again over a clean line: $stats" ;;
esac
echo "PASS"
