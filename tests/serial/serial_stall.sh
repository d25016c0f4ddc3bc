#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# serial_stall.sh FWSEAL FWSEAL_SIM - a device that stops answering for a
# while is not a device that was unplugged (issue 15, "robust under load").
#
# Under heavy CPU load the simulated device, or a real one busy erasing
# flash, can be silent for seconds in the middle of a transfer. The host
# used to give up after about 1.2 s of a blocked write ("does not accept
# data", exit 7) and the desktop app said "The Device Was Disconnected".
# Here the device process is stopped (SIGSTOP) mid-transfer, which is what a
# starved scheduler does to it, deterministically:
#   1. silent for 6 s, then back: the update completes, exit 0;
#   2. silent for good: the update stops within the link's budget (10 s of
#      silence) with exit 7, saying the device did not answer (not that it
#      went away); once the device answers again, the same command resumes.
set -u

FWSEAL=$1
SIM=$2
. "$(dirname "$0")/../support/simproc.sh"

# flash_bg: start the update in the background, JSON events in flash.out
flash_bg() {
	"$FWSEAL" flash "$T/v2.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes --json \
		>"$T/flash.out" 2>"$T/flash.err" </dev/null &
	FLASH_PID=$!
}

# wait_sent BYTES: until the update reports at least BYTES sent (download)
wait_sent() {
	i=0
	while [ $i -lt 300 ]; do
		done_b=$(sed -n 's/.*"phase":"download","done":\([0-9]*\).*/\1/p' "$T/flash.out" |
			tail -n 1)
		[ -n "$done_b" ] && [ "$done_b" -ge "$1" ] && return 0
		kill -0 "$FLASH_PID" 2>/dev/null || fail "flash ended before $1 bytes were sent"
		sleep 0.05
		i=$((i + 1))
	done
	fail "the update never reached $1 bytes"
}

step "keys and a 48 KiB package"
"$FWSEAL" key generate --out "$T/k" >/dev/null || fail "key generate"
"$FWSEAL" key export-trust --out "$T/trust.fwst" "$T/k.pub" >/dev/null || fail "export-trust"
head -c 49152 /dev/urandom >"$T/v2.bin"
cat >"$T/rel.ini" <<EOF
vendor_id = 0x1209
class_id = 0x0001
model = STALL-THERMO
hw_rev_min = 1
hw_rev_max = 3
version = 2.0.0
security_counter = 2
block_size = 4096
release_date = 2026-01-01
support_end = 2030-12-31
security_update = no
reboot = yes
downtime_s = 5
EOF
"$FWSEAL" pack --image "$T/v2.bin" --release "$T/rel.ini" --key "$T/k.key" \
	--out "$T/v2.fwseal" >/dev/null || fail "pack"

step "silent for 6 s in the middle of the transfer: the update completes"
start_sim dev1 --model STALL-THERMO --serial-number SN-STALL --baud 115200
flash_bg
wait_sent 8192
kill -STOP "$SIM_PID"
sleep 6
kill -CONT "$SIM_PID"
wait "$FLASH_PID"
rc=$?
FLASH_PID=
[ "$rc" -eq 0 ] || fail "flash exited $rc after the device was silent for 6 s (expected 0)"
grep -q '"event":"done"' "$T/flash.out" || fail "no done event"
grep -q '"to_version":"2.0.0"' "$T/flash.out" || fail "no plan for 2.0.0"
stop_sim

step "silent for good: it gives up in bounded time, says so, and resumes later"
start_sim dev2 --model STALL-THERMO --serial-number SN-STALL --baud 115200
flash_bg
wait_sent 8192
kill -STOP "$SIM_PID"
t0=$(date +%s)
wait "$FLASH_PID"
rc=$?
FLASH_PID=
t1=$(date +%s)
[ "$rc" -eq 7 ] || fail "flash exited $rc against a silent device (expected 7, interrupted)"
elapsed=$((t1 - t0))
[ "$elapsed" -ge 8 ] || fail "gave up after ${elapsed} s: a slow device deserves 10 s"
[ "$elapsed" -le 40 ] || fail "took ${elapsed} s to give up on a silent device"
grep -q 'did not answer' "$T/flash.out" "$T/flash.err" ||
	fail "the error does not say that the device did not answer"
if grep -q 'went away\|does not accept data' "$T/flash.out" "$T/flash.err"; then
	fail "a silent device was reported as gone"
fi
kill -CONT "$SIM_PID"
flash_bg
wait "$FLASH_PID"
rc=$?
FLASH_PID=
[ "$rc" -eq 0 ] || fail "the resumed update exited $rc"
grep -q '"resume":true' "$T/flash.out" || fail "the second run did not resume"

echo "ok"
