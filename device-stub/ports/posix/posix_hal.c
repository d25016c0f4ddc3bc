/* SPDX-License-Identifier: Apache-2.0 */
/* posix_hal.c - see posix_hal.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "posix_hal.h"

void fws_posix_layout(fws_flash_geom *g, uint32_t flash_size, uint32_t sector_size,
                      uint32_t write_size)
{
	uint32_t ss = sector_size;
	uint32_t trust = (FWS_HAL_TRUST_AREA_MIN + ss - 1u) & ~(ss - 1u);
	uint32_t first = 2u * ss + 2u * trust;
	uint32_t slot = flash_size > first ? ((flash_size - first) / 2u) & ~(ss - 1u) : 0u;

	memset(g, 0, sizeof *g);
	g->sector_size = ss;
	g->write_size = write_size;
	g->journal[0] = 0;
	g->journal[1] = ss;
	g->trust[0].off = 2u * ss;
	g->trust[0].size = trust;
	g->trust[1].off = 2u * ss + trust;
	g->trust[1].size = trust;
	g->slot[0].off = first;
	g->slot[0].size = slot;
	g->slot[1].off = first + slot;
	g->slot[1].size = slot;
}

uint64_t fws_posix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static fws_err h_read(void *ctx, uint32_t off, uint8_t *dst, size_t len)
{
	return fws_simflash_read(&((fws_posix_dev *)ctx)->flash, off, dst, len);
}

static fws_err h_write(void *ctx, uint32_t off, const uint8_t *src, size_t len)
{
	return fws_simflash_write(&((fws_posix_dev *)ctx)->flash, off, src, len);
}

static fws_err h_erase(void *ctx, uint32_t off)
{
	return fws_simflash_erase(&((fws_posix_dev *)ctx)->flash, off);
}

static const uint8_t *h_map(void *ctx, uint32_t off, size_t len)
{
	return fws_simflash_map(&((fws_posix_dev *)ctx)->flash, off, len);
}

static fws_err h_trust(void *ctx, uint8_t *dst, size_t cap, size_t *len)
{
	const fws_posix_dev *d = ctx;

	if (d->trust_len == 0 || d->trust_len > cap)
		return FWS_E_TRUST_STORE;
	memcpy(dst, d->trust_blob, d->trust_len);
	*len = d->trust_len;
	return FWS_OK;
}

/* UART pacing: 10 bit times per byte (8N1); wait until the line would have
 * carried the bytes, so throughput matches a real link at that rate. */
static void pace(const fws_posix_dev *d, uint64_t *free_ns, size_t n)
{
	uint64_t now = fws_posix_now_ns();
	uint64_t start = *free_ns > now ? *free_ns : now;

	if (d->baud == 0u)
		return;
	*free_ns = start + (uint64_t)n * 10u * 1000000000u / d->baud;
	if (*free_ns > now) {
		uint64_t w = *free_ns - now;
		struct timespec ts = {(time_t)(w / 1000000000u), (long)(w % 1000000000u)};

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
		}
	}
}

static int h_recv(void *ctx, uint8_t *dst, size_t cap, uint32_t timeout_ms)
{
	fws_posix_dev *d = ctx;
	struct pollfd p = {d->fd, POLLIN, 0};
	ssize_t n;

	if (d->fd < 0)
		return FWS_E_DISCONNECTED;
	if (d->mute_when_off && d->flash.dead)
		return 0; /* off: what arrives now is lost (the port drains it at power-on) */
	if (poll(&p, 1, (int)timeout_ms) <= 0)
		return 0; /* timeout or a signal: the caller's loop decides */
	n = read(d->fd, dst, cap);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR || errno == EIO) ? 0 : FWS_E_DISCONNECTED;
	pace(d, &d->rx_free_ns, (size_t)n);
	return (int)n;
}

static fws_err h_send(void *ctx, const uint8_t *src, size_t len)
{
	fws_posix_dev *d = ctx;
	size_t done = 0;

	if (d->fd < 0)
		return FWS_E_DISCONNECTED;
	if (d->mute_when_off && d->flash.dead)
		return FWS_OK; /* the power failed while answering: nothing leaves */
	pace(d, &d->tx_free_ns, len);
	while (done < len) {
		ssize_t n = write(d->fd, src + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = {d->fd, POLLOUT, 0};

				(void)poll(&p, 1, 100);
				continue;
			}
			return FWS_E_DISCONNECTED;
		}
		done += (size_t)n;
	}
	return FWS_OK;
}

static uint32_t h_now(void *ctx)
{
	const fws_posix_dev *d = ctx;

	if (d->clock_frozen)
		return d->clock_skew_ms;
	return (uint32_t)(fws_posix_now_ns() / 1000000u) + d->clock_skew_ms;
}

static void h_reset(void *ctx)
{
	((fws_posix_dev *)ctx)->reset_requested = true;
}

static void h_start(void *ctx, unsigned slot, uint32_t off, uint32_t len)
{
	(void)off;
	(void)len;
	((fws_posix_dev *)ctx)->started_slot = (int)slot;
}

void fws_posix_hal_init(fws_posix_dev *d)
{
	fws_hal *h = &d->hal;

	memset(h, 0, sizeof *h);
	h->ctx = d;
	fws_posix_layout(&h->geom, (uint32_t)d->flash.size, d->flash.sector_size, d->flash.write_size);
	h->flash_read = h_read;
	h->flash_write = h_write;
	h->flash_erase = h_erase;
	h->flash_map = h_map;
	h->trust_provisioned = h_trust;
	h->recv = h_recv;
	h->send = h_send;
	h->now_ms = h_now;
	h->reset = h_reset;
	h->start_image = h_start;
	d->started_slot = -1;
}

fws_err fws_posix_load_trust(fws_posix_dev *d, const char *path)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX + 1];
	FILE *fp = fopen(path, "rb");
	fws_trust t;
	size_t n;
	fws_err e;

	d->trust_len = 0;
	if (fp == NULL)
		return FWS_E_IO;
	n = fread(blob, 1, sizeof blob, fp);
	fclose(fp);
	/* checked here so a bad file is a clear start-up error; the core
	 * parses it again itself */
	e = fws_trust_parse(blob, n, &t);
	if (e != FWS_OK)
		return e;
	memcpy(d->trust_blob, blob, n);
	d->trust_len = n;
	return FWS_OK;
}

fws_err fws_posix_set_trust(fws_posix_dev *d, const fws_trust *t)
{
	d->trust_len = t == NULL ? 0u : fws_trust_encode(t, d->trust_blob, sizeof d->trust_blob);
	return t == NULL || d->trust_len != 0u ? FWS_OK : FWS_E_TRUST_STORE;
}
