#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# encoded_e2e.sh FWSEAL FWSEAL_SIM - compressed and delta packages end to end:
# the fwseal CLI against fwseal-sim over a real pseudo-terminal.
#   1. pack v1 (full) and v2 full, --compress lz4 and --delta-from v1;
#      verify / inspect say what they checked (a delta's image digest only
#      with --base);
#   2. flash v1, then all three v2 packages: the delta is sent, and fwseal
#      says so; the device runs v2;
#   3. a delta made from v1 offered to a device running v2: refused before
#      anything is sent ("needs version 1.0.0", exit 4); with the full package
#      also given, the full one goes;
#   4. a delta whose base has the device's version but other bytes: refused
#      by the device's image digest before anything is sent, with the version
#      it needs; with the compressed package also given, that one goes;
#   5. a device that cannot decode encodings (--no-encodings): the full
#      package is chosen; a compressed one alone is refused (exit 4);
#   6. the link lost mid-transfer of a compressed package (UART pace), the
#      device restarted: the same command resumes and completes;
#   7. the packages stay DFU files: the suffix CRC checks, as dfu-util would.
# Every --json output met on the way (pack, inspect, verify, info, the flash
# events) is checked against docs/json.md (tests/support/json_schema.sh).
# The images are made here from the fwseal binary's own bytes (compressible
# code); nothing is read from outside the temp dir.
set -u

FWSEAL=$1
SIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SUPPORT=$HERE/../support
JSON_DOC=$HERE/../../docs/json.md
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-enc.XXXXXX")
SIM_PID=
cleanup() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$T"/*.out "$T"/*.err; do
		[ -f "$f" ] && { echo "--- $f"; cat "$f"; } >&2
	done
	exit 1
}
step() { echo "== $*"; }

MODEL=ENC-THERMO
start_sim() {
	dir=$1
	shift
	: >"$T/sim.out"
	"$SIM" --state "$T/$dir" --trust "$T/trust.fwst" --model "$MODEL" \
		--serial-number SN-ENC "$@" >"$T/sim.out" 2>"$T/sim.err" &
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
expect_rc() {
	want=$1
	shift
	"$@" >"$T/last.out" 2>"$T/last.err" </dev/null
	rc=$?
	[ "$rc" -eq "$want" ] || {
		cat "$T/last.out" "$T/last.err" >&2
		fail "'$*' exited $rc, expected $want"
	}
}
running_version() {
	"$FWSEAL" info "$DEV" --json >"$T/info.out" 2>"$T/info.err" ||
		fail "info failed on $DEV"
	sed -n 's/^ *"firmware_version": "\(.*\)",$/\1/p' "$T/info.out"
}
size() { wc -c <"$1" | tr -d ' '; }
# json_doc SECTION FILE: the one object in FILE against "### SECTION" of
# docs/json.md; json_doc events FILE: each line, an event, against its own
json_doc() {
	bash -c '. "$1/expect.sh"; . "$1/json_schema.sh"; JSON_DOC=$2
		JSON_SCHEMA_FILE=$3/schema.tsv; json_schema >"$JSON_SCHEMA_FILE"
		if [ "$4" = events ]; then
			# one line of each shape (event and field paths): progress repeats
			jq -c -s "group_by([.event, ([paths(scalars) | map(if type == \"number\" then 0 else . end)] | unique)]) | map(.[0]) | .[]" \
				"$5" >"$3/events.json" && json_events "$3/events.json"
		else
			json_check "$4" "$5"
		fi
		expect_summary' _ "$SUPPORT" "$JSON_DOC" "$T" "$@" >"$T/schema.txt" 2>&1 || {
		cat "$T/schema.txt" >&2
		fail "docs/json.md does not describe $1 of $2"
	}
}

