#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The CLI with a device (issue 15), against fwseal-sim over real
# pseudo-terminals: the messages of docs/messages.md that need a device
# (downgrade in versions, no terminal, declined, several devices, no device),
# "do not unplug" during the transfer, the package and device events that
# `flash --help` promises, dates as ISO 8601 in every output, every `--json`
# field against docs/json.md, and the outcome "installed but not confirmed"
# (exit 11, record result `unconfirmed`, its own words) on a simulated device
# whose new firmware never confirms itself.
# Usage: test_cli_device.sh FWSEAL FWSEAL_SIM DOCS_DIR
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
FWSEAL=$(realpath "$1")
SIM=$(realpath "$2")
DOC=$(realpath "$3")/messages.md
JSON_DOC=$(realpath "$3")/json.md
T=$(mktemp -d /tmp/fwseal-dev-XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${JSON_SCHEMA_FILE:-}" ] && rm -f "$JSON_SCHEMA_FILE"
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"
. "$SUPPORT/messages.sh"
. "$SUPPORT/json_schema.sh"
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" HOME="$T/home"
unset FWSEAL_TRUST FWSEAL_DEBUG
mkdir -p "$T/home"
command -v jq >/dev/null || { echo "jq is needed"; exit 1; }

MODEL=DEV-THERMO
# start_sim NAME [options]: a simulated device on a new pty; sets DEV and SIM_PID
start_sim() {
	local name=$1 i
	shift
	"$SIM" --state "$T/$name" --trust "$T/trust.fwst" --model "$MODEL" --hw-rev 2 \
		--serial-number "SN-$name" "$@" >"$T/$name.sim" 2>"$T/$name.simerr" &
	SIM_PID=$!
	PIDS+=("$SIM_PID")
	for i in $(seq 100); do
		DEV=$(head -n 1 "$T/$name.sim")
		case $DEV in serial:/dev/*) return 0 ;; esac
		sleep 0.05
	done
	echo "fwseal-sim did not start"; cat "$T/$name.simerr"
	exit 1
}
stop_sim() { # PID
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# --- fixtures ----------------------------------------------------------------
"$FWSEAL" key generate --out k >/dev/null || exit 1
"$FWSEAL" key export-trust --out trust.fwst k.pub >/dev/null || exit 1
cat >rel.ini <<EOF
vendor_id  = 0x1209
class_id   = 0x0001
model      = $MODEL
hw_rev_min = 1
hw_rev_max = 3
version          = 1.0.0
security_counter = 1
release_date     = 2026-01-01
support_end      = 2031-12-31
security_update = yes
severity        = high
risks           = A crafted request could crash the device.
cves            = CVE-2026-0001
downtime_s = 5
EOF
head -c 60000 /dev/urandom >img1
head -c 90000 /dev/urandom >img2
"$FWSEAL" pack --image img1 --release rel.ini --key k.key --out v1.fwseal >/dev/null || exit 1
"$FWSEAL" pack --image img2 --release rel.ini --key k.key --out v2.fwseal \
	--set version=2.0.0 --set security_counter=2 >/dev/null || exit 1
F=(--trust trust.fwst --yes)

# --- a fresh device: JSON, events, dates ----------------------------------------
start_sim one
ONE=$DEV ONE_PID=$SIM_PID
expect 0 "$FWSEAL" info "$ONE" --json && json_check info out.txt
has out.txt '"firmware_version": null' && has out.txt '"support_end": null'
expect 0 "$FWSEAL" flash v1.fwseal --device "$ONE" "${F[@]}" --json
# the events --help promises, in order: package, device, plan, progress..., done
checks=$((checks + 1))
order=$(jq -r .event out.txt | uniq | tr '\n' ' ')
[ "$order" = "package device plan progress done " ] || fail "flash --json events: $order"
has out.txt '^\{"event":"package".*"version":"1\.0\.0".*"support_end":"2031-12-31"'
has out.txt '^\{"event":"device","device":"serial:/dev/pts/[0-9]+".*"firmware_version":null'
has out.txt '^\{"event":"plan".*"from_version":null,"to_version":"1\.0\.0".*"support_end":"2031-12-31"'
has out.txt '^\{"event":"done".*"confirmed":true.*"result":"ok","exit":0'
hasnt out.txt '"support_end":[0-9]'
json_events out.txt
cp out.txt flash1.json

# text: "do not unplug" once the transfer starts, before its first progress line
expect 0 "$FWSEAL" flash v2.fwseal --device "$ONE" "${F[@]}"
has out.txt '^Done: .* now runs firmware 2\.0\.0, confirmed'
checks=$((checks + 1))
first_send=$(grep -n '^Sending the firmware\.\.\.$' err.txt | head -1 | cut -d: -f1)
warn=$(grep -n '^Do not unplug the device or switch it off until fwseal says it is done\.$' err.txt | head -1 | cut -d: -f1)
first_pct=$(grep -n '^Sending the firmware: [0-9]*%' err.txt | head -1 | cut -d: -f1)
if [ -z "$first_send" ] || [ -z "$warn" ] || [ -z "$first_pct" ] ||
	[ "$first_send" -ge "$warn" ] || [ "$warn" -ge "$first_pct" ]; then
	fail "no 'Do not unplug' between 'Sending the firmware...' and its progress"
	sed 's/^/    /' err.txt | head -12
fi
expect 0 "$FWSEAL" info "$ONE" --json && json_check info out.txt
has out.txt '"firmware_version": "2\.0\.0"' && has out.txt '"support_end": "2031-12-31"'
expect 0 env FWSEAL_SERIAL_PORTS="${ONE#serial:}" "$FWSEAL" list --json && json_check list out.txt
has out.txt '"support_end": "2031-12-31"'

# --- refusals with a device ----------------------------------------------------
# a downgrade is said in versions
scenario downgrade "$FWSEAL" flash v1.fwseal --device "$ONE" "${F[@]}" &&
	has err.txt 'Version 1\.0\.0 \(security counter 1\) is older than version 2\.0\.0 on the device \(security counter 2\)\.'
scenario downgrade "$FWSEAL" flash v1.fwseal --device "$ONE" "${F[@]}" --json &&
	has out.txt '"event":"error".*"code":"downgrade".*"exit":4' && json_events out.txt
# (the device runs v2 now: --reinstall, or fwseal has nothing to do and asks nothing)
scenario no-terminal "$FWSEAL" flash v2.fwseal --device "$ONE" --trust trust.fwst --reinstall </dev/null
if command -v script >/dev/null 2>&1; then
	# on a terminal: "n" is declined (9); "y" installs, and the warning comes first
	CMD="'$FWSEAL' flash v2.fwseal --device '$ONE' --trust trust.fwst --reinstall"
	printf 'n\n' | script -qec "$CMD" /dev/null >tty1.txt 2>&1
	rc=$?
	checks=$((checks + 1))
	[ "$rc" = "$(row_field declined 3 | tr -d ' ')" ] || fail "declining exited $rc"
	has tty1.txt "fwseal: $(row_regex declined)"
	printf 'y\n' | script -qec "$CMD" /dev/null >tty2.txt 2>&1
	checks=$((checks + 1))
	[ $? = 0 ] || fail "accepting on a terminal failed"
	checks=$((checks + 1))
	tr '\r' '\n' <tty2.txt | grep -n 'Do not unplug\|\[#' | head -2 | tail -1 | grep -q '\[#' ||
		fail "the terminal shows no 'Do not unplug' before the progress bar"
fi

# --- choosing a device ------------------------------------------------------------
start_sim two
TWO=$DEV TWO_PID=$SIM_PID
scenario several-devices env FWSEAL_SERIAL_PORTS="${ONE#serial:}:${TWO#serial:}" "$FWSEAL" info
scenario several-devices env FWSEAL_SERIAL_PORTS="${ONE#serial:}:${TWO#serial:}" "$FWSEAL" flash v2.fwseal "${F[@]}"
scenario no-device env FWSEAL_SERIAL_PORTS=/dev/fwseal-no-such-port "$FWSEAL" info
scenario no-device env FWSEAL_SERIAL_PORTS=/dev/fwseal-no-such-port "$FWSEAL" flash v2.fwseal "${F[@]}" --json &&
	has out.txt '"event":"error".*"code":"no-device".*"exit":6'
stop_sim "$TWO_PID"

# -v says what fwseal does; -vv every request; FWSEAL_DEBUG the same
expect 0 "$FWSEAL" -v info "$ONE"
has err.txt '^fwseal\[\+[0-9]+\.[0-9]{3}\] serial: open serial:/dev/pts/[0-9]+: ok$'
hasnt err.txt 'INFO wValue'
expect 0 "$FWSEAL" info "$ONE" -vv && has err.txt '^fwseal\[\+[0-9.]+\] serial: INFO wValue 0, 0 bytes: answer [0-9]+ bytes in [0-9]+ us$'
expect 0 env FWSEAL_DEBUG=1 "$FWSEAL" info "$ONE" && has err.txt 'serial: INFO wValue 0'
expect 0 "$FWSEAL" -vvv info "$ONE" && has err.txt 'serial: < INFO [0-9a-f]{2} [0-9a-f]{2} '
expect 0 "$FWSEAL" info "$ONE" && hasnt err.txt '.'
stop_sim "$ONE_PID"

# --- installed, but the new firmware never confirms itself: exit 11 ---------------
start_sim lazy --no-confirm
LAZY=$DEV
scenario unconfirmed "$FWSEAL" flash v1.fwseal --device "$LAZY" "${F[@]}" --confirm-timeout 2 \
	--records rec.sqlite --json && has err.txt "firmware 1\.0\.0, but the new firmware did not confirm within 2 s"
has out.txt '^\{"event":"done".*"version":"1\.0\.0","confirmed":false.*"result":"unconfirmed","exit":11'
json_events out.txt
expect 0 "$FWSEAL" records --records rec.sqlite --json && json_check records out.txt
checks=$((checks + 1))
[ "$(jq -r '.[-1].result + " " + .[-1].error_code' out.txt)" = "unconfirmed unconfirmed" ] ||
	fail "the record of an unconfirmed install: $(jq -c '.[-1]' out.txt)"
# the device ran no firmware before: null, as in the plan event (one type per field)
checks=$((checks + 1))
[ "$(jq -c '.[-1].from_version' out.txt)" = null ] ||
	fail "records --json: from_version of a unit that ran none is $(jq -c '.[-1].from_version' out.txt), not null"
expect 0 "$FWSEAL" info "$LAZY" --json && has out.txt '"state": "testing"'
# a restart before the firmware confirms: the device goes back (here: to its stub)
stop_sim "$SIM_PID"
start_sim lazy --no-confirm
LAZY=$DEV
expect 0 "$FWSEAL" info "$LAZY" --json && has out.txt '"firmware_version": null'
# the text says so, in its own words, and does not say "Done"
scenario unconfirmed "$FWSEAL" flash v2.fwseal --device "$LAZY" "${F[@]}" --confirm-timeout 2 --no-records &&
	has err.txt "goes back to its previous firmware at its next restart" && hasnt out.txt '^Done'
stop_sim "$SIM_PID"
start_sim lazy --no-confirm
LAZY=$DEV
start_sim lazy2 --no-confirm
LAZY2=$DEV
# several devices, none confirms: the code they share, 11
"$FWSEAL" flash v1.fwseal --device "$LAZY" --device "$LAZY2" "${F[@]}" --confirm-timeout 2 \
	--records rec.sqlite --json >out.txt 2>err.txt
rc=$?
checks=$((checks + 1))
[ "$rc" = 11 ] || fail "two unconfirmed devices exited $rc, not 11"
has out.txt '^\{"event":"summary".*"unconfirmed":2.*"exit":11'
json_events out.txt

scenarios_summary
expect_summary
