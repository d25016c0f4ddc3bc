#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerate the seed corpus of fuzz_pkg.c (tests/corpus/pkg/) and the trust
# store it is verified against (tests/fuzz/fuzz_pkg_trust.h). A throwaway key
# signs the seeds and is deleted at the end: only its public trust store is
# kept, so no private key is ever committed. Run once after a package format
# change: tests/fuzz/make_pkg_corpus.sh BUILD_DIR/host-tool/cli/fwseal
# Each seed file is one control byte (see fuzz_pkg.c) + a package without its
# DFU suffix.
set -eu
FWSEAL=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/../corpus/pkg
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

"$FWSEAL" key generate --out throwaway >/dev/null
"$FWSEAL" key generate --out second >/dev/null
"$FWSEAL" key export-trust --out trust.bin throwaway.pub second.pub --revoke second.pub >/dev/null
cp trust.bin.h "$HERE/fuzz_pkg_trust.h"

cat >min.ini <<'INI'
vendor_id = 0x1209
class_id = 0x0001
model = FUZZ-1
version = 1
security_counter = 1
block_size = 256
release_date = 2025-01-01
support_end = 2030-01-01
INI
sed 's/^block_size.*/block_size = 256/' "$HERE/../../examples/release-example.ini" >full.ini

mkdir -p "$OUT"
rm -f "$OUT"/*
seed() { # seed NAME CONTROL PKG
	{ printf "\\x$2"; head -c -16 "$3"; } >"$OUT/$1"
}
printf 'A' >one.bin
head -c 700 /dev/urandom >small.bin
head -c 1024 /dev/urandom >exact.bin
"$FWSEAL" pack --image one.bin --release min.ini --key throwaway.key --out a.fwseal >/dev/null
"$FWSEAL" pack --image small.bin --release full.ini --key throwaway.key --out b.fwseal >/dev/null
"$FWSEAL" pack --image exact.bin --release min.ini --key throwaway.key --key second.key --out c.fwseal >/dev/null
"$FWSEAL" pack --image small.bin --release min.ini --key second.key --out d.fwseal >/dev/null
"$FWSEAL" pack --image small.bin --release min.ini --key throwaway.key --out e.fwseal --set block_size=8192 >/dev/null
seed one-byte-image 00 a.fwseal
seed full-manifest 05 b.fwseal
seed two-signers 0a c.fwseal
seed revoked-signer 03 d.fwseal
seed full-manifest-unverified 81 b.fwseal
seed small-buffer 01 e.fwseal
seed big-block 02 e.fwseal
ls -l "$OUT"
