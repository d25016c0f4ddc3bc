/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keys/: secrets leave no copy behind and private key files must be private
 * (issue 16, item 5).
 *
 * free() is interposed at link time (-Wl,--wrap=free) for the keys library:
 * every block it frees is searched (malloc_usable_size) for the secrets
 * the test put in files (a PIN, the line after it, the body of a private
 * key). One found means a secret went back to the heap unwiped.
 *   - a PIN / passphrase file: wiped whole, the bytes after the first line
 *     too, also when the file is refused as too large;
 *   - a private key file: refused while group or others may read or write
 *     it (FWS_KEY_E_EXPOSED, naming `chmod 600`), as ssh does; loaded once
 *     private; a public key given by mistake is called a public key;
 *   - a private key given where a public key belongs (export-trust) is read
 *     and wiped like a secret.
 * The tests run as root: the check is on the mode bits, so it holds anyway.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/keys.h"

/* ---- the interposed free ---- */

void __real_free(void *p);
void __wrap_free(void *p);

static const char *markers[4];
static unsigned leaks;

void __wrap_free(void *p)
{
	if (p) {
		size_t n = malloc_usable_size(p);
		for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
			if (markers[i] && memmem(p, n, markers[i], strlen(markers[i])))
				leaks++;
	}
	__real_free(p);
}

static void watch_for(const char *a, const char *b)
{
	memset(markers, 0, sizeof markers);
	markers[0] = a;
	markers[1] = b;
	leaks = 0;
}

/* ---- fixtures ---- */

static char dir[64];

static const char *at(const char *name)
{
	static char buf[4][128];
	static unsigned k;
	char *p = buf[k++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The whole file, and a piece of its middle (a PEM body is base64). */
static char key_text[4096];
static char key_piece[41];

static int setup(void **state)
{
	(void)state;
	fws_keypair *kp = NULL;
	fws_key_msg msg;

	snprintf(dir, sizeof dir, "/tmp/fwseal-secrets-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fws_keypair_generate(&kp, NULL, NULL, &msg), FWS_KEY_OK);
	assert_int_equal(fws_keypair_write(kp, at("k"), NULL, 0, &msg), FWS_KEY_OK);
	fws_keypair_free(kp);
	FILE *f = fopen(at("k.key"), "rb");
	assert_non_null(f);
	size_t n = fread(key_text, 1, sizeof key_text - 1, f);
	fclose(f);
	assert_true(n > 120);
	memcpy(key_piece, key_text + n / 2, 40);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = { "k.key", "k.pub", "pin.txt", "big.txt", "open.key", "pub-as-key" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(at(names[i]));
	rmdir(dir);
	return 0;
}

/* ---- the tests ---- */

static void pin_file_wiped_whole(void **state)
{
	(void)state;
	char *pin = NULL;
	fws_key_msg msg;

	write_file(at("pin.txt"), "PIN-7f3a\nSECOND-LINE-c9e1\n", 0644);
	watch_for("PIN-7f3a", "SECOND-LINE-c9e1");
	assert_int_equal(fws_secret_file_read(at("pin.txt"), &pin, &msg), FWS_KEY_OK);
	assert_string_equal(pin, "PIN-7f3a");
	fws_secret_free(pin);
	assert_int_equal(leaks, 0);
}

static void oversize_secret_file_wiped(void **state)
{
	(void)state;
	char big[FWS_SECRET_MAX + 200];
	char *pin = NULL;
	fws_key_msg msg;

	for (size_t i = 0; i + 1 < sizeof big; i++)
		big[i] = "TOO-LONG-SECRET-"[i % 16];
	big[sizeof big - 1] = '\0';
	write_file(at("big.txt"), big, 0600);
	watch_for("TOO-LONG-SECRET-TOO-LONG-SECRET-", NULL);
	assert_int_equal(fws_secret_file_read(at("big.txt"), &pin, &msg), FWS_KEY_E_FORMAT);
	assert_null(strstr(msg.text, "TOO-LONG"));
	assert_int_equal(leaks, 0);
}

static void private_key_must_be_private(void **state)
{
	(void)state;
	const mode_t open_modes[] = { 0640, 0604, 0660, 0606, 0644, 0666, 0620, 0602 };
	fws_keypair *kp = NULL;
	fws_key_msg msg;

	write_file(at("open.key"), key_text, 0600);
	for (size_t i = 0; i < sizeof open_modes / sizeof open_modes[0]; i++) {
		char want[96];
		assert_int_equal(chmod(at("open.key"), open_modes[i]), 0);
		assert_int_equal(fws_keypair_load(at("open.key"), NULL, &kp, &msg), FWS_KEY_E_EXPOSED);
		assert_null(kp);
		snprintf(want, sizeof want, "(mode %04o)", (unsigned)open_modes[i]);
		assert_non_null(strstr(msg.text, want));
		snprintf(want, sizeof want, "chmod 600 %s", at("open.key"));
		assert_non_null(strstr(msg.text, want));
	}
	assert_int_equal(chmod(at("open.key"), 0400), 0);
	watch_for(key_piece, NULL);
	assert_int_equal(fws_keypair_load(at("open.key"), NULL, &kp, &msg), FWS_KEY_OK);
	assert_int_equal(leaks, 0);
	fws_keypair_free(kp);
	/* a public key given as the private key, readable by all: a mix-up */
	write_file(at("pub-as-key"), "", 0600);
	FILE *f = fopen(at("k.pub"), "rb");
	char pub[1024] = "";
	assert_non_null(f);
	assert_true(fread(pub, 1, sizeof pub - 1, f) > 0);
	fclose(f);
	write_file(at("pub-as-key"), pub, 0644);
	assert_int_equal(fws_keypair_load(at("pub-as-key"), NULL, &kp, &msg), FWS_KEY_E_FORMAT);
	assert_non_null(strstr(msg.text, "is a public key"));
}

static void private_key_given_as_public_key(void **state)
{
	(void)state;
	uint8_t pub[FWS_P256_PUB_LEN];
	fws_key_msg msg;

	watch_for(key_piece, NULL);
	assert_int_equal(fws_pub_load(at("k.key"), pub, &msg), FWS_KEY_E_FORMAT);
	assert_int_equal(leaks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_file_wiped_whole),
		cmocka_unit_test(oversize_secret_file_wiped),
		cmocka_unit_test(private_key_must_be_private),
		cmocka_unit_test(private_key_given_as_public_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
