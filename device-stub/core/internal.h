/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/internal.h - shared between the core's files, never
 * included by ports.
 */
#ifndef FWSEAL_STUB_INTERNAL_H
#define FWSEAL_STUB_INTERNAL_H

#include <assert.h>

#include "fwseal/stub.h"

/* Untrusted input (anything a host sent or flash holds) is checked with
 * STUB_VERIFY: a failed check is an answer (dfuERROR + status), never a
 * crash. Internal invariants use assert(). Keep the two apart. */
#define STUB_VERIFY(s, cond, err)                                   \
	do {                                                        \
		if (!(cond))                                        \
			return stub_fail((s), (err));               \
	} while (0)

#if defined(FWS_STUB_DEFECTS)
#define STUB_DEFECT(s, d) (((s)->cfg.defects & (d)) != 0u)
#else
#define STUB_DEFECT(s, d) ((void)(s), false)
#endif

/* Keeps a function with a big frame out of its callers. Compilers (GCC with
 * LTO above all) merge a one-caller function into its caller, locals and
 * all, and the caller's frame is then that size on every path through it: a
 * devinfo record or journal record of a rarely used branch would sit under
 * the signature check of every DNLOAD (docs/firmware.md, "Stack"). Only a
 * hint, so without GCC/clang it is left out: the code is correct either way.
 * Use it on a function whose big locals are not live during a deep call. */
#if defined(__GNUC__)
#define STUB_NOINLINE __attribute__((noinline))
#else
#define STUB_NOINLINE
#endif

/* Journal record, little-endian (docs/device-stub.md, "Journal"). */
#define STUB_JREC_LEN   128u
#define STUB_JREC_MAGIC 0x314A5746u /* "FWJ1" */

/* fws_stub.wear (download.c, "Flash wear") */
#define STUB_WEAR_UNKNOWN  0u
#define STUB_WEAR_KNOWN    1u

/* dfu.c */
fws_err stub_fail(fws_stub *s, fws_err e);

/* flash.c: flash helpers over the HAL */
fws_err stub_flash_read(const fws_stub *s, uint32_t off, uint8_t *dst, size_t len);
fws_err stub_flash_erase_range(fws_stub *s, uint32_t off, uint32_t len);
/* Program len bytes at a write_size-aligned off; a ragged tail is padded
 * with the erased value. */
fws_err stub_flash_program(fws_stub *s, uint32_t off, const uint8_t *src, size_t len);
/* Flash at off against src (padded as above): FWS_OK if it holds it,
 * FWS_E_STATE if erased, FWS_E_FLASH_VERIFY if anything else, FWS_E_IO. */
fws_err stub_flash_cmp(const fws_stub *s, uint32_t off, const uint8_t *src, size_t len);
/* Make flash at off hold src (padded as above): nothing is written if it
 * does already, it is programmed if erased, FWS_E_FLASH_VERIFY otherwise. */
fws_err stub_flash_put(fws_stub *s, uint32_t off, const uint8_t *src, size_t len);
uint32_t stub_image_off(const fws_stub *s, unsigned slot);
uint32_t stub_image_cap(const fws_stub *s, unsigned slot);
/* SHA-256 over len bytes of flash at off, through the block buffer. */
fws_err stub_flash_sha256(const fws_stub *s, uint32_t off, uint32_t len,
                          uint8_t out[FWS_SHA256_LEN]);

/* journal.c */
fws_err stub_journal_load(fws_stub *s);
fws_err stub_journal_commit(fws_stub *s, const fws_jstate *next);

/* policy.c: may this device take / run the image described by m? */
fws_err stub_policy(const fws_stub *s, const fws_manifest *m);
/* Its part for every package: vendor, class, model, hardware revision. With
 * any (trust updates, docs/trust.md) an id of 0 or the model "*" in m means
 * any device. */
fws_err stub_identity(const fws_stub *s, const fws_manifest *m, bool any);

/* image.c */
/* Read and verify the prefix stored in slot's metadata area into the block
 * buffer: prefix_len, signature, policy. */
fws_err stub_slot_prefix(const fws_stub *s, unsigned slot, fws_manifest *m, size_t *prefix_len);
/* Full check of the image in a slot: prefix + SHA-256 over the flash. */
fws_err stub_slot_verify(const fws_stub *s, unsigned slot, fws_manifest *m);
/* What the core remembers of a verified image in a slot (state aside). */
void stub_slot_describe(fws_stub_slot *sl, uint8_t state, const fws_manifest *m);

/* download.c */
void stub_dl_reset(fws_stub *s);
fws_err stub_dl_start(fws_stub *s);
fws_err stub_dl_feed(fws_stub *s, const uint8_t *data, size_t len);
fws_err stub_dl_resume(fws_stub *s, const uint8_t *data, size_t len);
fws_err stub_dl_manifest(fws_stub *s);
uint8_t stub_staging_slot(const fws_stub *s);

/* trust_update.c: the trust store in force and trust updates (docs/trust.md) */
/* (Re)load the store in force: the trust area the journal names, else the
 * provisioned store. Sets s->trust, s->trust_ok, s->trust_sha256. */
fws_err stub_trust_load(fws_stub *s);
/* Hooks of the download path for a package of kind trust: its prefix met
 * the root threshold (reader), one block of payload, manifestation. */
fws_err stub_dl_may_erase(fws_stub *s);
fws_err stub_tu_prefix(fws_stub *s);
fws_err stub_tu_block(fws_stub *s);
fws_err stub_tu_manifest(fws_stub *s);
/* Planted defects (simulator only): go on after the reader refused the
 * trust update's root signatures (e) or its payload digest. True if taken. */
bool stub_tu_defect(fws_stub *s, fws_err e);
/* decode.c: compressed and delta packages (fwseal/encoding.h) */
/* Bit e: encodings this device decodes (none without hal->flash_map). */
uint32_t stub_dec_encodings(const fws_stub *s);
/* Largest block size of an encoded package the block buffer takes. */
uint32_t stub_dec_max_block(const fws_stub *s);
/* Before anything is written (prefix verified, policy passed; and at
 * resume): FWS_E_ENCODING_UNSUPPORTED, or FWS_E_BASE when a delta's base
 * is not this device's confirmed image. FWS_OK for a plain package. */
fws_err stub_dec_begin(const fws_stub *s, const fws_manifest *m);
/* The reader delivered a verified unit: decode it in place in the block
 * buffer into block rd.block_index (rd.block_len bytes). No-op when plain.
 * rest/rest_len: the DNLOAD's bytes the reader has not taken yet; if a
 * transport received them into the block buffer, decoding would destroy
 * them: FWS_E_SEQUENCE (a host sends an encoded package's DNLOADs so that
 * they end where a unit ends). */
fws_err stub_dec_block(fws_stub *s, const uint8_t *rest, size_t rest_len);

#endif /* FWSEAL_STUB_INTERNAL_H */
