/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_fuzz_seeds.c - writes the seed corpora of the fuzz targets added in
 * issue 16 into CORPUS_DIR/<target>/ (and the package-piece seeds of
 * stub_requests): inputs that reach deep states, made with the targets' own
 * deterministic test keys and packages (fuzz_device.h), so they stay valid.
 * No private key is written: the key-file seeds hold DER-shaped bytes, not
 * a key, and the trust stores and packages only public keys and signatures.
 *   gen-fuzz-seeds CORPUS_DIR     (tests/corpus; reads CORPUS_DIR/pkg too)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/base64.h>
#include <mbedtls/gcm.h>

#include "fuzz_device.h"
#include "fuzz_kdf.h"
#include "fwseal/crc.h"
#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fwseal/trust.h"

static const char *root;
static uint8_t out[1 << 17];
static size_t len;
static fuzz_device D;

static void put(const void *p, size_t n)
{
	if (len + n > sizeof out)
		abort();
	memcpy(out + len, p, n);
	len += n;
}

static void u8(uint8_t v) { put(&v, 1); }
static void u16(uint16_t v) { uint8_t b[2]; fws_put_le16(b, v); put(b, 2); }

static void save(const char *target, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, target);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(out, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	len = 0;
}

/* ---- stub_requests: pieces of ready-made packages (FUZZ_PKG) ---- */

static void req(uint8_t op, uint8_t flags, const void *data, uint16_t n)
{
	u8(op);
	u8(flags);
	u16(n);
	put(data, n);
}

static void req_pkg(int pkg, uint32_t off, uint16_t n)
{
	uint8_t d[6];
	fws_put_le32(d, off);
	fws_put_le16(d + 4, n);
	req(FUZZ_PKG, (uint8_t)pkg, d, sizeof d);
	req(FWS_DFU_GETSTATUS, 0, NULL, 0);
}

static void stream_pkg(int pkg, uint32_t from, uint32_t to, uint16_t chunk)
{
	for (uint32_t at = from; at < to; at += chunk)
		req_pkg(pkg, at, (uint16_t)(to - at < chunk ? to - at : chunk));
}

