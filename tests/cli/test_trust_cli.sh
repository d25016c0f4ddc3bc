#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Trust rotation from the command line (docs/trust.md, issue 17): key
# export-trust format 2, trust-update and its refusals, key import-trust
# walking a chain, inspect / verify of an update, and then against the real
# simulated device over a pty: a whole rotation with `fwseal flash` (the
# device takes v2, refuses v3 while it runs an image only the old key signed,
# takes it after the new firmware), `info` showing the store, `verify
# --device` reporting a package signed only by the revoked key, `flash`
# following the chain on the host with the updates next to the package, and
# messages that name the missing update for the host and for the device;
# every --json output of these commands against docs/json.md.
# Usage: test_trust_cli.sh FWSEAL FWSEAL_SIM RELEASE_EXAMPLE DOCS_DIR
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
FWSEAL=$(realpath "$1")
SIM=$(realpath "$2")
REL=$(realpath "$3")
JSON_DOC=$(realpath "$4")/json.md
T=$(mktemp -d /tmp/fwseal-trust-XXXXXX)
SIM_PID=
cleanup() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "${JSON_SCHEMA_FILE:-}" ] && rm -f "$JSON_SCHEMA_FILE"
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"
. "$SUPPORT/json_schema.sh"
command -v jq >/dev/null || { echo "jq is needed"; exit 1; }
has() { # has FILE PATTERN
	checks=$((checks + 1))
	grep -qE -- "$2" "$1" || { fail "$1 lacks /$2/"; sed 's/^/    /' "$1" | head -20; }
}
same() { # same A B
	checks=$((checks + 1))
	cmp -s "$1" "$2" || fail "$1 differs from $2"
}

# --- keys and stores ------------------------------------------------------
for k in r1 r2 r3 rel1 rel2 stranger; do
	"$FWSEAL" key generate --out $k >/dev/null || exit 1
done
id() { "$FWSEAL" key export-trust --out id.tmp "$1.pub" | sed -n 's/^\([0-9a-f]\{16\}\) .*/\1/p'; }
REL1=$(id rel1)
REL2=$(id rel2)
# v1 / v2 / v3 of the rotation in docs/trust.md; roots r1 r2, threshold 2
expect 0 "$FWSEAL" key export-trust --out v1.trust --version 1 --root r1.pub --root r2.pub \
	--root-threshold 2 --release rel1.pub
has out.txt "trust version 1, root threshold 2"
has out.txt "$REL1  trusted  release"
checks=$((checks + 1))
[ "$(od -An -tu1 -j4 -N1 v1.trust | tr -d ' ')" = 2 ] || fail "v1.trust is not format 2"
expect 0 "$FWSEAL" key export-trust --out v2.trust --version 2 --root r1.pub --root r2.pub \
	--root-threshold 2 --release rel1.pub --release rel2.pub --json
has out.txt '"format": 2'
has out.txt '"root_threshold": 2'
json_check "key export-trust" out.txt
expect 0 "$FWSEAL" key export-trust --out v3.trust --version 3 --root r1.pub --root r2.pub \
	--root-threshold 2 --release rel1.pub --release rel2.pub --revoke rel1.pub
has out.txt "$REL1  revoked  release"
# a key as root and release holds both; positional keys both roles
expect 0 "$FWSEAL" key export-trust --out both.trust --version 4 --root r1.pub --release r1.pub
has out.txt "root\+release"
expect 0 "$FWSEAL" key export-trust --out legacy.trust rel1.pub
checks=$((checks + 1))
[ "$(od -An -tu1 -j4 -N1 legacy.trust | tr -d ' ')" = 1 ] || fail "plain export-trust is no longer format 1"
# stores that could not govern a device are not written
expect 2 "$FWSEAL" key export-trust --out bad.trust --root r1.pub --root-threshold 2 --release rel1.pub
has err.txt "root threshold of 2"
expect 2 "$FWSEAL" key export-trust --out bad.trust --root r1.pub --release rel1.pub --revoke rel1.pub
has err.txt "no release key"
expect 2 "$FWSEAL" key export-trust --out bad.trust --root r1.pub --release rel1.pub --root-threshold 5
expect 2 "$FWSEAL" key export-trust --out bad.trust --version 0 rel1.pub
checks=$((checks + 1))
[ -e bad.trust ] && fail "bad.trust was written"

