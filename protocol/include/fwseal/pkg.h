/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/pkg.h - package format v1 (*.fwseal): streaming reader, builder.
 *
 * The byte layout is specified in docs/package-format.md; this header and
 * that document must stay in step. In short:
 *
 *   header (16) | manifest (TLV) | signatures (76 each) |
 *   block 0 | D(1) | block 1 | D(2) | ... | block n-1 | D(n) |
 *   DFU suffix (16, host side only; never sent to the device)
 *
 * with D(n) = 32 zero bytes and D(i) = SHA-256(block i || D(i+1)); the
 * manifest carries D(0) (the hash-chain head) and is signed. A receiver thus
 * checks every block before it uses it, holding 32 bytes of chain state.
 *
 * The reader is a push parser with no allocation: the caller gives it one
 * buffer (>= FWS_PKG_BUF_MIN and >= block_size + 32) that holds the prefix
 * (header + manifest + signatures) first and then one block at a time.
 * It is used unchanged by the host tools and by the device stub.
 */
#ifndef FWSEAL_PKG_H
#define FWSEAL_PKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/err.h"
#include "fwseal/trust.h"

#define FWS_PKG_MAGIC          "FWSL"
#define FWS_PKG_FORMAT_VERSION 1u
#define FWS_PKG_HEADER_LEN     16u
#define FWS_PKG_SIG_LEN        76u  /* key id 8, alg 1, reserved 3, r||s 64 */
#define FWS_PKG_SIG_ALG_ES256  1u   /* ECDSA P-256 over SHA-256 */
#define FWS_PKG_SIG_MAX        4u   /* signatures per package (key rotation) */
#define FWS_PKG_MANIFEST_MAX   3584u
#define FWS_PKG_PREFIX_MAX     (FWS_PKG_HEADER_LEN + FWS_PKG_MANIFEST_MAX + \
                                FWS_PKG_SIG_MAX * FWS_PKG_SIG_LEN)
#define FWS_PKG_BUF_MIN        4096u
#define FWS_PKG_BLOCK_MIN      256u
#define FWS_PKG_BLOCK_MAX      65536u
#define FWS_PKG_PAYLOAD_MAX    (1024u * 1024u * 1024u) /* 1 GiB */
#define FWS_PKG_SUFFIX_LEN     16u

_Static_assert(FWS_PKG_PREFIX_MAX <= FWS_PKG_BUF_MIN, "prefix must fit the minimum buffer");

/* Manifest TLV: tag u16 LE, length u16 LE, value. Tags with bit 15 set are
 * non-critical: a reader that does not know them skips them. An unknown tag
 * without bit 15 is rejected (FWS_E_CRITICAL). Tags appear in ascending
 * order; only FWS_TAG_CVE may repeat. */