static void stub_requests(void)
{
	const test_pkg *v2 = &D.pkg[FUZZ_PKG_V2];
	uint8_t ms[4];

	stream_pkg(FUZZ_PKG_V2, 0, (uint32_t)v2->len, 1024);
	req(FWS_DFU_DNLOAD, 0, NULL, 0);
	req(FWS_DFU_GETSTATUS, 0, NULL, 0);
	req(FWS_DFU_GETSTATUS, 0, NULL, 0);
	req(FWS_REQ_RESET, 0, NULL, 0);
	save("stub_requests", "pkg-update");

	/* starts and aborts: the same package again, two by turns, time */
	for (int i = 0; i < 12; i++) {
		stream_pkg(i % 3 ? FUZZ_PKG_V2 : FUZZ_PKG_V1, 0, (uint32_t)v2->prefix_len + 600, 512);
		req(FWS_DFU_ABORT, 0, NULL, 0);
		req(FWS_DFU_CLRSTATUS, 0, NULL, 0);
		fws_put_le32(ms, 700);
		req(FUZZ_TIME, 0, ms, 4);
	}
	req(FUZZ_POWER, 1, NULL, 0);
	stream_pkg(FUZZ_PKG_V2, 0, (uint32_t)v2->len, 4096);
	save("stub_requests", "pkg-restarts");

	stream_pkg(FUZZ_PKG_ALIEN, 0, (uint32_t)v2->len, 4096);
	stream_pkg(FUZZ_PKG_V0, 0, (uint32_t)v2->len, 4096);
	save("stub_requests", "pkg-refused");

	req(FWS_DFU_UPLOAD, 0x41, NULL, 0); /* host to device: refused */
	req(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	req(FWS_DFU_ABORT, 0x40, NULL, 0);
	req(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	req(FWS_DFU_UPLOAD, 1, NULL, 0);
	save("stub_requests", "wrong-direction");
}

/* ---- stub_serial ---- */

static void ser(uint8_t kind, const void *d, uint16_t n)
{
	u8(kind);
	u16(n);
	put(d, n);
}

static void ser_frame(uint8_t type, uint16_t length, const void *payload, uint16_t n)
{
	uint8_t d[6 + 64];
	d[0] = type;
	d[1] = 0;
	fws_put_le16(d + 2, 0);
	fws_put_le16(d + 4, length);
	if (n > 64)
		abort();
	memcpy(d + 6, payload, n);
	ser(1, d, (uint16_t)(6 + n));
}

static void ser_pkg(int pkg, uint32_t off, uint16_t n, uint8_t flags)
{
	uint8_t d[8] = { (uint8_t)pkg };
	fws_put_le32(d + 1, off);
	fws_put_le16(d + 5, n);
	d[7] = flags;
	ser(3, d, sizeof d);
}

static void stub_serial(void)
{
	const test_pkg *v2 = &D.pkg[FUZZ_PKG_V2];
	static const uint8_t junk[] = { 0x00, 0x05, 0x11, 0x22, 0x00, 0x07, 0x01 };

	ser_frame(FWS_DFU_GETSTATUS, 16, NULL, 0);
	ser_frame(FWS_REQ_INFO, FWS_DEVINFO_MAX, NULL, 0);
	for (uint32_t at = 0; at < v2->len; at += 1024) {
		ser_pkg(FUZZ_PKG_V2, at, (uint16_t)(v2->len - at < 1024 ? v2->len - at : 1024), 1);
		if (at == 1024)
			ser(2, NULL, 0); /* the answer was lost: the host repeats */
	}
	ser_frame(FWS_DFU_DNLOAD, 0, NULL, 0);
	ser_frame(FWS_DFU_GETSTATUS, 16, NULL, 0);
	ser(2, NULL, 0);
	ser_frame(FWS_DFU_GETSTATUS, 16, NULL, 0);
	ser_frame(FWS_REQ_RESET, 0, NULL, 0);
	ser_frame(FWS_REQ_INFO, FWS_DEVINFO_MAX, NULL, 0);
	save("stub_serial", "update");

	ser(0, junk, sizeof junk);
	ser_frame(0x33, 0, NULL, 0);           /* unknown request */
	ser_frame(FWS_DFU_GETSTATUS, 0, NULL, 0); /* no room for the answer */
	ser_frame(FWS_DFU_UPLOAD, 64, NULL, 0);
	ser_frame(FWS_DFU_UPLOAD, 64, NULL, 0);
	ser_pkg(FUZZ_PKG_ALIEN, 0, 4096, 0);
	ser_frame(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	ser(4, NULL, 0);
	ser_frame(FWS_DFU_GETSTATE, 1, NULL, 0);
	save("stub_serial", "odd-frames");
}

/* ---- stub_boot ---- */

static void patch(uint8_t where, uint16_t off, const void *bytes, uint8_t n)
{
	u8(where);
	u16(off);
	u8(n);
	put(bytes, n);
}

static void stub_boot(void)
{
	static const uint8_t ff[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	for (uint8_t s = 0; s < 4; s++) {
		char name[32];
		u8(s);
		snprintf(name, sizeof name, "state%u", s);
		save("stub_boot", name);
	}
	u8(1);
	patch(0, 128 + 20, ff, 4);               /* the second journal record torn */
	save("stub_boot", "trial-torn-record");
	u8(2);
	patch(3, (uint16_t)(100u << 3 | 5u), NULL, 0); /* a bit of slot 1's prefix */
	save("stub_boot", "trial-prefix-bitflip");
	u8(0);
	patch(4, (uint16_t)(10u << 3 | 1u), NULL, 0);  /* a bit of the running image */
	save("stub_boot", "active-image-bitflip");
	u8(3);
	patch(1, 0, "FWJ1", 4);                  /* junk in the other journal sector */
	patch(2, 16, ff, 16);                    /* slot 0's manifest damaged */
	save("stub_boot", "cut-download-damage");
}

/* ---- trust ---- */

static void trust(void)
{
	fws_trust t;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n;

	memset(&t, 0, sizeof t);
	test_trust_one(&t, &D.key, 0);
	n = fws_trust_encode(&t, blob, sizeof blob);
	put(blob, n);
	save("trust", "one-key");
	t.keys[1] = t.keys[0];
	memcpy(t.keys[1].id, D.alien.id, FWS_KEY_ID_LEN);
	memcpy(t.keys[1].pub, D.alien.pub, FWS_P256_PUB_LEN);
	t.keys[1].flags = FWS_TRUST_REVOKED;
	t.count = 2;
	n = fws_trust_encode(&t, blob, sizeof blob);
	put(blob, n);
	save("trust", "two-keys-one-revoked");
	/* one key twice, once revoked (refused): written by hand */
	t.keys[1] = t.keys[0];
	t.keys[1].flags = FWS_TRUST_REVOKED;
	t.count = 1;
	n = fws_trust_encode(&t, blob, sizeof blob);
	memcpy(blob + n - 4, blob + FWS_TRUST_HDR_LEN, FWS_TRUST_ENTRY_LEN);
	blob[n - 4 + 8] = FWS_TRUST_REVOKED;
	blob[5] = 2;
	n += FWS_TRUST_ENTRY_LEN;
	fws_put_le32(blob + n - 4, fws_crc32(0, blob, n - 4));
	put(blob, n);
	save("trust", "duplicate-key");
}

/* ---- factory ---- */

static void factory(void)
{
	uint8_t sector[4096], rec[96];
	fws_trust t;

	memset(sector, 0xff, sizeof sector);
	memset(&t, 0, sizeof t);
	test_trust_one(&t, &D.key, 0);
	size_t n = fws_trust_encode(&t, sector, 0x800);
	memset(rec, 0, sizeof rec);
	memcpy(rec, "FWID", 4);
	rec[4] = 1;
	fws_put_le16(rec + 6, 1);
	fws_put_le16(rec + 8, 0x1209);
	fws_put_le16(rec + 10, 0x0001);
	memcpy(rec + 12, "FUZZ-1", 6);
	memcpy(rec + 44, "SN-0001", 7);
	memcpy(rec + 76, "app", 3);
	fws_put_le32(rec + 92, fws_crc32(0, rec, 92));
	memcpy(sector + 0x800, rec, sizeof rec);
	put(sector, 0x800 + sizeof rec);
	save("factory", "identity-and-trust");
	memset(sector, 0xff, n);
	put(sector, 0x800 + sizeof rec);
	save("factory", "identity-no-trust");
	rec[13] = 0x1b; /* a control character in the model */
	fws_put_le32(rec + 92, fws_crc32(0, rec, 92));
	memcpy(sector + 0x800, rec, sizeof rec);
	put(sector, 0x800 + sizeof rec);
	save("factory", "control-in-model");
}

/* ---- pkgcheck: the pkg seeds as files, with their DFU suffix ---- */

static void pkgcheck(void)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/pkg", root);
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		static uint8_t file[1 << 16];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		size_t n = f ? fread(file, 1, sizeof file, f) : 0;
		if (f)
			fclose(f);
		fws_pkg_header h;
		fws_manifest m;
		if (n < 1 + FWS_PKG_HEADER_LEN ||
		    fws_pkg_header_parse(file + 1, n - 1, &h) != FWS_OK ||
		    fws_manifest_parse(file + 1 + FWS_PKG_HEADER_LEN, h.manifest_len, &m) != FWS_OK)
			continue; /* only seeds that are packages */
		fws_dfu_suffix s = { 0xFFFFu, m.class_id, m.vendor_id, 0x0100u, 0 };
		uint8_t sfx[FWS_PKG_SUFFIX_LEN];
		fws_dfu_suffix_encode(&s, sfx);
		uint32_t crc = fws_dfu_crc_update(0xFFFFFFFFu, file + 1, n - 1);
		s.crc = fws_dfu_crc_update(crc, sfx, FWS_PKG_SUFFIX_LEN - 4);
		fws_dfu_suffix_encode(&s, sfx);
		u8((file[0] & 0x80u) ? 1u : 0u); /* unverified seeds: inspect mode */
		put(file + 1, n - 1);
		put(sfx, sizeof sfx);
		save("pkgcheck", e->d_name);
	}
	closedir(d);
}

/* ---- keyfile ---- */

static void pem(const char *label, const uint8_t *der, size_t n)
{
	unsigned char b64[4096];
	size_t bl = 0;
	if (mbedtls_base64_encode(b64, sizeof b64, &bl, der, n) != 0)
		abort();
	char head[128];
	snprintf(head, sizeof head, "-----BEGIN %s-----\n", label);
	put(head, strlen(head));
	for (size_t i = 0; i < bl; i += 64) {
		put(b64 + i, bl - i < 64 ? bl - i : 64);
		put("\n", 1);
	}
	snprintf(head, sizeof head, "-----END %s-----\n", label);
	put(head, strlen(head));
}

/* Seeds shaped like private key files (dummy bytes, no key anybody uses).
 * Not kept in the repository, where nothing that looks like a private key
 * belongs: the build writes them (--key-shaped DIR) and the suite replays
 * them beside tests/corpus/keyfile. */
static void keyfile_private(void)
{
	/* DER-shaped bytes, no key: SEQUENCE { INTEGER 1, OCTET STRING 32 x 0x5a } */
	uint8_t der[64] = { 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20 };
	memset(der + 7, 0x5a, 32);
	uint8_t env[40 + 39 + 16];
	memcpy(env, "FWSK", 4);
	env[4] = 1;
	env[5] = 1;
	env[6] = 1;
	env[7] = 0;
	fws_put_le32(env + 8, 1000);
	memset(env + 12, 0x11, 16); /* salt */
	memset(env + 28, 0x22, 12); /* nonce */
	uint8_t key[32];
	if (fuzz_kdf((const unsigned char *)"fuzz", 4, env + 12, 16, 1000, 32, key) != 0)
		abort();
	mbedtls_gcm_context g;
	mbedtls_gcm_init(&g);
	if (mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 256) != 0 ||
	    mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, 39, env + 28, 12, env, 40, der,
	                              env + 40, 16, env + 40 + 39) != 0)
		abort();
	mbedtls_gcm_free(&g);
	pem("FWSEAL ENCRYPTED " "PRIVATE KEY", env, sizeof env);
	save("keyfile", "sealed-der-shaped");
	env[4] = 2;
	pem("FWSEAL ENCRYPTED " "PRIVATE KEY", env, sizeof env);
	save("keyfile", "sealed-version-2");
	pem("EC " "PRIVATE KEY", der, 39);
	save("keyfile", "plain-der-shaped");
}

