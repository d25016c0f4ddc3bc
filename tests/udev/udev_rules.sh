#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# udev_rules.sh RULES - udev itself parses fwseal's rules file without a
# complaint (data/udev/70-fwseal.rules: USB DFU devices and the USB serial
# adapters, uaccess).
#
# `udevadm test` reads the rules directories, so it runs in a private mount
# namespace where they hold only this file, with /run and /dev (which it
# writes to) on private temporary folders: nothing of the machine's udev
# set-up is read or changed. It processes a device every machine has
# (/sys/class/tty/tty0); the rules must load without "Invalid" lines.
# A line that is not valid udev syntax is caught here; a faulty match is
# not (no USB adapter exists in a test): see the comment in the rules file.
# Skipped (77) without root, unshare or udevadm.
set -u
RULES=$1
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
	! command -v udevadm >/dev/null 2>&1 || [ ! -e /sys/class/tty/tty0 ]; then
	echo "needs root, unshare, udevadm and /sys/class/tty/tty0: skipped"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-udev.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
mkdir -p "$T/rules" "$T/run" "$T/dev"
cp "$RULES" "$T/rules/"
# a rule that is certainly invalid, to prove the check can fail
printf 'SUBSYSTEM=="tty", NOT_A_KEY="x"\n' >"$T/rules/99-canary.rules"

unshare -m sh -c '
	T=$1
	for d in /etc/udev/rules.d /lib/udev/rules.d /usr/lib/udev/rules.d /run/udev/rules.d \
	         /usr/local/lib/udev/rules.d; do
		[ -d "$d" ] && mount --bind "$T/rules" "$d"
	done
	mount --bind "$T/run" /run && mount --bind "$T/dev" /dev &&
		udevadm test --action=add /sys/class/tty/tty0
' sh "$T" >"$T/out" 2>&1
name=$(basename "$RULES")
if ! grep -q "Reading rules file: .*/$name" "$T/out"; then
	cat "$T/out" >&2
	echo "FAIL: udevadm did not read $name" >&2
	exit 1
fi
if ! grep -q "99-canary.rules.*Invalid" "$T/out"; then
	cat "$T/out" >&2
	echo "FAIL: udevadm did not flag the canary rule; the check cannot see errors" >&2
	exit 1
fi
if grep "$name" "$T/out" | grep -qiv "Reading rules file\|Skipping overridden"; then
	grep "$name" "$T/out" >&2
	echo "FAIL: udev complains about $name" >&2
	exit 1
fi
echo "ok: udev reads $name without a complaint"
