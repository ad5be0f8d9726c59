/* SPDX-License-Identifier: MIT */
/*
 * Without libFuzzer, each fuzz target links with this file and replays
 * its seed corpus (files or directories named on argv), so CTest checks
 * every parser against its corpus on every build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	data = malloc((size_t)size + 1);
	if (data == NULL || fread(data, 1, (size_t)size, fp) != (size_t)size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
}

static int
replay_path(const char *path, int *count)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	char sub[4096];
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: no such corpus %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
		    (int)sizeof(sub))
			continue;
		if (replay_path(sub, count) != 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

int
main(int argc, char **argv)
{
	int i, count = 0, rc = 0;

	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			rc = 1;
	printf("replayed %d inputs\n", count);
	return rc != 0 || count == 0;
}
