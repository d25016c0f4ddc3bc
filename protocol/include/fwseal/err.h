/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/err.h - the one error model of the protocol core.
 *
 * Every fallible function of protocol/ and the device stub core returns an
 * fws_err: FWS_OK (0) or a negative value. fws_err_name() gives a stable
 * identifier (for logs and JSON), fws_err_describe() one sentence a person can
 * act on. The numeric values are part of the wire protocol (the device sends
 * them as its detail code), so never renumber; only append.
 */
#ifndef FWSEAL_ERR_H
#define FWSEAL_ERR_H

typedef enum fws_err {
	FWS_OK = 0,

	/* generic */
	FWS_E_INVAL = -1,          /* invalid argument (a programming error) */
	FWS_E_NOMEM = -2,          /* caller-provided buffer too small */
	FWS_E_IO = -3,             /* platform I/O failed */
	FWS_E_STATE = -4,          /* call not allowed in the current state */

	/* package structure (parse) */
	FWS_E_MAGIC = -10,         /* not a fwseal package */
	FWS_E_FORMAT_VERSION = -11,/* package format version not supported */
	FWS_E_HEADER = -12,        /* malformed fixed header */
	FWS_E_MANIFEST = -13,      /* malformed manifest (TLV) */
	FWS_E_CRITICAL = -14,      /* unknown critical manifest field */
	FWS_E_LIMIT = -15,         /* a size or count is over its hard limit */
	FWS_E_MISSING_FIELD = -16, /* a required manifest field is missing */
	FWS_E_TRUNCATED = -17,     /* package ends early */
	FWS_E_TRAILING = -18,      /* bytes after the end of the package */
	FWS_E_SUFFIX = -19,        /* DFU file suffix missing or wrong */
	FWS_E_ENCODING = -29,      /* an encoded block does not decode (encoding.h) */

	/* authenticity and integrity */
	FWS_E_SIGNATURE = -30,     /* no signature verifies with a trusted key */
	FWS_E_UNTRUSTED_KEY = -31, /* signed, but by no key in the trust store */
	FWS_E_REVOKED_KEY = -32,   /* signed only by revoked keys */
	FWS_E_BLOCK_DIGEST = -33,  /* a block does not match the hash chain */
	FWS_E_IMAGE_DIGEST = -34,  /* whole image does not match its SHA-256 */
	FWS_E_CHAIN_END = -35,     /* hash chain does not end in zero digest */
	FWS_E_TRUST_STORE = -36,   /* trust store malformed */
	FWS_E_CRYPTO = -37,        /* the crypto library failed (no result) */
	FWS_E_THRESHOLD = -38,     /* trust update: too few valid root signatures
	                              (of the current or of the new store) */

	/* policy */
	FWS_E_MODEL = -50,         /* package is for another model */
	FWS_E_HW_REV = -51,        /* hardware revision outside package range */
	FWS_E_COMPONENT = -52,     /* component not present on this device */
	FWS_E_DOWNGRADE = -53,     /* security counter lower than the device's */
	FWS_E_TOO_BIG = -54,       /* image larger than the device's slot */
	FWS_E_BLOCK_SIZE = -55,    /* block size not supported by the device */
	FWS_E_VENDOR = -56,        /* package is for another vendor */
	FWS_E_TRUST_ROLLBACK = -57,/* trust update not newer than the device's store */
	FWS_E_TRUST_UNUSABLE = -58,/* new store lacks a usable root or release key */
	FWS_E_TRUST_ORPHAN = -59,  /* new store would refuse the image the device
	                              runs or falls back to */
	FWS_E_BASE = -68,          /* delta package made against another image */
	FWS_E_ENCODING_UNSUPPORTED = -69, /* device cannot decode this encoding */

	/* device / flash */
	FWS_E_FLASH_WRITE = -70,   /* flash program failed */
	FWS_E_FLASH_ERASE = -71,   /* flash erase failed */
	FWS_E_FLASH_VERIFY = -72,  /* read-back differs from what was written */
	FWS_E_NO_IMAGE = -73,      /* no verifiable image to boot */
	FWS_E_JOURNAL = -74,       /* journal unreadable (both copies bad) */
	FWS_E_SEQUENCE = -75,      /* request out of order (DFU sequence) */
	FWS_E_BUSY = -76,          /* device busy, retry after the poll timeout */

	/* link */
	FWS_E_FRAME = -90,         /* malformed frame (COBS / CRC / length) */
	FWS_E_TIMEOUT = -91,       /* no answer in time */
	FWS_E_PROTOCOL = -92,      /* peer answered something unexpected */
	FWS_E_DISCONNECTED = -93,  /* the device went away */

	/* host */
	FWS_E_CANCELLED = -94,     /* the user cancelled (host only) */
	FWS_E_NO_DEVICE = -95,     /* no matching device found (host only) */
	FWS_E_REVERTED = -96,      /* device restarted into its old firmware (host only) */
} fws_err;

/* Stable identifier, e.g. "block-digest". Never NULL. */
const char *fws_err_name(fws_err e);

/* One sentence: what is wrong and what to do. Never NULL. */
const char *fws_err_describe(fws_err e);

#endif /* FWSEAL_ERR_H */