# --- trust-update ---------------------------------------------------------
expect 0 "$FWSEAL" trust-update --help && has out.txt '^Usage: fwseal trust-update'
expect 0 "$FWSEAL" trust-update --current v1.trust --new v2.trust --key r1.key --key r2.key \
	--out u2.fwseal
has out.txt "trust version 1 -> 2"
has out.txt "adds release key $REL2"
expect 0 "$FWSEAL" trust-update --current v2.trust --new v3.trust --key r1.key --key r2.key \
	--out u3.fwseal --json
has out.txt '"trust_version": 3'
has out.txt "revokes release key $REL1"
json_check trust-update out.txt
# one root short; a release key; a stranger; not newer; format 1
expect 2 "$FWSEAL" trust-update --current v2.trust --new v3.trust --key r1.key --out x.fwseal
has err.txt "need 2 signatures by root keys of v2.trust"
expect 2 "$FWSEAL" trust-update --current v2.trust --new v3.trust --key r1.key --key rel1.key --out x.fwseal
has err.txt "not an unrevoked root key"
expect 2 "$FWSEAL" trust-update --current v2.trust --new v3.trust --key r1.key --key r1.key --out x.fwseal
has err.txt "The same key is given twice with --key"
expect 2 "$FWSEAL" trust-update --current v2.trust --new v2.trust --key r1.key --key r2.key --out x.fwseal
has err.txt "not above"
expect 2 "$FWSEAL" trust-update --current v1.trust --new legacy.trust --key r1.key --key r2.key --out x.fwseal
has err.txt "format-1"
# new roots must prove possession
expect 0 "$FWSEAL" key export-trust --out v4r.trust --version 4 --root r3.pub --release rel2.pub
expect 2 "$FWSEAL" trust-update --current v3.trust --new v4r.trust --key r1.key --key r2.key --out x.fwseal
has err.txt "prove possession"
expect 0 "$FWSEAL" trust-update --current v3.trust --new v4r.trust --key r1.key --key r2.key \
	--key r3.key --out u4r.fwseal
checks=$((checks + 1))
[ -e x.fwseal ] && fail "x.fwseal was written"
# v5: only r3 is root; its update is signed by r3 alone
expect 0 "$FWSEAL" key export-trust --out v5.trust --version 5 --root r3.pub --release rel2.pub
expect 0 "$FWSEAL" trust-update --current v4r.trust --new v5.trust --key r3.key --out u5.fwseal

# --- inspect / verify -----------------------------------------------------
expect 0 "$FWSEAL" verify u3.fwseal --trust v2.trust && has out.txt "security key update to trust version 3"
expect 0 "$FWSEAL" verify u3.fwseal --trust v1.trust   # same roots: a v1 device takes it too
expect 4 "$FWSEAL" verify u2.fwseal --trust v3.trust && has err.txt "already has version 3"
expect 3 "$FWSEAL" verify u4r.fwseal --trust legacy.trust
expect 0 "$FWSEAL" inspect u3.fwseal --trust v2.trust --json && has out.txt '"version": "trust-3"'
json_check inspect out.txt
expect 0 "$FWSEAL" verify u3.fwseal --trust v2.trust --json && json_check verify out.txt
has out.txt '"kind": "trust-update"'
cp u3.fwseal t.fwseal
printf '\x00' | dd of=t.fwseal bs=1 seek=$(($(stat -c %s t.fwseal) - 16 - 32 - 100)) conv=notrunc status=none
expect 3 "$FWSEAL" verify t.fwseal --trust v2.trust
rm -f t.fwseal

