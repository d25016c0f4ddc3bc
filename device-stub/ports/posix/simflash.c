/* SPDX-License-Identifier: Apache-2.0 */
/* simflash.c - see simflash.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simflash.h"

fws_err fws_simflash_open(fws_simflash *f, const char *path, size_t size, uint32_t sector_size,
                          uint32_t write_size)
{
	struct stat st;
	bool fresh;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (size == 0u || sector_size == 0u || size % sector_size != 0u || write_size == 0u)
		return FWS_E_INVAL;
	f->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f->fd < 0 || fstat(f->fd, &st) != 0)
		goto fail;
	fresh = st.st_size == 0;
	if (!fresh && (size_t)st.st_size != size) {
		close(f->fd);
		f->fd = -1;
		return FWS_E_INVAL;
	}
	if (fresh && ftruncate(f->fd, (off_t)size) != 0)
		goto fail;
	f->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	if (f->mem == MAP_FAILED) {
		f->mem = NULL;
		goto fail;
	}
	if (fresh)
		memset(f->mem, 0xFF, size);
	f->erases = calloc(size / sector_size, sizeof *f->erases);
	if (f->erases == NULL) {
		munmap(f->mem, size);
		f->mem = NULL;
		goto fail;
	}
	f->size = size;
	f->sector_size = sector_size;
	f->write_size = write_size;
	return FWS_OK;
fail:
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	return FWS_E_IO;
}

void fws_simflash_close(fws_simflash *f)
{
	if (f->mem != NULL) {
		msync(f->mem, f->size, MS_SYNC);
		munmap(f->mem, f->size);
	}
	if (f->fd >= 0)
		close(f->fd);
	free(f->erases);
	f->erases = NULL;
	f->mem = NULL;
	f->fd = -1;
}

/* Count an operation; false if power is (now) off. *cut says this very
 * operation is the interrupted one. */
static bool power(fws_simflash *f, uint32_t off, bool *cut)
{
	*cut = false;
	if (f->dead)
		return false;
	if ((f->armed && f->ops == f->cut_after) ||
	    (f->armed_range && off >= f->cut_lo && off < f->cut_hi)) {
		f->dead = true;
		*cut = true;
		return false;
	}
	f->ops++;
	return true;
}

fws_err fws_simflash_read(fws_simflash *f, uint32_t off, uint8_t *dst, size_t len)
{
	if (f->dead)
		return FWS_E_IO;
	if (off > f->size || len > f->size - off)
		return FWS_E_IO;
	memcpy(dst, f->mem + off, len);
	return FWS_OK;
}

const uint8_t *fws_simflash_map(const fws_simflash *f, uint32_t off, size_t len)
{
	if (f->dead || f->mem == NULL || off > f->size || len > f->size - off)
		return NULL;
	return f->mem + off;
}

fws_err fws_simflash_write(fws_simflash *f, uint32_t off, const uint8_t *src, size_t len)
{
	bool cut;

	if (off > f->size || len > f->size - off || off % f->write_size != 0u ||
	    len % f->write_size != 0u) {
		f->violations++;
		return FWS_E_FLASH_WRITE;
	}
	for (size_t i = 0; i < len; i++) {
		if (f->mem[off + i] != 0xFFu) {
			f->violations++; /* program onto unerased flash */
			return FWS_E_FLASH_WRITE;
		}
	}
	if (!power(f, off, &cut)) {
		if (cut && f->torn) {
			/* Torn program: the first half lands, the rest does not. */
			for (size_t i = 0; i < len / 2u; i++)
				f->mem[off + i] &= src[i];
		}
		return FWS_E_FLASH_WRITE;
	}
	for (size_t i = 0; i < len; i++)
		f->mem[off + i] &= src[i]; /* programming only clears bits */
	return FWS_OK;
}

fws_err fws_simflash_erase(fws_simflash *f, uint32_t off)
{
	bool cut;

	if (off % f->sector_size != 0u || off >= f->size) {
		f->violations++;
		return FWS_E_FLASH_ERASE;
	}
	if (!power(f, off, &cut)) {
		if (cut && f->torn) {
			memset(f->mem + off, 0xFF, f->sector_size / 2u);
			f->erases[off / f->sector_size]++; /* a started erase wears too */
		}
		return FWS_E_FLASH_ERASE;
	}
	memset(f->mem + off, 0xFF, f->sector_size);
	f->erases[off / f->sector_size]++;
	return FWS_OK;
}

void fws_simflash_arm_cut(fws_simflash *f, uint64_t n, bool torn)
{
	f->armed = true;
	f->cut_after = f->ops + n;
	f->torn = torn;
}

void fws_simflash_arm_cut_in(fws_simflash *f, uint32_t lo, uint32_t hi, bool torn)
{
	f->armed_range = true;
	f->cut_lo = lo;
	f->cut_hi = hi;
	f->torn = torn;
}

void fws_simflash_repower(fws_simflash *f)
{
	f->armed = false;
	f->armed_range = false;
	f->dead = false;
	f->torn = false;
	f->ops = 0;
}

uint32_t fws_simflash_erases(const fws_simflash *f, uint32_t off)
{
	return f->erases != NULL && off < f->size ? f->erases[off / f->sector_size] : 0u;
}

void fws_simflash_flip(fws_simflash *f, uint32_t off, unsigned bit)
{
	if (off < f->size)
		f->mem[off] ^= (uint8_t)(1u << (bit & 7u));
}
