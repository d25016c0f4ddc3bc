/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_keyfile.c - reading a private key file (fws_keypair_load): the
 * plain PEM / DER keys mbedTLS parses and fwseal's passphrase envelope
 * (keys/src/keyfile_crypt.c: PEM armour, header, iterations, GCM), with the
 * passphrase "fuzz". The input is the file (a memfd, mode 0600).
 *
 * PBKDF2 is replaced (-Wl,--wrap=mbedtls_pkcs5_pbkdf2_hmac) by one SHA-256
 * of passphrase, salt and iteration count: the real one runs the file's
 * iteration count (1,000 to 100 million) and would make every input a
 * timeout. Everything around it, GCM included, is the real code, and seeds
 * made with the stand-in (gen_fuzz_seeds.c) decrypt, so the DER parser
 * behind the envelope is reached; they hold no key, only DER-shaped bytes.
 * Invariants: a key loads only as P-256; nothing else is accepted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "fuzz_kdf.h"
#include "fwseal/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_mbedtls_pkcs5_pbkdf2_hmac(mbedtls_md_context_t *ctx, const unsigned char *password,
                                     size_t plen, const unsigned char *salt, size_t slen,
                                     unsigned int iteration_count, uint32_t key_length,
                                     unsigned char *output);

int __wrap_mbedtls_pkcs5_pbkdf2_hmac(mbedtls_md_context_t *ctx, const unsigned char *password,
                                     size_t plen, const unsigned char *salt, size_t slen,
                                     unsigned int iteration_count, uint32_t key_length,
                                     unsigned char *output)
{
	(void)ctx;
	return fuzz_kdf(password, plen, salt, slen, iteration_count, key_length, output);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-key", MFD_CLOEXEC);
	char path[64];
	fws_keypair *kp = NULL;
	fws_key_msg msg;

	if (fd < 0 || fchmod(fd, 0600) != 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	fws_key_err e = fws_keypair_load(path, "fuzz", &kp, &msg);
	if (e == FWS_KEY_OK) {
		uint8_t pub[FWS_P256_PUB_LEN];
		fws_keypair_pub(kp, pub);
		if (pub[0] != 0x04)
			abort();
		fws_keypair_free(kp);
	} else if (kp != NULL || msg.text[0] == '\0') {
		abort(); /* a failure says why, and hands out nothing */
	}
	close(fd);
	return 0;
}