# --- key import-trust -----------------------------------------------------
cp v1.trust host.trust
# u5 needs u4r before it: refused, and nothing is written even though the
# update before it in the list would have applied
expect 3 "$FWSEAL" key import-trust u2.fwseal u5.fwseal --trust host.trust
has err.txt "an earlier security key update is missing"
has err.txt "Nothing was changed"
same host.trust v1.trust
# versions may be skipped when the roots stay: u4r (signed by r1 r2 and the
# new root r3) checks against v1
expect 0 "$FWSEAL" key import-trust u4r.fwseal u5.fwseal --trust host.trust
same host.trust v5.trust
cp v1.trust host.trust
expect 0 "$FWSEAL" key import-trust u2.fwseal u3.fwseal --trust host.trust
has out.txt "u2.fwseal: trust version 1 -> 2"
has out.txt "u3.fwseal: trust version 2 -> 3"
same host.trust v3.trust
expect 0 "$FWSEAL" key import-trust u2.fwseal --trust host.trust --json
has out.txt '"applied": false'
has out.txt '"changed": false'
json_check "key import-trust" out.txt
cp v1.trust h2.trust
expect 0 "$FWSEAL" key import-trust u2.fwseal --trust h2.trust --json
has out.txt '"applied": true' && json_check "key import-trust" out.txt
expect 3 "$FWSEAL" key import-trust u5.fwseal --trust h2.trust --json
has out.txt '"ok": false' && json_check "key import-trust" out.txt
same host.trust v3.trust
# order matters: u3 first is fine (same roots), then u2 is older: skipped
cp v1.trust host.trust
expect 0 "$FWSEAL" key import-trust u3.fwseal u2.fwseal --trust host.trust
same host.trust v3.trust
expect 2 "$FWSEAL" key import-trust u3.fwseal
expect 2 "$FWSEAL" key import-trust --trust host.trust

