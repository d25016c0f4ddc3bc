/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbedtls_config.h - the mbedTLS 2.28 configuration of the firmware: ECDSA
 * P-256 signature verification over SHA-256 and nothing else
 * (MBEDTLS_CONFIG_FILE points here; see docs/firmware.md).
 *
 * The verify path never uses a secret, so it needs no random generator:
 * MBEDTLS_ECP_NO_INTERNAL_RNG removes the DRBG dependency of ecp.c (without it
 * check_config.h demands CTR_DRBG or HMAC_DRBG).
 */
#ifndef FWSEAL_MPS2_MBEDTLS_CONFIG_H
#define FWSEAL_MPS2_MBEDTLS_CONFIG_H

/* System: bare metal, no clock, no files, no entropy source. */
#define MBEDTLS_HAVE_ASM               /* bn_mul.h UMULL/UMAAL on Thumb-2 */
#define MBEDTLS_NO_PLATFORM_ENTROPY
/* bignum.c divides 64 by 32 bits; Cortex-M3 has no such instruction, so
 * gcc would link libgcc's __udivmoddi4 (~750 bytes). mbedTLS's own
 * shift-and-subtract is smaller and not on a hot path (ECDSA cost unchanged). */
#define MBEDTLS_NO_UDBL_DIVISION

/* Memory: bignum allocates; all of it comes from one static pool
 * (crypto_pool.c, pool_alloc.c). The macros make mbedtls_calloc/free direct
 * calls (no function pointers in RAM, no mbedtls_platform_set_calloc_free);
 * before crypto_pool_init() the pool refuses, and nothing links malloc. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_CALLOC_MACRO  crypto_pool_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO    crypto_pool_free

/* Primitives. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM         /* fast P-256 reduction: ~2x faster, ~1 KiB */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C           /* check_config.h requires both for ECDSA_C; */
#define MBEDTLS_ASN1_WRITE_C           /* --gc-sections drops the unused code */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER         /* rolled loop: ~1.5 KiB less, ~30% slower */

/* Sizes: P-256 only, small windows (RAM over speed). */
#define MBEDTLS_ECP_MAX_BITS           256
#define MBEDTLS_MPI_MAX_SIZE           32
#define MBEDTLS_MPI_WINDOW_SIZE        1
#define MBEDTLS_ECP_WINDOW_SIZE        2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM  0

#include <stddef.h>
void *crypto_pool_calloc(size_t n, size_t size);
void crypto_pool_free(void *p);

#include "mbedtls/check_config.h"

#endif /* FWSEAL_MPS2_MBEDTLS_CONFIG_H */