step "1. keys, images, packages"
"$FWSEAL" key generate --out "$T/k" >/dev/null || fail "key generate"
"$FWSEAL" key export-trust --out "$T/trust.fwst" "$T/k.pub" >/dev/null || fail "export-trust"
cat >"$T/rel.ini" <<EOF
vendor_id  = 0x1209
class_id   = 0x0001
model      = $MODEL
hw_rev_min = 1
hw_rev_max = 1
component  = app
version          = 1.0.0
security_counter = 1
block_size       = 4096
release_date     = 2026-01-01
support_end      = 2031-12-31
security_update = yes
severity        = high
risks           = A crafted request could crash the device.
cves            = CVE-2026-0001
reboot     = yes
downtime_s = 5
EOF
# v1: IMAGE_BYTES (default 120 KB) of code; v2: the same with 24 bytes
# inserted (later code moves) and a few bytes changed: a small fix
N=${IMAGE_BYTES:-120000}
head -c "$N" "$FWSEAL" >"$T/img1"
{ head -c $((N / 3)) "$T/img1"; printf 'fwseal-fix-0123456789abc'; tail -c +$((N / 3 + 1)) "$T/img1"; } >"$T/img2"
printf 'XY' | dd of="$T/img2" bs=1 seek=$((N * 7 / 12)) conv=notrunc 2>/dev/null
printf 'Q' | dd of="$T/img2" bs=1 seek=$((N * 5 / 6 + 1)) conv=notrunc 2>/dev/null
pack() {
	out=$1
	shift
	"$FWSEAL" pack --release "$T/rel.ini" --key "$T/k.key" --out "$T/$out" "$@" \
		>"$T/pack.out" 2>"$T/pack.err" || fail "pack $out"
}
pack v1.fwseal --image "$T/img1"
pack v1-other.fwseal --image "$T/img2" # version 1.0.0, other bytes
V2="--set version=2.0.0 --set security_counter=2"
pack v2.fwseal --image "$T/img2" $V2
pack v2-lz4.fwseal --image "$T/img2" $V2 --compress lz4
grep -q "compressed (lz4)" "$T/pack.out" || fail "pack --compress does not say so"
pack v2-delta.fwseal --image "$T/img2" $V2 --delta-from "$T/v1.fwseal"
grep -q "delta (lz4-delta) from version 1.0.0" "$T/pack.out" || fail "pack --delta-from does not say so"
pack v2-delta-other.fwseal --image "$T/img2" $V2 --delta-from "$T/v1-other.fwseal"
for enc in "--compress lz4" "--delta-from $T/v1.fwseal"; do
	pack x.fwseal --image "$T/img2" $V2 $enc --json
	json_doc pack "$T/pack.out"
done
rm -f "$T/x.fwseal"
full=$(size "$T/v2.fwseal")
lz=$(size "$T/v2-lz4.fwseal")
delta=$(size "$T/v2-delta.fwseal")
echo "sizes: full $full, lz4 $lz, delta $delta"
[ "$lz" -lt "$full" ] || fail "the compressed package is not smaller"
[ $((delta * 10)) -lt "$full" ] || fail "the delta of a small fix is not under a tenth"
# a delta of a delta cannot be made: its base would need its own base
expect_rc 2 "$FWSEAL" pack --release "$T/rel.ini" --key "$T/k.key" --out "$T/x.fwseal" \
	--image "$T/img1" --set version=3.0.0 --set security_counter=3 --delta-from "$T/v2-delta.fwseal"
grep -q "itself a delta package" "$T/last.err" || fail "delta of a delta: no reason"
# an OLD that no device able to take the delta can run: refused by pack,
# nothing written (another model, a higher security counter, other hardware)
pack old-model.fwseal --image "$T/img1" --set model=OTHER-THERMO
pack old-counter.fwseal --image "$T/img1" --set version=5.0.0 --set security_counter=5
pack old-hw.fwseal --image "$T/img1" --set hw_rev_min=2 --set hw_rev_max=3
for c in "old-model:package of another model" "old-counter:refuses this package as a downgrade" \
	"old-hw:hardware revisions 2 to 3, this release for 1 to 1"; do
	expect_rc 2 "$FWSEAL" pack --release "$T/rel.ini" --key "$T/k.key" --out "$T/x.fwseal" \
		--image "$T/img2" $V2 --delta-from "$T/${c%%:*}.fwseal"
	grep -q "${c#*:}" "$T/last.err" || fail "delta from ${c%%:*}: no reason"
	[ ! -e "$T/x.fwseal" ] || fail "delta from ${c%%:*}: a refused pack left a file"
done
# an OLD whose image was changed after it was packed: its chain breaks, and
# the delta is not made against bytes the device does not have
cp "$T/v1.fwseal" "$T/old-bad.fwseal"
printf 'Z' | dd of="$T/old-bad.fwseal" bs=1 seek=$(($(size "$T/v1.fwseal") - 5000)) conv=notrunc 2>/dev/null
expect_rc 3 "$FWSEAL" pack --release "$T/rel.ini" --key "$T/k.key" --out "$T/x.fwseal" \
	--image "$T/img2" $V2 --delta-from "$T/old-bad.fwseal"
