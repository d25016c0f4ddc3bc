/* SPDX-License-Identifier: Apache-2.0 */
/* pkgcheck.c - the host's package verifier (fwseal-host/pkgcheck.h). */
#include "fwseal-host/pkgcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/encoding.h"
#include "fwseal-host/crc32.h"
#include "fwseal-host/sha256.h"
#include "fwseal-host/unitdec.h"

#ifndef CHUNK
#define CHUNK (1u << 20) /* (the fuzz target builds this file with smaller ones) */
#endif
#define READER_BUF FWS_ENC_BUF_NEED(FWS_PKG_BLOCK_MAX) /* any block, plain or encoded */

const char *fwh_pkg_check_span(const fwh_pkg_check *c, fws_span s)
{
	return (const char *)c->prefix + s.off;
}

static bool read_full(int fd, uint8_t *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return true;
}

static void on_prefix(fwh_pkg_check *c, const fws_pkg_reader *r)
{
	c->have_prefix = true;
	c->prefix_len = r->prefix_len;
	memcpy(c->prefix, r->buf, r->prefix_len);
	c->header = r->header;
	c->manifest = r->manifest; /* the reader's spans are relative to its buffer */
	c->sig_count = r->header.sig_count;
	const uint8_t *sigs = c->prefix + FWS_PKG_HEADER_LEN + r->header.manifest_len;
	for (unsigned i = 0; i < c->sig_count; i++)
		memcpy(c->sig_key_ids[i], sigs + (size_t)i * FWS_PKG_SIG_LEN, FWS_KEY_ID_LEN);
	c->authentic = r->authentic;
	if (r->authentic)
		memcpy(c->signer, r->signer_key_id, FWS_KEY_ID_LEN);
}

/* Feed one chunk (n may be 0 to let the reader finish after the last
 * block); returns false when the stream failed. An encoded package's units
 * are decoded as they are verified (*dec, made at the prefix). */
static bool feed_chunk(fwh_pkg_check *c, fws_pkg_reader *r, const uint8_t *p, size_t n, bool *done,
                       fwh_unitdec **dec)
{
	size_t off = 0;
	for (;;) {
		size_t used = 0;
		enum fws_pkg_event ev;
		fws_err e = fws_pkg_reader_feed(r, p + off, n - off, &used, &ev);
		off += used;
		if (e != FWS_OK) {
			c->err = e;
			c->failed_block = r->block_index;
			return false;
		}
		switch (ev) {
		case FWS_PKG_PREFIX:
			on_prefix(c, r);
			if (r->manifest.encoding != FWS_ENC_NONE) {
				*dec = fwh_unitdec_new(&r->manifest, c->base, c->base_len, NULL);
				if (*dec == NULL) {
					c->err = FWS_E_IO;
					c->sys_errno = ENOMEM;
					return false;
				}
			}
			break;
		case FWS_PKG_BLOCK:
			if (*dec != NULL) {
				e = fwh_unitdec_block(*dec, r);
				if (e != FWS_OK) {
					c->err = e;
					c->failed_block = r->block_index;
					return false;
				}
			}
			c->blocks_ok++;
			break;
		case FWS_PKG_DONE:
			*done = true;
			if (off < n) {
				c->err = FWS_E_TRAILING;
				return false;
			}
			return true;
		case FWS_PKG_NEED_MORE:
			return true; /* everything consumed */
		}
	}
}

static fws_err io_fail(fwh_pkg_check *c, int e)
{
	c->sys_errno = e;
	c->err = FWS_E_IO;
	return c->err;
}

/* ---------------------------------------------------------------------- */
/* The helper thread: while the reader checks the hash chain on the main    */
/* thread, it computes the whole-image SHA-256 (from the block bytes of the */
/* stream), the DFU CRC and, for inspect, the file's SHA-256 over the same  */
/* chunks. Verification thus costs about one SHA-256 pass of wall time on a */
/* machine with two cores (bench/verify-throughput).                        */

#ifndef NSLOT
#define NSLOT 8u
#endif
_Static_assert(CHUNK > FWS_PKG_PREFIX_MAX, "the prefix must complete in the first chunk");

struct helper {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running;
	uint8_t *slot[NSLOT];
	size_t len[NSLOT];
	uint64_t off[NSLOT];
	uint64_t produced, consumed; /* chunk counts */
	bool eof, stop;
	/* layout, set before the thread starts */
	uint64_t prefix_len, stream_end;
	uint32_t block_size, payload_size;
	bool encoded;            /* the stream carries units: the decoder hashes the image */
	bool want_file_sha;
	/* results */
	fwh_sha256 image;
	fwh_sha256 file;
	uint32_t crc;
};