static void keyfile(void)
{
	uint8_t pub[91] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	                    0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	                    0x42, 0x00 };
	memcpy(pub + 26, D.key.pub, FWS_P256_PUB_LEN);
	pem("PUBLIC KEY", pub, sizeof pub);
	save("keyfile", "public-key");
}

/* ---- host_serial and host_links: a device that answers well ---- */

static size_t info_record(uint8_t *rec)
{
	fws_devinfo info;
	size_t n = 0;
	fws_stub_info(&D.stub, &info);
	if (fws_devinfo_encode(&info, rec, FWS_DEVINFO_MAX, &n) != FWS_OK)
		abort();
	return n;
}

/* the answers, in the order fuzz_host_session() asks */
static void answers(void (*answer)(uint8_t mode, uint8_t status, const uint8_t *p, uint16_t n),
                    uint8_t mode)
{
	static const uint8_t status[10] = { 0, 0, 0, 0, FWS_DFU_IDLE, 0, 0, 0, 0, 0 };
	static const uint8_t state[1] = { FWS_DFU_IDLE };
	uint8_t rec[FWS_DEVINFO_MAX];
	size_t rn = info_record(rec);
	answer(mode, FWS_FRAME_ACK, status, sizeof status);       /* GETSTATUS */
	answer(mode, FWS_FRAME_ACK, rec, (uint16_t)rn);           /* INFO */
	answer(mode, FWS_FRAME_ACK, status, sizeof status);       /* DNLOAD + status */
	answer(mode, FWS_FRAME_ACK, rec, 64);                     /* UPLOAD */
	answer(mode, FWS_FRAME_STALL, NULL, 0);                   /* RESUME refused */
	answer(mode, FWS_FRAME_ACK, status, sizeof status);       /* GETSTATUS */
	answer(mode, FWS_FRAME_ACK, state, 1);                    /* GETSTATE */
	answer(mode, FWS_FRAME_ACK, rec, (uint16_t)rn);           /* INFO */
	answer(mode, FWS_FRAME_ACK, NULL, 0);                     /* CLRSTATUS */
	answer(mode, FWS_FRAME_ACK, NULL, 0);                     /* RESET */
}