# --- against the simulated device over a pty ------------------------------
MODEL=TRUST-THERMO
start_sim() { # start_sim STATE_DIR TRUST: sets DEV and SIM_PID
	: >sim.out
	"$SIM" --state "$1" --trust "$2" --model "$MODEL" --hw-rev 2 >sim.out 2>sim.err &
	SIM_PID=$!
	for _ in $(seq 100); do
		DEV=$(head -n 1 sim.out)
		case $DEV in serial:/dev/*) return 0 ;; esac
		sleep 0.05
	done
	fail "fwseal-sim did not start"
	cat sim.err
	exit 1
}
pack() { # pack OUT VERSION COUNTER KEY...
	local out=$1 v=$2 c=$3 args=()
	shift 3
	for k in "$@"; do args+=(--key "$k.key"); done
	head -c $((9000 + c * 100)) /dev/urandom >img.bin
	"$FWSEAL" pack --image img.bin --release "$REL" "${args[@]}" --out "$out" \
		--set model=$MODEL --set hw_rev_min=1 --set hw_rev_max=3 --set version="$v" \
		--set security_counter="$c" >/dev/null || fail "pack $out"
}
mkdir pk
pack pk/fw1.fwseal 1.0.0 1 rel1
pack pk/fw2.fwseal 2.0.0 2 rel1 rel2
pack fw2b.fwseal 2.0.1 2 rel2
pack fw3old.fwseal 3.0.0 3 rel1
cp u2.fwseal u3.fwseal pk/
start_sim dev v1.trust
cp v1.trust host.trust
expect 0 "$FWSEAL" flash pk/fw1.fwseal --device "$DEV" --trust host.trust --yes
expect 0 "$FWSEAL" info "$DEV"
has out.txt "Trust store +version 1, root threshold 2, sha256 $(sha256sum v1.trust | cut -c1-64)"
has out.txt "$REL1 release$"
# v3 revokes the key of the only image the device runs: the device refuses
expect 4 "$FWSEAL" flash u3.fwseal --device "$DEV" --trust v2.trust --yes
has err.txt "trust-orphans-image"
expect 0 "$FWSEAL" info "$DEV" --json
has out.txt '"version": 1,'
# firmware signed by rel2 only: the host follows u2 found next to it; the
# device is behind and gets the update named
cp fw2b.fwseal pk/
expect 3 "$FWSEAL" flash pk/fw2b.fwseal --device "$DEV" --trust host.trust --yes
has err.txt "advanced from version 1 to 3"
has err.txt "Install the security key update pk/u2.fwseal"
same host.trust v3.trust
rm pk/fw2b.fwseal
# the rotation on the device
expect 0 "$FWSEAL" flash pk/u2.fwseal --device "$DEV" --trust host.trust --yes
has out.txt "Keys +adds release key $REL2"
has out.txt "now trusts the keys of trust version 2"
expect 0 "$FWSEAL" flash pk/u2.fwseal --device "$DEV" --trust host.trust --yes
has out.txt "already has trust version 2"
expect 0 "$FWSEAL" flash pk/fw2.fwseal --device "$DEV" --trust host.trust --yes
expect 0 "$FWSEAL" flash pk/u3.fwseal --device "$DEV" --trust host.trust --yes --json
has out.txt '"event":"done".*"trust_version":3'
json_events out.txt
expect 0 "$FWSEAL" flash pk/u3.fwseal --device "$DEV" --trust host.trust --yes --json
has out.txt '"event":"done".*"already":true'
json_events out.txt
expect 0 "$FWSEAL" info "$DEV" --json
json_check info out.txt
has out.txt '"sha256": "'"$(sha256sum v3.trust | cut -c1-64)"'"'
has out.txt '"revoked": true'
# after the rotation: rel1's package is refused by the device (a host that
# still trusts rel1 sends it: v2) and reported by verify --device
expect 3 "$FWSEAL" verify fw3old.fwseal --trust v2.trust --device "$DEV"
has err.txt "revoked the key"
expect 3 "$FWSEAL" flash fw3old.fwseal --device "$DEV" --trust v2.trust --yes
has err.txt "revoked"
# replaying the old update: refused before sending, and by the device
expect 4 "$FWSEAL" flash pk/u2.fwseal --device "$DEV" --trust v1.trust --yes
has err.txt "already has version 3"
# a host store too old for a new package, no update to be found
mkdir lone
pack lone/fw4.fwseal 4.0.0 4 rel2
cp v1.trust old.trust
expect 3 "$FWSEAL" flash lone/fw4.fwseal --device "$DEV" --trust old.trust --yes
has err.txt "^fwseal: .*not signed by any key the trust store holds"
has err.txt "^  Your trust store old.trust \(version 1\) does not know key $REL2 yet"
has err.txt "needs the security key update \(a trust version above 1\)"
same old.trust v1.trust
# the advanced store cannot be saved (its folder, /proc/self/fd, takes no
# new file, even for root): nothing is sent
expect 5 "$FWSEAL" flash lone/fw4.fwseal --device "$DEV" --trust /proc/self/fd/3 --yes \
	--trust-update u3.fwseal --json 3<old.trust
has err.txt "would advance to version 3 through the security key updates found, but it cannot be saved; nothing was sent"
has out.txt '"event":"error".*"code":"trust-store-unsaved".*"exit":5'
same old.trust v1.trust
expect 0 "$FWSEAL" info "$DEV"
checks=$((checks + 1))
grep -q "Firmware +4.0.0" out.txt && fail "the package was sent although the store was not saved"
expect 0 "$FWSEAL" flash lone/fw4.fwseal --device "$DEV" --trust old.trust --yes \
	--trust-update u3.fwseal
same old.trust v3.trust
expect 0 "$FWSEAL" info "$DEV" && has out.txt "Firmware +4.0.0"
# an update next to the package adds its signer but needs an earlier one
mkdir gap
pack gap/fw6.fwseal 6.0.0 6 rel2
cp u5.fwseal gap/
cp v1.trust old.trust
expect 3 "$FWSEAL" flash gap/fw6.fwseal --device "$DEV" --trust old.trust --yes --json
has err.txt "^fwseal: .*not signed by any key the trust store holds"
has err.txt "^  Your trust store old.trust \(version 1\) does not know key $REL2 yet. The security key update gap/u5.fwseal \(trust version 5\) adds it, but it does not verify against your store"
has out.txt '"event":"error".*"code":"untrusted-key".*"exit":3'
same old.trust v1.trust
# a security key update the host's roots did not sign, nothing in between
expect 3 "$FWSEAL" flash gap/u5.fwseal --device "$DEV" --trust old.trust --yes
has err.txt "^fwseal: .*not signed by enough root keys"
has err.txt "^  No chain of the security key updates given or found next to it leads from your trust store old.trust \(version 1\)"
same old.trust v1.trust
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
SIM_PID=

# the simulator's planted defects for the trust rules exist (the stub tests,
# test-stub_trust_defects, show each one taking what is refused above)
for d in trust-skip-roots trust-skip-new-roots trust-accept-rollback trust-skip-usable \
	trust-skip-image-check trust-skip-payload-check trust-in-place ignore-revoked; do
	expect 0 "$SIM" --defect "$d" --ram
done
checks=$((checks + 1))
"$SIM" --defect trust-skip-everything --ram >/dev/null 2>&1
[ $? = 2 ] || fail "fwseal-sim took an unknown defect"
expect_summary
