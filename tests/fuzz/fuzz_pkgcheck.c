/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_pkgcheck.c - the host's package verifier (host-tool/lib/pkgcheck.c)
 * on a whole package file: the DFU suffix parser and CRC, the streaming
 * reader over the file in 1 MiB chunks with its helper thread (image and
 * file digests), as `fwseal verify` / `inspect`, flash and the desktop app
 * run it on files from anywhere. The input is the file (written to a memfd).
 * Control: the first byte's bit 0 picks "verify against the fixed trust
 * store" (the corpus packages of fuzz_pkg.c are signed by its key) or
 * "inspect without one". Invariants: a complete check only with a suffix
 * whose CRC and ids match, a signature only when verified, and for a
 * package that passes, fwh_package_open agrees.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_pkg_trust.h"
#include "fwseal-host/package.h"
#include "fwseal-host/pkgcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fwh_pkg_check c;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fws_trust trust;
	static int trust_ok = -1;
	if (trust_ok < 0)
		trust_ok = fws_trust_parse(fwseal_trust_store, sizeof fwseal_trust_store, &trust) == FWS_OK;
	if (!trust_ok)
		abort();
	if (size < 1)
		return 0;
	bool verified = !(data[0] & 1u);
	data++;
	size--;
	int fd = memfd_create("fuzz-pkgcheck", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	memset(&c, 0, sizeof c);
	c.trust = verified ? &trust : NULL;
	c.want_file_sha256 = true;
	fws_err e = fwh_pkg_check_fd(&c, fd);
	if (e == FWS_OK) {
		if (!c.complete || !c.have_suffix || !c.have_prefix || c.file_size != size ||
		    size < FWS_PKG_SUFFIX_LEN + c.prefix_len)
			abort();
		if (verified != c.authentic)
			abort();
		if (verified) {
			/* the session's open checks the same way */
			char path[64];
			fwh_package p;
			fwh_error err;
			snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
			if (fwh_package_open(&p, path, &trust, &err) != FWS_OK ||
			    memcmp(p.file_sha256, c.file_sha256, FWS_SHA256_LEN) != 0)
				abort();
			fwh_package_close(&p);
		}
	} else if (c.complete) {
		abort();
	}
	close(fd);
	return 0;
}
