#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `fwseal pack --key pkcs11:...` against a SoftHSM2 token made in a temp dir:
# a P-256 key generated on the token, its public key exported into a trust
# store, a package signed by the token and verified. Exit 77 (skip) if
# SoftHSM2 or OpenSC's pkcs11-tool is not installed.
# Usage: test_pkcs11.sh FWSEAL RELEASE_EXAMPLE
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
FWSEAL=$(realpath "$1")
REL=$(realpath "$2")
MOD=${FWSEAL_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
for p in softhsm2-util pkcs11-tool openssl; do
	command -v $p >/dev/null || { echo "SKIP: $p not installed"; exit 77; }
done
[ -e "$MOD" ] || { echo "SKIP: $MOD missing"; exit 77; }

T=$(mktemp -d /tmp/fwseal-p11-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
export SOFTHSM2_CONF=$T/softhsm2.conf
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" >"$SOFTHSM2_CONF"

. "$SUPPORT/expect.sh"

softhsm2-util --init-token --free --label fwseal-test --pin 123456 --so-pin 654321 >/dev/null ||
	{ echo "FAIL: cannot create a SoftHSM2 token"; exit 1; }
pkcs11-tool --module "$MOD" --token-label fwseal-test --login --pin 123456 \
	--keypairgen --key-type EC:prime256v1 --label signer --id 01 >/dev/null 2>&1 ||
	{ echo "FAIL: cannot generate a P-256 key on the token"; exit 1; }
pkcs11-tool --module "$MOD" --token-label fwseal-test --read-object --type pubkey \
	--label signer -o pub.der >/dev/null 2>&1 &&
	openssl pkey -pubin -inform DER -in pub.der -out token.pub 2>/dev/null ||
	{ echo "FAIL: cannot export the token's public key"; exit 1; }

expect 0 "$FWSEAL" key export-trust --out trust.bin token.pub
KID=$(awk '{print $1; exit}' out.txt)
head -c 50000 /dev/urandom >img.bin

# PIN in the URI, explicit module: works, with a warning (argv is public)
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --out a.fwseal \
	--key "pkcs11:token=fwseal-test;object=signer?pin-value=123456" --pkcs11-module "$MOD"
grep -q "signed by key id: $KID" out.txt || fail "pack did not sign with the token key $KID"
checks=$((checks + 1))
grep -q 'warning: the PIN in pin-value= .*--pin-file' err.txt || fail "no warning about pin-value="
expect 0 "$FWSEAL" verify a.fwseal --trust trust.bin

# PIN from pin-source= in the URI (a file; its second line is no part of it)
printf '123456\nnot the PIN\n' >pin-src.txt
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --out s.fwseal \
	--key "pkcs11:token=fwseal-test;object=signer?pin-source=file:$T/pin-src.txt" \
	--pkcs11-module "$MOD"
checks=$((checks + 1))
if grep -q 'warning' err.txt; then fail "pin-source= warned: $(cat err.txt)"; fi
expect 0 "$FWSEAL" verify s.fwseal --trust trust.bin

# PIN from a file, key chosen by id, the module from p11-kit's registry
printf '123456\n' >pin.txt
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --out b.fwseal \
	--key "pkcs11:token=fwseal-test;id=%01" --pin-file pin.txt --pkcs11-module "$MOD"
expect 0 "$FWSEAL" verify b.fwseal --trust trust.bin
if [ -e /usr/share/p11-kit/modules/softhsm2.module ]; then
	expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --out c.fwseal \
		--key "pkcs11:token=fwseal-test;object=signer" --pin-file pin.txt
	expect 0 "$FWSEAL" verify c.fwseal --trust trust.bin
fi

# a token key and a key file together (rotation)
expect 0 "$FWSEAL" key generate --out f
expect 0 "$FWSEAL" pack --image img.bin --release "$REL" --out d.fwseal --key f.key \
	--key "pkcs11:token=fwseal-test;object=signer?pin-value=123456" --pkcs11-module "$MOD"
expect 0 "$FWSEAL" verify d.fwseal --trust trust.bin

# refusals, with nothing written
printf '000000\n' >badpin.txt
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --out e.fwseal \
	--key "pkcs11:token=fwseal-test;object=signer" --pin-file badpin.txt --pkcs11-module "$MOD"
grep -q 'PIN' err.txt || fail "wrong PIN is not named in: $(cat err.txt)"
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --out e.fwseal \
	--key "pkcs11:token=no-such-token;object=signer?pin-value=123456" --pkcs11-module "$MOD"
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --out e.fwseal \
	--key "pkcs11:token=fwseal-test;object=nothing?pin-value=123456" --pkcs11-module "$MOD"
expect 1 "$FWSEAL" pack --image img.bin --release "$REL" --out e.fwseal \
	--key "pkcs11:token=fwseal-test;object=signer?pin-value=123456" --pkcs11-module /nonexistent.so
checks=$((checks + 1))
[ -e e.fwseal ] && fail "a failed pack left e.fwseal"

expect_summary
