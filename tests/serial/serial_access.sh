#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# serial_access.sh FWSEAL FWSEAL_SIM - a device the user may not open is
# listed with why and the fix, and `fwseal list` exits non-zero (issue 15,
# "why a device is missing").
#
# The tests run as root, who may open anything, so the lack of permission
# is made for real: the simulated device's pty is given to root:dialout
# with mode 0660 (as udev does with /dev/ttyUSB0), and `fwseal list` runs
# as the unprivileged user nobody (setpriv), once without the group, once
# with it, then once more with the port root's alone (mode 0600: only the
# udev rule helps). Skipped (77) when not root or setpriv is missing.
set -u

FWSEAL=$1
SIM=$2
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "needs root and setpriv (util-linux) to make a permission problem: skipped"
	exit 77
fi
if ! getent group dialout >/dev/null || ! getent passwd nobody >/dev/null; then
	echo "needs the group dialout and the user nobody: skipped"
	exit 77
fi
. "$(dirname "$0")/../support/simproc.sh"
chmod 755 "$T"

# as_nobody [setpriv group options] -- CMD...: run CMD as nobody
as_nobody() {
	groups=$1
	shift
	# shellcheck disable=SC2086
	env FWSEAL_SERIAL_PORTS="$PORT" setpriv --reuid=nobody --regid=nogroup $groups -- "$@"
}
# expect_rc WANT NAME CMD...: run, keep stdout/stderr in $T/NAME.{out,err}
expect_rc() {
	want=$1
	name=$2
	shift 2
	"$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want"
}
has() { grep -qF -- "$2" "$T/$1" || fail "$1 does not say: $2"; }

if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$FWSEAL" --version \
	>/dev/null 2>&1; then
	echo "the user nobody cannot run $FWSEAL (a private build folder?): skipped"
	exit 77
fi

step "a simulated device on a pty owned by root:dialout, mode 0660"
"$FWSEAL" key generate --out "$T/k" >/dev/null || fail "key generate"
"$FWSEAL" key export-trust --out "$T/trust.fwst" "$T/k.pub" >/dev/null || fail "export-trust"
start_sim dev --model ACCESS-THERMO --serial-number SN-ACCESS
PORT=${DEV#serial:}
chgrp dialout "$PORT" && chmod 0660 "$PORT" || fail "cannot give $PORT to dialout"

step "not in the group: listed with the reason and the command, exit 5"
expect_rc 5 list as_nobody --clear-groups "$FWSEAL" list
has list.out "serial:$PORT"
has list.out "(cannot open: no permission)"
has list.out "only members of the group 'dialout' may open it"
has list.out "sudo usermod -aG dialout nobody"
has list.out "log out and back in"
has list.err "1 device could not be opened"
if grep -q "No fwseal device found" "$T/list.err"; then
	fail "says no device was found although one was seen"
fi
expect_rc 5 listjson as_nobody --clear-groups "$FWSEAL" list --json
has listjson.out '"count": 0'
has listjson.out '"device": "serial:'"$PORT"'"'
has listjson.out '"reason": "permission"'
has listjson.out '"group": "dialout"'
has listjson.out '"command": "sudo usermod -aG dialout nobody"'

step "no --device: not 'no device found' but the one that cannot be opened, exit 5"
expect_rc 5 info as_nobody --clear-groups "$FWSEAL" info
has info.err "fwseal: serial:$PORT may be a fwseal device but cannot be opened (no permission); 'fwseal list' says why and what fixes it."

if [ -n "${FWSEAL_LOCALEDIR:-}" ] && command -v localedef >/dev/null 2>&1 &&
	localedef -i de_DE -f UTF-8 "$T/de_DE.UTF-8" >/dev/null 2>&1; then
	step "the same in German (LANG=de_DE.UTF-8); --json stays as it is"
	# glibc keeps the $LOCPATH list for good; LSan (ASan builds) would say so
	export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/../support" && pwd)/lsan-locpath.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	chmod -R a+rX "$T/de_DE.UTF-8"
	expect_rc 5 listde as_nobody --clear-groups env -u LANGUAGE -u LC_ALL LANG=de_DE.UTF-8 \
		LOCPATH="$T" FWSEAL_LOCALEDIR="$FWSEAL_LOCALEDIR" "$FWSEAL" list
	has listde.out "(nicht zu öffnen: keine Berechtigung)"
	has listde.out "Nur Mitglieder der Gruppe »dialout« dürfen ihn öffnen."
	has listde.out "sudo usermod -aG dialout nobody"
	has listde.err "1 Gerät konnte nicht geöffnet werden"
	expect_rc 5 listdejson as_nobody --clear-groups env -u LANGUAGE -u LC_ALL \
		LANG=de_DE.UTF-8 LOCPATH="$T" FWSEAL_LOCALEDIR="$FWSEAL_LOCALEDIR" "$FWSEAL" list --json
	has listdejson.out '"reason": "permission"'
	has listdejson.out "only members of the group 'dialout' may open it"
fi

step "in the group: the device itself, exit 0"
expect_rc 0 listok as_nobody --groups=dialout "$FWSEAL" list
has listok.out "ACCESS-THERMO"
has listok.out "SN-ACCESS"
if grep -q "cannot open" "$T/listok.out"; then
	fail "a port the user may open is reported as unusable"
fi

step "no group may open it (root's alone): the udev rule is the fix"
chmod 0600 "$PORT"
expect_rc 5 listroot as_nobody --clear-groups "$FWSEAL" list
has listroot.out "No permission to open the serial port $PORT."
has listroot.out "70-fwseal.rules"
has listroot.out "plug the device in again"

step "a USB device the user may not open (emulated): the udev rule is the fix"
# The emulation runs as nobody too; its usbfs node is made unreadable, as
# it is without fwseal's rule (root-owned 0664 nodes cannot be written).
mkdir "$T/usb" && chmod 777 "$T/usb" && chmod 644 "$T/trust.fwst" || fail "usb folder"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
	"$SIM" --state "$T/usb/dev" --trust "$T/trust.fwst" --model ACCESS-THERMO \
	--serial-number SN-USB --usb -- sh -c \
	'chmod 000 "$UMOCKDEV_DIR"/dev/bus/usb/*/* && FWSEAL_SERIAL_PORTS= "$0" list' \
	"$FWSEAL" >"$T/usblist.out" 2>"$T/usblist.err" </dev/null
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "(USB cannot be emulated here: that step skipped)"
else
	[ "$rc" -eq 5 ] || fail "fwseal list on an unopenable USB device exited $rc, expected 5"
	has usblist.out "usb:@"
	has usblist.out "(cannot open: no permission)"
	has usblist.out "No permission to open the USB device at "
	has usblist.out "70-fwseal.rules"
fi

step "no device at all is still exit 0"
stop_sim
expect_rc 0 none env FWSEAL_SERIAL_PORTS=/dev/fwseal-no-such-port "$FWSEAL" list
has none.err "No fwseal device found."

echo "ok"
