/* SPDX-License-Identifier: Apache-2.0 */
/* Package building blocks for the host packer (keys/, host-tool/). */
#include <string.h>

#include "fwseal/pkg.h"

void fws_pkg_sig_encode(uint8_t out[FWS_PKG_SIG_LEN], const uint8_t key_id[FWS_KEY_ID_LEN],
                        const uint8_t sig[FWS_ECDSA_SIG_LEN])
{
	memcpy(out, key_id, FWS_KEY_ID_LEN);
	out[8] = FWS_PKG_SIG_ALG_ES256;
	out[9] = out[10] = out[11] = 0;
	memcpy(out + 12, sig, FWS_ECDSA_SIG_LEN);
}

fws_err fws_chain_compute(fws_read_fn read, void *ctx, uint32_t payload_size,
                          uint32_t block_size, uint8_t *buf, uint8_t *digests,
                          uint8_t image_sha256[FWS_SHA256_LEN])
{
	uint32_t n;
	fws_sha256_ctx img;
	fws_err err;

	if (!read || !buf || !digests || !image_sha256 || payload_size == 0 ||
	    payload_size > FWS_PKG_PAYLOAD_MAX || block_size < FWS_PKG_BLOCK_MIN ||
	    block_size > FWS_PKG_BLOCK_MAX || (block_size & (block_size - 1u)))
		return FWS_E_INVAL;
	n = (uint32_t)(((uint64_t)payload_size + block_size - 1u) / block_size);

	/* D(n) = 0; D(i) = SHA-256(B(i) || D(i+1)), last block first. */
	memset(digests + (size_t)n * FWS_SHA256_LEN, 0, FWS_SHA256_LEN);
	for (uint32_t i = n; i-- > 0;) {
		uint64_t off = (uint64_t)i * block_size;
		size_t len = payload_size - off < block_size ? (size_t)(payload_size - off) : block_size;

		err = read(ctx, off, buf, len);
		if (err != FWS_OK)
			return err;
		err = fws_sha256_2(buf, len, digests + (size_t)(i + 1u) * FWS_SHA256_LEN,
		                   FWS_SHA256_LEN, digests + (size_t)i * FWS_SHA256_LEN);
		if (err != FWS_OK)
			return err;
	}

	/* The whole-image digest, front to back (errors are sticky in img). */
	fws_sha256_init(&img);
	for (uint64_t off = 0; off < payload_size; off += block_size) {
		size_t len = payload_size - off < block_size ? (size_t)(payload_size - off) : block_size;

		err = read(ctx, off, buf, len);
		if (err != FWS_OK) {
			if (fws_sha256_final(&img, image_sha256) != FWS_OK) /* frees the context */
				return FWS_E_CRYPTO;
			return err;
		}
		fws_sha256_update(&img, buf, len);
	}
	return fws_sha256_final(&img, image_sha256);
}