#define FWS_TAG_NONCRITICAL 0x8000u
enum fws_tag {
	FWS_TAG_VENDOR_ID        = 0x0001, /* u16: USB vendor id */
	FWS_TAG_CLASS_ID         = 0x0002, /* u16: product class id (USB product id) */
	FWS_TAG_MODEL            = 0x0003, /* text 1..32: model designation (5.3-16) */
	FWS_TAG_HW_REV           = 0x0004, /* u16 min, u16 max: hardware revision range */
	FWS_TAG_COMPONENT        = 0x0005, /* text 1..16: component id */
	FWS_TAG_VERSION          = 0x0006, /* text 1..32: firmware version shown to people */
	FWS_TAG_SECURITY_COUNTER = 0x0007, /* u32: anti-rollback counter */
	FWS_TAG_PAYLOAD_SIZE     = 0x0008, /* u32: image bytes, 1..FWS_PKG_PAYLOAD_MAX */
	FWS_TAG_BLOCK_SIZE       = 0x0009, /* u32: power of two, BLOCK_MIN..BLOCK_MAX */
	FWS_TAG_CHAIN_HEAD       = 0x000A, /* 32 bytes: D(0) */
	FWS_TAG_IMAGE_SHA256     = 0x000B, /* 32 bytes: SHA-256 of the whole image */
	FWS_TAG_RELEASE_DATE     = 0x000C, /* i64: seconds since 1970 UTC */
	FWS_TAG_SUPPORT_END      = 0x000D, /* i64: end of security support (5.3-13) */
	FWS_TAG_SECURITY         = 0x000E, /* u8 flags (bit0 security update), u8 severity */
	FWS_TAG_RISKS            = 0x000F, /* text 0..512: risks mitigated (5.3-11) */
	FWS_TAG_CVE              = 0x0010, /* text 1..31: one CVE id; repeats up to 16 */
	FWS_TAG_DISRUPTION       = 0x0011, /* u8 flags (bit0 reboot), u32 downtime s (5.3-12) */
	FWS_TAG_KIND             = 0x0012, /* u8 enum fws_pkg_kind; absent: firmware.
	                                      Critical, so a device without trust
	                                      updates refuses one (docs/trust.md) */
	FWS_TAG_RELEASE_NOTES    = 0x8012, /* text 0..2048, non-critical */
	/* Encoded payloads (fwseal/encoding.h). Critical: a reader that cannot
	 * decode the blocks must refuse the package, not write them. */
	FWS_TAG_ENCODING         = 0x0013, /* u8 encoding (1 lz4, 2 lz4-delta), u32 bytes of
	                                      all units (headers + data, no digests) */
	FWS_TAG_BASE             = 0x0014, /* delta only: 32 bytes SHA-256 of the base image,
	                                      u32 its size, text 1..32 its version */
	FWS_TAG_SBOM_SHA256      = 0x8013, /* 32 bytes: SHA-256 of the release's SBOM file
	                                      (CycloneDX or SPDX JSON), non-critical */
};

/* What a package carries. A trust update's payload is a trust store
 * (fwseal/trust.h, format 2), its security_counter is that store's trust
 * version, and its signatures must meet the root threshold (docs/trust.md). */
enum fws_pkg_kind {
	FWS_KIND_FIRMWARE = 0, /* never written: the kind field is then absent */
	FWS_KIND_TRUST = 1,
};

#define FWS_MODEL_MAX      32u
#define FWS_COMPONENT_MAX  16u
#define FWS_VERSION_MAX    32u
#define FWS_RISKS_MAX      512u
#define FWS_CVE_MAX        31u
#define FWS_CVE_COUNT_MAX  16u
#define FWS_NOTES_MAX      2048u

enum fws_severity {
	FWS_SEVERITY_NONE = 0,
	FWS_SEVERITY_LOW = 1,
	FWS_SEVERITY_MEDIUM = 2,
	FWS_SEVERITY_HIGH = 3,
	FWS_SEVERITY_CRITICAL = 4,
};
const char *fws_severity_name(uint8_t severity); /* "none".."critical", "unknown" */

/* A span of text inside the buffer the manifest was parsed from (not NUL
 * terminated; valid as long as that buffer is). */
typedef struct fws_span {
	uint16_t off;
	uint16_t len;
} fws_span;

typedef struct fws_manifest {
	uint16_t vendor_id;
	uint16_t class_id;
	char model[FWS_MODEL_MAX + 1];
	uint16_t hw_rev_min, hw_rev_max;
	char component[FWS_COMPONENT_MAX + 1];
	char version[FWS_VERSION_MAX + 1];
	uint32_t security_counter;
	uint32_t payload_size;
	uint32_t block_size;
	uint8_t chain_head[FWS_SHA256_LEN];
	uint8_t image_sha256[FWS_SHA256_LEN];
	int64_t release_date;
	int64_t support_end;
	bool security_update;
	uint8_t severity;
	bool reboot;
	uint32_t downtime_s;
	fws_span risks;               /* len 0 when absent */
	fws_span cves[FWS_CVE_COUNT_MAX];
	uint8_t cve_count;
	fws_span notes;               /* len 0 when absent */
	uint8_t encoding;             /* enum fws_encoding; 0 (none) when absent */
	uint32_t units_len;           /* encoded: bytes of all units, digests excluded */
	uint8_t base_sha256[FWS_SHA256_LEN]; /* delta: the image it applies to */
	uint32_t base_size;
	fws_span base_version;        /* delta: text 1..32; len 0 when absent */
	fws_span sbom_sha256;         /* 32 bytes, or len 0 when absent (a span,
	                                 not a copy: devices never need it) */
	uint8_t kind;                 /* enum fws_pkg_kind */
} fws_manifest;

