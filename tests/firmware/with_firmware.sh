#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# with_firmware.sh FIRMWARE CMD... - run CMD (a host test written for
# fwseal-sim, given scripts/qemu-device as its device) against the Cortex-M3
# firmware; skip (exit 77) when the firmware is not built or QEMU is missing.
set -u
FIRMWARE=${FWSEAL_FIRMWARE:-$1}
shift
if [ ! -f "$FIRMWARE" ]; then
	echo "skipped: no firmware at $FIRMWARE; run scripts/build-firmware first"
	exit 77
fi
if ! command -v qemu-system-arm >/dev/null 2>&1; then
	echo "skipped: qemu-system-arm is not installed"
	exit 77
fi
export FWSEAL_FIRMWARE="$FIRMWARE"
exec "$@"