[ ! -e "$T/x.fwseal" ] || fail "delta from a changed OLD: a refused pack left a file"
expect_rc 2 "$FWSEAL" pack --release "$T/rel.ini" --key "$T/k.key" --out "$T/x.fwseal" \
	--image "$T/img1" --compress zstd
[ ! -e "$T/x.fwseal" ] || fail "a refused pack left a file"

expect_rc 0 "$FWSEAL" verify "$T/v2-lz4.fwseal" --trust "$T/trust.fwst"
grep -q "lz4 units decoded, image digest" "$T/last.out" || fail "verify lz4: what was checked"
expect_rc 0 "$FWSEAL" verify "$T/v2-delta.fwseal" --trust "$T/trust.fwst" --json
grep -q '"image_checked": false' "$T/last.out" || fail "verify delta: image_checked"
json_doc verify "$T/last.out"
expect_rc 0 "$FWSEAL" verify "$T/v2-delta.fwseal" --trust "$T/trust.fwst" --base "$T/v1.fwseal" --json
grep -q '"image_checked": true' "$T/last.out" || fail "verify --base: image_checked"
json_doc verify "$T/last.out"
expect_rc 0 "$FWSEAL" verify "$T/v2-delta.fwseal" --trust "$T/trust.fwst"
grep -q "image digest was not checked.*version 1.0.0" "$T/last.out" || fail "verify delta: no caveat"
expect_rc 0 "$FWSEAL" verify "$T/v2-delta.fwseal" --trust "$T/trust.fwst" --base "$T/v1.fwseal"
grep -q "lz4-delta units decoded, image digest" "$T/last.out" || fail "verify --base"
expect_rc 2 "$FWSEAL" verify "$T/v2-delta.fwseal" --trust "$T/trust.fwst" --base "$T/v1-other.fwseal"
grep -q "not version 1.0.0, the release this delta was made from" "$T/last.err" ||
	fail "verify --base with another image"
expect_rc 0 "$FWSEAL" inspect "$T/v2-delta.fwseal" --json
grep -q '"encoding": "lz4-delta"' "$T/last.out" || fail "inspect: encoding"
grep -q '"version": "1.0.0"' "$T/last.out" || fail "inspect: base version"
json_doc inspect "$T/last.out"
expect_rc 0 "$FWSEAL" inspect "$T/v2-lz4.fwseal" --trust "$T/trust.fwst" --json
grep -q '"image_checked": true' "$T/last.out" || fail "inspect lz4: image_checked"
json_doc inspect "$T/last.out"
# a changed byte in a unit: refused like a changed block (exit 3)
cp "$T/v2-lz4.fwseal" "$T/bad.fwseal"
printf 'Z' | dd of="$T/bad.fwseal" bs=1 seek=3000 conv=notrunc 2>/dev/null
cmp -s "$T/v2-lz4.fwseal" "$T/bad.fwseal" && printf 'Y' | dd of="$T/bad.fwseal" bs=1 seek=3000 conv=notrunc 2>/dev/null
expect_rc 3 "$FWSEAL" verify "$T/bad.fwseal" --trust "$T/trust.fwst"

step "2. flash v1, then v2 given three ways: the delta goes"
start_sim dev1
expect_rc 0 "$FWSEAL" flash "$T/v1.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes
expect_rc 0 "$FWSEAL" info "$DEV" --json
grep -q '"encodings": \[' "$T/last.out" || fail "info: no encodings"
grep -q '"lz4-delta"' "$T/last.out" || fail "info: lz4-delta not listed"
json_doc info "$T/last.out"
expect_rc 0 "$FWSEAL" flash "$T/v2.fwseal" "$T/v2-lz4.fwseal" "$T/v2-delta.fwseal" \
	--device "$DEV" --trust "$T/trust.fwst" --yes
grep -q "^Sending .*v2-delta.fwseal: the delta package from version 1.0.0, $((delta - 16)) bytes" \
	"$T/last.out" || fail "flash did not say it sends the delta"
grep -q "now runs firmware 2.0.0" "$T/last.out" || fail "v2 does not run"
[ "$(running_version)" = "2.0.0" ] || fail "device does not run 2.0.0"

step "3. a delta from 1.0.0 for a device that runs 2.0.0"
pack v3-delta.fwseal --image "$T/img1" --set version=3.0.0 --set security_counter=3 \
	--delta-from "$T/v1.fwseal"