typedef struct fws_pkg_header {
	uint8_t format_version;
	uint8_t sig_count;
	uint32_t manifest_len;
} fws_pkg_header;

/* Parse the 16-byte fixed header. */
fws_err fws_pkg_header_parse(const uint8_t *buf, size_t len, fws_pkg_header *out);

/* Parse a manifest (TLV bytes). Spans in *out are offsets relative to buf. */
fws_err fws_manifest_parse(const uint8_t *buf, size_t len, fws_manifest *out);

/* Number of blocks of a manifest (payload_size / block_size rounded up). */
uint32_t fws_manifest_block_count(const fws_manifest *m);

/* Bytes of the block stream (blocks, or units when encoded, plus one
 * next-digest per block). */
uint64_t fws_manifest_stream_len(const fws_manifest *m);

/* ---------------------------------------------------------------------- */
/* Streaming reader                                                       */

enum fws_pkg_event {
	FWS_PKG_NEED_MORE = 0, /* all input consumed; feed more */
	FWS_PKG_PREFIX,        /* header+manifest+signatures parsed and the signature
	                          rule of its kind met against the trust store (firmware:
	                          one unrevoked release key; trust update: the root
	                          threshold, docs/trust.md); r->manifest valid, prefix
	                          bytes at r->buf[0 .. r->prefix_len) */
	FWS_PKG_BLOCK,         /* block r->block_index verified against the chain:
	                          r->buf[0 .. r->block_len); in an encoded package
	                          (manifest.encoding) the unit r->buf[0 .. r->unit_len)
	                          that decodes to block_len bytes (fwseal/encoding.h) */
	FWS_PKG_DONE,          /* last block seen, chain ended in the zero digest
	                          (and, unless FWS_PKG_NO_IMAGE_HASH, image digest ok) */
};

enum fws_pkg_flags {
	FWS_PKG_NO_IMAGE_HASH = 1u << 0, /* skip the streaming whole-image SHA-256
	                                    (the device re-reads flash instead) */
	FWS_PKG_UNVERIFIED = 1u << 1,    /* host inspection only: parse without a
	                                    trust store, signatures NOT checked
	                                    (r->authentic stays false). Never on a device. */
};

enum fws_pkg_phase {
	FWS_PHASE_HEADER,
	FWS_PHASE_MANIFEST,
	FWS_PHASE_SIGS,
	FWS_PHASE_PREFIX_READY,
	FWS_PHASE_BLOCK,
	FWS_PHASE_BLOCK_READY,    /* a block was delivered; next call moves on */
	FWS_PHASE_DONE,
	FWS_PHASE_FAILED,
};

/* Optional SHA-256 engine for the per-block chain check: a hardware hash
 * unit on a microcontroller, or a faster library on a host. It must compute
 * exactly SHA-256(a || b) and return FWS_OK, or an error (FWS_E_CRYPTO) when
 * it could not: the reader then fails with that error, it never compares a
 * digest the engine did not produce. NULL (the default) uses mbedTLS. */
typedef fws_err (*fws_sha256_engine)(void *ctx, const uint8_t *a, size_t an,
                                     const uint8_t *b, size_t bn, uint8_t out[FWS_SHA256_LEN]);