/* Hash the image bytes of a chunk: skip the prefix and every next-digest. */
static void hash_image_bytes(struct helper *h, const uint8_t *p, uint64_t off, size_t n)
{
	const uint64_t unit = (uint64_t)h->block_size + FWS_SHA256_LEN;
	uint64_t o = off < h->prefix_len ? h->prefix_len : off;
	const uint64_t end = off + n < h->stream_end ? off + n : h->stream_end;
	while (o < end) {
		uint64_t rel = o - h->prefix_len, u = rel / unit, in = rel % unit;
		uint64_t start = u * h->block_size;
		uint64_t blen = h->payload_size - start < h->block_size ? h->payload_size - start
		                                                          : h->block_size;
		if (in < blen) {
			uint64_t take = blen - in < end - o ? blen - in : end - o;
			fwh_sha256_update(&h->image, p + (o - off), (size_t)take);
			o += take;
		} else {
			o += unit - in;
		}
	}
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	pthread_mutex_lock(&h->mu);
	for (uint64_t k = 0;; k++) {
		while (h->produced <= k && !h->eof && !h->stop)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->stop || h->produced <= k)
			break;
		unsigned s = (unsigned)(k % NSLOT);
		pthread_mutex_unlock(&h->mu);
		h->crc = fwh_crc32(h->crc, h->slot[s], h->len[s]);
		if (h->want_file_sha)
			fwh_sha256_update(&h->file, h->slot[s], h->len[s]);
		if (!h->encoded)
			hash_image_bytes(h, h->slot[s], h->off[s], h->len[s]);
		pthread_mutex_lock(&h->mu);
		h->consumed = k + 1;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static bool helper_start(struct helper *h, const fws_pkg_reader *r, uint64_t chunks_read)
{
	h->prefix_len = r->prefix_len;
	h->stream_end = r->prefix_len + fws_manifest_stream_len(&r->manifest);
	h->block_size = r->manifest.block_size;
	h->payload_size = r->manifest.payload_size;
	h->encoded = r->manifest.encoding != FWS_ENC_NONE;
	fwh_sha256_init(&h->image);
	fwh_sha256_init(&h->file);
	h->produced = chunks_read;
	if (pthread_create(&h->th, NULL, helper_main, h) != 0)
		return false;
	h->running = true;
	return true;
}

static void helper_publish(struct helper *h, uint64_t chunks_read)
{
	pthread_mutex_lock(&h->mu);
	h->produced = chunks_read;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/* Wait until chunk k's slot is no longer in use by the helper. */
static void helper_wait_slot(struct helper *h, uint64_t k)
{
	pthread_mutex_lock(&h->mu);
	while (h->running && h->consumed + NSLOT <= k)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

static void helper_finish(struct helper *h, bool stop)
{
	if (!h->running)
		return;
	pthread_mutex_lock(&h->mu);
	h->eof = true;
	h->stop = stop;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->th, NULL);
	h->running = false;
}

/* A suffix id matches the manifest's; a manifest id 0 ("any", trust updates:
 * docs/trust.md) goes with DFU's own "any", 0xFFFF. */
static bool suffix_id_ok(uint16_t suffix, uint16_t manifest)
{
	return suffix == manifest || (manifest == 0u && suffix == 0xFFFFu);
}

/* Clear the results, keep the inputs. */
static void reset(fwh_pkg_check *c)
{
	const fws_trust *trust = c->trust;
	bool want = c->want_file_sha256;
	const uint8_t *base = c->base;
	size_t base_len = c->base_len;
	memset(c, 0, sizeof(*c));
	c->trust = trust;
	c->want_file_sha256 = want;
	c->base = base;
	c->base_len = base_len;
}

fws_err fwh_pkg_check_file(fwh_pkg_check *c, const char *path)
{
	reset(c);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return io_fail(c, errno);
	fwh_pkg_check_fd(c, fd);
	close(fd);
	return c->err;
}

fws_err fwh_pkg_check_fd(fwh_pkg_check *c, int fd)
{
	reset(c);
	/* one helper per call, not a static: the session, multi, watch and the
	 * GUI may check packages from several threads at once */
	struct helper *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return io_fail(c, ENOMEM);
	uint8_t *rbuf = NULL;
	fwh_unitdec *dec = NULL;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->want_file_sha = c->want_file_sha256;

	struct stat st = {0};
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		io_fail(c, S_ISDIR(st.st_mode) ? EISDIR : (errno ? errno : EINVAL));
		goto out;
	}
	c->file_size = (uint64_t)st.st_size;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	/* The suffix is the last 16 bytes (DFU 1.1 appendix B); without one the
	 * whole file is the stream, so a truncated package still gets the more
	 * precise "ends early" from the reader. */
	uint8_t sfx[FWS_PKG_SUFFIX_LEN];
	uint64_t stream_len = c->file_size;
	if (c->file_size >= FWS_PKG_SUFFIX_LEN) {
		if (!read_full(fd, sfx, sizeof(sfx), c->file_size - FWS_PKG_SUFFIX_LEN)) {
			io_fail(c, errno ? errno : EIO);
			goto out;
		}
		if (fws_dfu_suffix_parse(sfx, &c->suffix) == FWS_OK) {
			c->have_suffix = true;
			stream_len -= FWS_PKG_SUFFIX_LEN;
		}
	}

	rbuf = malloc(READER_BUF);
	bool alloc_ok = rbuf != NULL;
	for (unsigned i = 0; i < NSLOT; i++) {
		h->slot[i] = malloc(CHUNK);
		alloc_ok = alloc_ok && h->slot[i];
	}
	if (!alloc_ok) {
		io_fail(c, ENOMEM);
		goto out;
	}
	fws_pkg_reader r;
	/* The helper thread checks the image digest (FWS_PKG_NO_IMAGE_HASH). */
	fws_err e = fws_pkg_reader_init(&r, rbuf, READER_BUF, c->trust,
	                                FWS_PKG_NO_IMAGE_HASH | (c->trust ? 0 : FWS_PKG_UNVERIFIED));
	if (e != FWS_OK) {
		c->err = e;
		goto out;
	}
	fwh_reader_use_host_sha256(&r);
	bool done = false;
	uint64_t k = 0;
	for (uint64_t off = 0; off < stream_len; k++) {
		unsigned s = (unsigned)(k % NSLOT);
		size_t n = stream_len - off < CHUNK ? (size_t)(stream_len - off) : CHUNK;
		helper_wait_slot(h, k);
		if (!read_full(fd, h->slot[s], n, off)) {
			io_fail(c, errno ? errno : EIO);
			goto out;
		}
		h->len[s] = n;
		h->off[s] = off;
		off += n;
		if (h->running)
			helper_publish(h, k + 1);
		if (done) {
			c->err = FWS_E_TRAILING;
			goto out;
		}
		if (!feed_chunk(c, &r, h->slot[s], n, &done, &dec))
			goto out;
		if (!h->running && c->have_prefix && !helper_start(h, &r, k + 1)) {
			io_fail(c, EAGAIN);
			goto out;
		}
	}
	static const uint8_t none[1];
	if (!done && !feed_chunk(c, &r, none, 0, &done, &dec))
		goto out;
	if (!done) {
		c->err = FWS_E_TRUNCATED;
		c->failed_block = r.block_index;
		goto out;
	}
	helper_finish(h, false);
	uint8_t d[FWS_SHA256_LEN];
	fwh_sha256_final(&h->image, d);
	/* an encoded image is known once decoded: the decoder hashed it */
	c->image_checked = dec == NULL || fwh_unitdec_image_sha256(dec, d);
	if (c->image_checked && !fws_ct_equal(d, c->manifest.image_sha256, FWS_SHA256_LEN)) {
		c->err = FWS_E_IMAGE_DIGEST;
		goto out;
	}
	if (!c->have_suffix) {
		c->err = FWS_E_SUFFIX;
		goto out;
	}
	uint32_t crc = fwh_crc32(h->crc, sfx, FWS_PKG_SUFFIX_LEN - 4);
	if ((uint32_t)~crc != c->suffix.crc || !suffix_id_ok(c->suffix.id_vendor, c->manifest.vendor_id) ||
	    !suffix_id_ok(c->suffix.id_product, c->manifest.class_id)) {
		c->err = FWS_E_SUFFIX;
		goto out;
	}
	if (c->want_file_sha256) {
		fwh_sha256_update(&h->file, sfx, sizeof(sfx));
		fwh_sha256_final(&h->file, c->file_sha256);
	}
	c->complete = true;
out:
	fwh_unitdec_free(dec);
	helper_finish(h, true);
	/* free the hash contexts nobody finalized (an error, or no file hash) */
	uint8_t unused[FWS_SHA256_LEN];
	if (h->image.md)
		fwh_sha256_final(&h->image, unused);
	if (h->file.md)
		fwh_sha256_final(&h->file, unused);
	for (unsigned i = 0; i < NSLOT; i++)
		free(h->slot[i]);
	free(rbuf);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
	return c->err;
}
