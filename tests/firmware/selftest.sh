#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# selftest.sh SELFTEST_ELF - run the firmware's crypto self-test on the
# emulated Cortex-M3: SHA-256 and ECDSA P-256 (RFC 6979 A.2.5 vector) through
# protocol/src/crypto.c and the firmware's mbedTLS build, a tampered digest
# rejected. The firmware stops QEMU with its verdict (semihosting exit).
set -u
ELF=$1
out=$(timeout 60 qemu-system-arm -M mps2-an385 -display none -monitor none -nodefaults \
	-serial stdio -semihosting-config enable=on,target=native -kernel "$ELF" 2>/dev/null)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] && echo "$out" | grep -qx "RESULT PASS"