typedef struct fws_pkg_reader {
	/* configuration */
	uint8_t *buf;
	size_t buf_cap;
	const fws_trust *trust;
	uint32_t flags;
	fws_sha256_engine sha_engine;
	void *sha_engine_ctx;

	/* progress */
	enum fws_pkg_phase phase;
	size_t fill;              /* bytes in buf for the current unit */
	size_t need;              /* bytes the current unit needs */
	uint64_t offset;          /* stream bytes consumed so far */
	fws_err error;            /* sticky error once FAILED */

	/* results */
	fws_pkg_header header;
	fws_manifest manifest;
	size_t prefix_len;
	bool authentic;           /* the signature rule of the package's kind was met */
	uint8_t signer_key_id[FWS_KEY_ID_LEN]; /* key that verified */
	uint32_t block_count;
	uint32_t block_index;     /* index of the block just delivered / next one */
	size_t block_len;         /* image bytes of the block */
	size_t unit_len;          /* encoded: bytes of the unit (header + data) */
	bool unit_sized;          /* encoded: the unit header has arrived */

	/* O(1) chain state */
	uint8_t expect[FWS_SHA256_LEN]; /* D(block_index) */
	fws_sha256_ctx image_hash;
} fws_pkg_reader;

/* buf must hold max(FWS_PKG_BUF_MIN, block_size + 32); a block size the
 * buffer cannot hold is refused with FWS_E_BLOCK_SIZE at the prefix. */
fws_err fws_pkg_reader_init(fws_pkg_reader *r, uint8_t *buf, size_t buf_cap,
                            const fws_trust *trust, uint32_t flags);

/* Use engine (see fws_sha256_engine) for the block checks from now on. */
void fws_pkg_reader_set_sha256(fws_pkg_reader *r, fws_sha256_engine engine, void *ctx);

/* Consume up to len bytes, stopping after the first event. *used tells how
 * many bytes were taken; call again with the rest. Errors are sticky.
 * FWS_PKG_DONE comes from the call after the last block's FWS_PKG_BLOCK (call
 * with len 0 at the end of input); any byte after it is FWS_E_TRAILING, and
 * end of input without FWS_PKG_DONE means the package is truncated. */
fws_err fws_pkg_reader_feed(fws_pkg_reader *r, const uint8_t *data, size_t len,
                            size_t *used, enum fws_pkg_event *ev);

/* Where the reader puts the next stream bytes, so a receiver can place them
 * there itself (the device's serial link: DNLOAD data straight into the
 * block buffer) and feed that very pointer: the reader then copies nothing.
 * *cap is the room from there to the end of the buffer. Bytes placed beyond
 * the current unit (the prefix, or one block and its next digest) are moved
 * to the front when the next unit starts, so any chunk that fits the room
 * works; chunks that end at unit boundaries are never moved. NULL (and *cap
 * 0) when the reader takes no bytes now (a unit is complete, done, failed).
 * Bytes placed there but not fed are scratch: the reader never reads them. */
uint8_t *fws_pkg_reader_room(const fws_pkg_reader *r, size_t *cap);

/* Resume a block stream at block k whose expected digest D(k) is known (from
 * a journal), with the already-verified manifest m. The reader then expects
 * the stream bytes of block k onward. Image hashing is off after a resume. */
fws_err fws_pkg_reader_resume(fws_pkg_reader *r, const fws_manifest *m, size_t prefix_len,
                              uint32_t k, const uint8_t expect[FWS_SHA256_LEN]);

/* The same with the stream offset of block k given (r->offset after block
 * k-1 was delivered): an encoded package's units vary in length, so only
 * the reader that saw them knows where block k starts. */
fws_err fws_pkg_reader_resume_at(fws_pkg_reader *r, const fws_manifest *m, size_t prefix_len,
                                 uint32_t k, const uint8_t expect[FWS_SHA256_LEN],
                                 uint64_t offset);

/* Stream offset of the start of block k (prefix_len + k*(block_size+32)) of
 * a plain package; of an encoded one only for k = 0. */
uint64_t fws_pkg_block_offset(size_t prefix_len, const fws_manifest *m, uint32_t k);

/* Buffer the reader needs for the package m describes: block_size + 32,
 * or FWS_ENC_BUF_NEED(block_size) when encoded; never below FWS_PKG_BUF_MIN. */
size_t fws_pkg_buf_need(const fws_manifest *m);

/* ---------------------------------------------------------------------- */
/* Verification of a whole prefix already in memory (boot-time check)     */

/* Parse and verify a stored prefix (header+manifest+signatures). */
fws_err fws_pkg_prefix_verify(const uint8_t *prefix, size_t len, const fws_trust *trust,
                              fws_manifest *m, uint8_t signer[FWS_KEY_ID_LEN]);