static void serial_answer(uint8_t mode, uint8_t status, const uint8_t *p, uint16_t n)
{
	u8(mode);
	u8(status);
	u8(0);    /* seq delta */
	u8(0);    /* type xor */
	u16(n);
	put(p, n);
	u8(mode == 1 ? 3 : 0); /* junk */
	if (mode == 1)
		put("\x00\x42\x00", 3);
}

static void link_answer(uint8_t mode, uint8_t status, const uint8_t *p, uint16_t n)
{
	u8(mode);
	u8(status == FWS_FRAME_STALL ? 1 : status);
	u8(0);
	u16(n);
	put(p, n);
}

static void usb_answer(uint8_t mode, uint8_t status, const uint8_t *p, uint16_t n)
{
	(void)mode;
	link_answer(status == FWS_FRAME_STALL ? 1 : 0, 0, p, n);
}

static void hosts(void)
{
	answers(serial_answer, 0);
	save("host_serial", "good-device");
	answers(serial_answer, 1);
	save("host_serial", "cut-answers");
	serial_answer(3, 0, NULL, 0); /* silent once: the host retransmits */
	answers(serial_answer, 0);
	save("host_serial", "one-lost");
	serial_answer(4, 0, NULL, 0);
	save("host_serial", "gone");

	u8(1);
	u16(0);
	answers(link_answer, 0);
	save("host_links", "hid-good-device");
	u8(1);
	u16(0);
	link_answer(2, 0, NULL, 0);
	link_answer(1, 0, (const uint8_t *)"\x05\x00\x01\x02\x03\x04", 6);
	answers(link_answer, 0);
	save("host_links", "hid-noise");
	u8(0);
	u16(4096);
	answers(usb_answer, 0);
	save("host_links", "usb-good-device");
	u8(0);
	u16(64);
	link_answer(3, 0, NULL, 0);
	link_answer(2, 0, NULL, 0);
	answers(usb_answer, 0);
	save("host_links", "usb-small-transfers");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--key-shaped") == 0) {
		root = argv[2];
		mkdir(root, 0755);
		keyfile_private();
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR | --key-shaped DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	fuzz_device_setup(&D);
	stub_requests();
	stub_serial();
	stub_boot();
	trust();
	factory();
	pkgcheck();
	keyfile();
	hosts();
	return 0;
}