pack v3.fwseal --image "$T/img1" --set version=3.0.0 --set security_counter=3
expect_rc 4 "$FWSEAL" flash "$T/v3-delta.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes
grep -q "This update needs version 1.0.0 on the device (it runs 2.0.0); install the full package." \
	"$T/last.err" || fail "no 'needs version' refusal"
! grep -q "Sending the firmware" "$T/last.err" || fail "something was sent"
expect_rc 0 "$FWSEAL" flash "$T/v3-delta.fwseal" "$T/v3.fwseal" --device "$DEV" \
	--trust "$T/trust.fwst" --yes --json
grep -q '"event":"choice".*"package":"[^"]*v3.fwseal","encoding":"none"' "$T/last.out" ||
	fail "the full package was not chosen"
grep -q '"event":"done".*"version":"3.0.0"' "$T/last.out" || fail "v3 does not run"
json_doc events "$T/last.out"
stop_sim

step "4. the base's version, other bytes: refused by its digest, nothing sent"
start_sim dev2
expect_rc 0 "$FWSEAL" flash "$T/v1-other.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes
expect_rc 4 "$FWSEAL" flash "$T/v2-delta.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes
grep -q "This update needs version 1.0.0 on the device (it runs another build of 1.0.0)" \
	"$T/last.err" || fail "refusal not explained"
! grep -q "Sending the firmware" "$T/last.err" || fail "something was sent"
[ "$(running_version)" = "1.0.0" ] || fail "device left 1.0.0"
expect_rc 0 "$FWSEAL" flash "$T/v2-delta.fwseal" "$T/v2-lz4.fwseal" --device "$DEV" \
	--trust "$T/trust.fwst" --yes
grep -q "^Sending .*v2-lz4.fwseal: the compressed package" "$T/last.out" ||
	fail "the compressed package was not chosen"
grep -q "now runs firmware 2.0.0" "$T/last.out" || fail "v2 does not run"
stop_sim

step "5. a device that decodes no encodings"
if ! "$SIM" --help 2>&1 | grep -q -- --no-encodings; then
	echo "(this device runner has no --no-encodings: skipped)"
else
start_sim dev3 --no-encodings
expect_rc 4 "$FWSEAL" flash "$T/v2-lz4.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes
grep -q "cannot decode compressed packages" "$T/last.err" || fail "no encodings: message"
expect_rc 0 "$FWSEAL" flash "$T/v2-lz4.fwseal" "$T/v2.fwseal" --device "$DEV" \
	--trust "$T/trust.fwst" --yes
grep -q "^Sending .*v2.fwseal: the full package" "$T/last.out" || fail "full package not chosen"
stop_sim
fi

step "6. a compressed transfer cut mid-way, then resumed"
start_sim dev4 --baud 115200
"$FWSEAL" flash "$T/v2-lz4.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes --json \
	>"$T/cut.out" 2>"$T/cut.err" </dev/null &
FL=$!
# cut once a third of the package went through
third=$((lz / 3))
i=0
while [ $i -lt 400 ]; do
	done_now=$(sed -n 's/.*"phase":"download","done":\([0-9]*\),.*/\1/p' "$T/cut.out" | tail -n 1)
	[ -n "$done_now" ] && [ "$done_now" -ge "$third" ] && break
	sleep 0.02
	i=$((i + 1))
done
stop_sim
wait $FL
rc=$?
[ "$rc" -eq 7 ] || fail "an interrupted flash exited $rc, expected 7"
start_sim dev4 --baud 921600
expect_rc 0 "$FWSEAL" info "$DEV" --json
grep -q '"resume_offset": [1-9]' "$T/last.out" || fail "device reports no resume point"
expect_rc 0 "$FWSEAL" flash "$T/v2-lz4.fwseal" --device "$DEV" --trust "$T/trust.fwst" --yes --json
grep -q '"event":"plan".*"resume":true' "$T/last.out" || fail "plan does not say resume"
grep -q '"event":"done".*"version":"2.0.0".*"resumed":true' "$T/last.out" ||
	fail "resumed flash did not finish"
json_doc events "$T/last.out"
json_doc events "$T/cut.out"
stop_sim

step "7. still DFU files"
for p in v2-lz4 v2-delta; do
	n=$(size "$T/$p.fwseal")
	tail -c 16 "$T/$p.fwseal" | od -An -c | tr -d ' \n' | grep -q 'UFD' ||
		fail "$p: no DFU suffix"
	[ "$n" -gt 16 ] || fail "$p: empty"
done
echo "PASS"