/* ---------------------------------------------------------------------- */
/* DFU file suffix (DFU 1.1 appendix B)                                   */

typedef struct fws_dfu_suffix {
	uint16_t bcd_device;
	uint16_t id_product;
	uint16_t id_vendor;
	uint16_t bcd_dfu;
	uint32_t crc;
} fws_dfu_suffix;

/* dfu-util's file CRC: CRC-32 (reflected, poly 0xEDB88320), initial
 * 0xFFFFFFFF, no final xor, over every byte before the dwCRC field. */
uint32_t fws_dfu_crc_update(uint32_t crc, const uint8_t *p, size_t n);

void fws_dfu_suffix_encode(const fws_dfu_suffix *s, uint8_t out[FWS_PKG_SUFFIX_LEN]);
/* Parses the 16 suffix bytes; checks "UFD", bLength and bcdDFU, not the CRC. */
fws_err fws_dfu_suffix_parse(const uint8_t in[FWS_PKG_SUFFIX_LEN], fws_dfu_suffix *s);

/* ---------------------------------------------------------------------- */
/* Builder (host side; streams the payload, never holds the image)        */

typedef struct fws_manifest_in {
	uint16_t vendor_id;
	uint16_t class_id;
	const char *model;
	uint16_t hw_rev_min, hw_rev_max;
	const char *component;
	const char *version;
	uint32_t security_counter;
	uint32_t payload_size;
	uint32_t block_size;
	uint8_t chain_head[FWS_SHA256_LEN];
	uint8_t image_sha256[FWS_SHA256_LEN];
	int64_t release_date;
	int64_t support_end;
	bool security_update;
	uint8_t severity;
	const char *risks;            /* may be NULL */
	const char *cves[FWS_CVE_COUNT_MAX];
	unsigned cve_count;
	bool reboot;
	uint32_t downtime_s;
	const char *notes;            /* may be NULL */
	uint8_t encoding;             /* 0: plain; else fwseal/encoding.h */
	uint32_t units_len;           /* encoded: bytes of all units */
	uint8_t base_sha256[FWS_SHA256_LEN]; /* lz4-delta: the base image */
	uint32_t base_size;
	const char *base_version;     /* lz4-delta: text 1..32 */
	const uint8_t *sbom_sha256;   /* 32 bytes, or NULL: no SBOM named */
	uint8_t kind;                 /* enum fws_pkg_kind; 0: firmware */
} fws_manifest_in;

/* Encode a manifest. Checks every limit; *out_len gets the length. */
fws_err fws_manifest_encode(const fws_manifest_in *in, uint8_t *out, size_t cap,
                            size_t *out_len);

void fws_pkg_header_encode(uint8_t out[FWS_PKG_HEADER_LEN], uint8_t sig_count,
                           uint32_t manifest_len);

/* Hash that the signatures cover: SHA-256(header || manifest). */
FWS_MUST_CHECK fws_err fws_pkg_signed_digest(const uint8_t *header, const uint8_t *manifest,
                                             size_t manifest_len, uint8_t out[FWS_SHA256_LEN]);

void fws_pkg_sig_encode(uint8_t out[FWS_PKG_SIG_LEN], const uint8_t key_id[FWS_KEY_ID_LEN],
                        const uint8_t sig[FWS_ECDSA_SIG_LEN]);

/* Compute the hash chain and the image SHA-256 of an image read through a
 * callback, without holding the image: blocks are read last to first for the
 * chain (D(n) = 0, D(i) = SHA-256(B(i) || D(i+1))) and first to last for the
 * image digest. digests must hold (n + 1) * 32 bytes and receives D(0)..D(n);
 * buf must hold block_size bytes. */
typedef fws_err (*fws_read_fn)(void *ctx, uint64_t off, uint8_t *dst, size_t len);
fws_err fws_chain_compute(fws_read_fn read, void *ctx, uint32_t payload_size,
                          uint32_t block_size, uint8_t *buf, uint8_t *digests,
                          uint8_t image_sha256[FWS_SHA256_LEN]);

#endif /* FWSEAL_PKG_H */
