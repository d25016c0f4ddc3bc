/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_main.c - runs every file of the seed-corpus directories given on the
 * command line through LLVMFuzzerTestOneInput, so the normal test suite (gcc,
 * ASan/UBSan, valgrind) exercises each fuzz target without libFuzzer.
 * Fails if a directory is unreadable or holds no file, so a lost corpus is
 * noticed; a crash or sanitizer report fails the test by itself.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_FILE_MAX (1u << 20)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	uint8_t *buf = malloc(REPLAY_FILE_MAX);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	size_t n = fread(buf, 1, REPLAY_FILE_MAX, f);
	int bad = ferror(f) || !feof(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: cannot read %s (or larger than %u bytes)\n", path,
		        REPLAY_FILE_MAX);
		free(buf);
		return -1;
	}
	/* an exact-size copy, so ASan sees reads past the input's end */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "replay: cannot open corpus directory %s\n", dir);
		return -1;
	}
	int count = 0, rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0)
			rc = -1;
		count++;
	}
	closedir(d);
	printf("replayed %d inputs from %s\n", count, dir);
	if (count == 0) {
		fprintf(stderr, "replay: %s holds no inputs\n", dir);
		return -1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
		return 2;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++)
		if (replay_dir(argv[i]) != 0)
			rc = 1;
	return rc;
}
