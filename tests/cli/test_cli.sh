#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the fwseal CLI contracts (issue 2): key generate /
# export-trust, pack, inspect, verify, exit codes (host-tool/cli/exitcodes.h)
# and one-sentence errors. Usage: test_cli.sh FWSEAL RELEASE_EXAMPLE
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
FWSEAL=$(realpath "$1")
REL=$(realpath "$2")
T=$(mktemp -d /tmp/fwseal-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"
u32le() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# --- front door -----------------------------------------------------------
expect 0 "$FWSEAL" --version && has out.txt '^fwseal [0-9]'
expect 0 "$FWSEAL" --help && has out.txt 'pack'
for c in key pack inspect verify; do
	expect 0 "$FWSEAL" $c --help && has out.txt "^Usage: fwseal $c"
done
expect 2 "$FWSEAL" frobnicate
expect 2 "$FWSEAL"
expect 2 "$FWSEAL" pack --no-such-option
expect 2 "$FWSEAL" verify x.fwseal
expect 2 "$FWSEAL" key generate

# --- keys -----------------------------------------------------------------
expect 0 "$FWSEAL" key generate --out k1 && has out.txt '^key id: [0-9a-f]{16}$'
K1=$(sed -n 's/^key id: //p' out.txt)
checks=$((checks + 1))
[ "$(stat -c %a k1.key)" = 600 ] || fail "k1.key mode is $(stat -c %a k1.key), not 600"
if command -v openssl >/dev/null; then
	# key id = first 8 bytes of SHA-256 of the 65-byte uncompressed point
	want=$(openssl pkey -pubin -in k1.pub -outform DER 2>/dev/null | tail -c 65 | sha256sum | cut -c1-16)
	checks=$((checks + 1))
	[ "$want" = "$K1" ] || fail "key id $K1 is not SHA-256(pub)[0:8] = $want"
	openssl pkey -in k1.key -noout 2>/dev/null || fail "k1.key is not a standard PEM key"
fi
sum_before=$(sha256sum k1.key k1.pub)
expect 5 "$FWSEAL" key generate --out k1 && has err.txt 'already exists'
checks=$((checks + 1))
[ "$sum_before" = "$(sha256sum k1.key k1.pub)" ] || fail "key generate overwrote k1"
expect 0 "$FWSEAL" key generate --out k2
K2=$(sed -n 's/^key id: //p' out.txt)
expect 0 "$FWSEAL" key generate --out k3 --json && has out.txt '"key_id": "[0-9a-f]{16}"'
K3=$(sed -n 's/.*"key_id": "\([0-9a-f]*\)".*/\1/p' out.txt)
checks=$((checks + 1))
ls ./*.tmp-* >/dev/null 2>&1 && fail "temp files left behind"

expect 0 "$FWSEAL" key export-trust --out trust.bin k1.pub k2.pub
has out.txt "^$K1  trusted"
has out.txt "^$K2  trusted"
has trust.bin.h "key id $K1"
if command -v cc >/dev/null; then
	printf '#include "trust.bin.h"\nint main(void) { return fwseal_trust_store[0] == 0x46 && sizeof(fwseal_trust_store) == FWSEAL_TRUST_STORE_LEN ? 0 : 1; }\n' >t.c
	checks=$((checks + 1))
	cc -std=c11 -Wall -Werror -o t t.c && ./t || fail "trust.bin.h does not compile into a firmware build"
fi
expect 0 "$FWSEAL" key export-trust --out trust-rev.bin k1.pub k2.pub --revoke k2.pub
has out.txt "^$K2  revoked"
expect 0 "$FWSEAL" key export-trust --out trust-rev1.bin k1.pub k2.pub --revoke "$K1" --json
has out.txt '"revoked": true'
expect 0 "$FWSEAL" key export-trust --out trust3.bin k3.pub
expect 2 "$FWSEAL" key export-trust --out x.bin k1.pub --revoke 0011223344556677
expect 2 "$FWSEAL" key export-trust --out x.bin k1.pub --revoke nonsense
expect 1 "$FWSEAL" key export-trust --out x.bin k1.key
# one key twice (under another file name too): refused, nothing written
cp k1.pub k1-again.pub
expect 2 "$FWSEAL" key export-trust --out dup.bin k1.pub k2.pub k1-again.pub
has err.txt "given twice"
checks=$((checks + 1))
[ ! -e dup.bin ] || fail "export-trust wrote a store that lists one key twice"

# --- pack / inspect / verify ------------------------------------------------
head -c 100000 /dev/urandom >img.bin
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out p.fwseal
has out.txt "signed by key id: $K1"
# golden: same inputs and key give the same bytes (RFC 6979 signatures)
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out p2.fwseal
checks=$((checks + 1))
cmp -s p.fwseal p2.fwseal || fail "pack is not deterministic"
if command -v dfu-suffix >/dev/null; then
	checks=$((checks + 1))
	dfu-suffix -c p.fwseal 2>&1 | grep -q 'Vendor ID:.*0x1209' || fail "dfu-suffix does not accept the package"
fi

expect 0 "$FWSEAL" inspect p.fwseal
for pat in 'Model: +ACME-THERMO-2' 'Vendor / class id: +0x1209 / 0x0001' 'Hardware revisions: +1 to 3' \
	'Component: +app' 'Version: +1\.4\.2' 'Security counter: +7' 'Security update: +yes, severity high' \
	'CVEs: +CVE-2024-12345, CVE-2024-23456' 'Disruption: +device reboots, expected downtime 30 s' \
	'Release date: +2025-01-15' 'Security support: +until 2028-12-31' "Signer key id: +$K1" \
	'Payload: +100000 bytes in 25 blocks of 4096 bytes' 'Signature: +not checked' \
	'^  Improves temperature accuracy below 0 degrees C\.$' 'Integrity: +ok' \
	"Image SHA-256: +$(sha256sum img.bin | cut -c1-64)" "Package SHA-256: +$(sha256sum p.fwseal | cut -c1-64)"; do
	has out.txt "$pat"
done
expect 0 "$FWSEAL" inspect p.fwseal --json --trust trust.bin
has out.txt '"signature_valid": true'
has out.txt '"security_counter": 7,'
has out.txt '"release_notes": "Fixes the Bluetooth pairing crash.\\nImproves'
if command -v jq >/dev/null; then
	# golden round trip: exactly the fields of examples/release-example.ini
	want='{"model":"ACME-THERMO-2","vendor_id":4617,"class_id":1,"hw_rev_min":1,"hw_rev_max":3,"component":"app","version":"1.4.2","security_counter":7,"security":{"security_update":true,"severity":"high","risks":"A crafted Bluetooth pairing request could crash the device.","cves":["CVE-2024-12345","CVE-2024-23456"]},"disruption":{"reboot":true,"downtime_s":30},"release_date":"2025-01-15","support_end":"2028-12-31","release_notes":"Fixes the Bluetooth pairing crash.\nImproves temperature accuracy below 0 degrees C.\nThe display turns off after 5 minutes without use.","block_size":4096,"payload_size":100000,"signer_key_ids":["'$K1'"]}'
	got=$(jq -c '{model,vendor_id,class_id,hw_rev_min,hw_rev_max,component,version,security_counter,security,disruption,release_date,support_end,release_notes,block_size,payload_size,signer_key_ids}' out.txt)
	checks=$((checks + 1))
	[ "$got" = "$want" ] || fail "inspect --json does not round-trip the release description:
    got  $got
    want $want"
elif command -v python3 >/dev/null; then
	checks=$((checks + 1))
	python3 -m json.tool out.txt >/dev/null || fail "inspect --json is not JSON"
fi

expect 0 "$FWSEAL" verify p.fwseal --trust trust.bin && has out.txt "OK\. Authentic \(key id $K1\)"
expect 0 "$FWSEAL" verify p.fwseal --trust trust.bin --model ACME-THERMO-2 --hw-rev 2 --min-counter 7
expect 0 "$FWSEAL" verify p.fwseal --trust trust.bin --json && has out.txt '"ok": true'

# --set overrides the release description
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out s.fwseal \
	--set model=OTHER-1 --set version=2.0.0 --set security_counter=12
expect 0 "$FWSEAL" inspect s.fwseal
has out.txt 'Model: +OTHER-1'
has out.txt 'Version: +2\.0\.0'
has out.txt 'Security counter: +12'

# text fields: no control character (C0 but newline/tab, DEL, C1) and only
# valid UTF-8 in a package; U+009B and a raw 0x9B are both CSI (escape
# sequences) to some terminal
CSI=$(printf '\302\233')
expect 2 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out c1.fwseal \
	--set "release_notes=red ${CSI}31m text"
has err.txt 'release_notes contains a control character \(U\+009B\)'
expect 2 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out c1.fwseal \
	--set "risks=raw $(printf '\233')31m"
has err.txt 'risks is not valid UTF-8'
checks=$((checks + 1))
[ ! -e c1.fwseal ] || fail "pack wrote a package with a control character in its text"
# edited after signing (inspect shows packages without checking the
# signature): the control character never reaches the terminal
cp p.fwseal c1.fwseal
at=$(grep -boa 'degrees C' c1.fwseal | head -n 1 | cut -d: -f1)
printf '%s' "$CSI" | dd of=c1.fwseal bs=1 seek="$at" conv=notrunc status=none
"$FWSEAL" inspect c1.fwseal >out.txt 2>err.txt
checks=$((checks + 1))
if grep -qa "$CSI" out.txt err.txt; then fail "inspect printed a C1 control character"; fi
expect 3 "$FWSEAL" inspect c1.fwseal && has err.txt 'manifest is malformed'

# --- policy refusals: exit 4 ------------------------------------------------
expect 4 "$FWSEAL" verify p.fwseal --trust trust.bin --model OTHER-1 && has err.txt "for model ACME-THERMO-2, not OTHER-1\."
expect 4 "$FWSEAL" verify p.fwseal --trust trust.bin --hw-rev 4
expect 4 "$FWSEAL" verify p.fwseal --trust trust.bin --min-counter 8 && has err.txt 'Version 1\.4\.2 \(security counter 7\) is older than the required security counter 8\. A downgrade is refused'
expect 4 "$FWSEAL" verify p.fwseal --trust trust.bin --min-counter 8 --json && has out.txt '"error": "downgrade"'

# --- untrusted / tampered: exit 3 ---------------------------------------------
expect 3 "$FWSEAL" verify p.fwseal --trust trust3.bin && has err.txt 'not signed by any key the trust store holds'
has err.txt "^  signed by key $K1\$"
has err.txt "^  the trust store trust3\.bin holds $K3\$"
expect 3 "$FWSEAL" inspect p.fwseal --trust trust3.bin
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key k2.key --out by2.fwseal
expect 3 "$FWSEAL" verify by2.fwseal --trust trust-rev.bin && has err.txt 'revoked'
expect 0 "$FWSEAL" verify by2.fwseal --trust trust-rev1.bin
# rotation: two signatures, a device trusting either accepts
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --key k3.key --out two.fwseal
expect 0 "$FWSEAL" verify two.fwseal --trust trust3.bin
expect 0 "$FWSEAL" inspect two.fwseal && has out.txt "Signer key id: +$K3"

size=$(stat -c %s p.fwseal)
mlen=$(u32le p.fwseal 8)
sig=$((16 + mlen))
for off in 0 4 9 $((16 + 5)) $((16 + mlen / 2)) $((sig + 3)) $((sig + 40)) $((sig + 76 + 10)) \
	$((size / 2)) $((size - 40)) $((size - 12)) $((size - 1)); do
	cp p.fwseal t.fwseal
	flip t.fwseal "$off"
	expect 3 "$FWSEAL" verify t.fwseal --trust trust.bin || echo "    (byte $off of $size)"
done
cp p.fwseal t.fwseal && flip t.fwseal $((size / 2))
expect 3 "$FWSEAL" verify t.fwseal --trust trust.bin --json && has out.txt '"error": "block-digest"'
for len in 0 10 $((sig + 10)) $((size / 2)) $((size - 16)) $((size - 1)); do
	head -c "$len" p.fwseal >t.fwseal
	expect 3 "$FWSEAL" verify t.fwseal --trust trust.bin || echo "    (truncated to $len)"
done
cp p.fwseal t.fwseal && printf 'x' >>t.fwseal
expect 3 "$FWSEAL" verify t.fwseal --trust trust.bin
expect 3 "$FWSEAL" inspect t.fwseal
expect 5 "$FWSEAL" verify missing.fwseal --trust trust.bin
expect 5 "$FWSEAL" verify p.fwseal --trust missing.bin

# --- release description errors: exit 2, with file and line -----------------
printf 'vendor_id = 1\nclass_id = 1\nmodel = m\nversion = 1\nsecurity_counter = 1\nrelease_date = 2025-02-30\nsupport_end = 2026-01-01\n' >bad-date.ini
expect 2 "$FWSEAL" pack --image img.bin --release bad-date.ini --key k1.key --out o.fwseal && has err.txt 'bad-date.ini:6: .*YYYY-MM-DD'
printf 'vendor_id = 1\ncolour = red\n' >bad-field.ini
expect 2 "$FWSEAL" pack --image img.bin --release bad-field.ini --key k1.key --out o.fwseal && has err.txt "bad-field.ini:2: unknown field 'colour'"
printf 'vendor_id = 1\nclass_id = 1\nmodel = m\nsecurity_counter = 1\nrelease_date = 2025-01-01\nsupport_end = 2026-01-01\n' >missing.ini
expect 2 "$FWSEAL" pack --image img.bin --release missing.ini --key k1.key --out o.fwseal && has err.txt "^fwseal: missing.ini: required field 'version' is missing\. Add a line"
expect 2 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out o.fwseal --set model=
expect 2 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out o.fwseal --set model=123456789012345678901234567890123
checks=$((checks + 1))
[ -e o.fwseal ] && fail "a failed pack left o.fwseal"

# --- failures never leave a partial package ------------------------------------
expect 5 "$FWSEAL" pack --image missing.bin --release "$REL" --key k1.key --out o.fwseal
expect 5 "$FWSEAL" pack --image img.bin --release "$REL" --key nokey.key --out o.fwseal
# a private key others can read is refused, as ssh does, with the chmod that fixes it
cp k1.key open.key
for mode in 640 604 660 644; do
	chmod "$mode" open.key
	expect 5 "$FWSEAL" pack --image img.bin --release "$REL" --key open.key --out o.fwseal
	has err.txt "can be read or changed by other users \(mode 0$mode\).*chmod 600 open.key"
done
chmod 600 open.key
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key open.key --out o.fwseal
rm -f o.fwseal
# pin-value= is no longer suggested (a PIN in argv is visible to all users)
expect 0 "$FWSEAL" pack --help
checks=$((checks + 1))
if grep -q 'pin-value' out.txt; then fail "pack --help suggests pin-value="; fi
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.pub --out o.fwseal
expect 5 "$FWSEAL" pack --image img.bin --release "$REL" --key k1.key --out no-such-dir/o.fwseal
if command -v openssl >/dev/null; then
	# a key made by OpenSSL works if it is P-256; other keys are refused
	openssl ecparam -name prime256v1 -genkey -noout -out ossl.key 2>/dev/null
	chmod 600 ossl.key
	expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key ossl.key --out ossl.fwseal
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa.key 2>/dev/null
	chmod 600 rsa.key
	expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --key rsa.key --out o.fwseal && has err.txt 'not an ECDSA P-256 key'
fi
checks=$((checks + 1))
{ [ -e o.fwseal ] || ls ./*.tmp-* >/dev/null 2>&1; } && fail "a failed pack left files behind"
cp p.fwseal keep.fwseal
expect 5 "$FWSEAL" pack --image missing.bin --release "$REL" --key k1.key --out keep.fwseal
checks=$((checks + 1))
cmp -s p.fwseal keep.fwseal || fail "a failed pack changed the existing output"

# --- passphrase-protected key ----------------------------------------------------
printf 'correct horse battery staple\n' >pass.txt
printf 'wrong\n' >wrong.txt
expect 0 "$FWSEAL" key generate --out kp --passphrase-file pass.txt
pem_label="PRIVATE KEY"  # kept apart from BEGIN so key scanners do not flag this file
has kp.key "BEGIN FWSEAL ENCRYPTED $pem_label"
expect 0 "$FWSEAL" key export-trust --out trustp.bin kp.pub
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --key kp.key --out pp.fwseal && has err.txt 'passphrase'
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --key kp.key --out pp.fwseal --passphrase-file wrong.txt
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --key kp.key --out pp.fwseal --passphrase-file pass.txt
expect 0 "$FWSEAL" verify pp.fwseal --trust trustp.bin

expect_summary
