/* SPDX-License-Identifier: MIT */
/*
 * The unit-test runner: one header, no dependencies. A test program is a
 * table of named cases; checks record file and line and carry on; the
 * cases named on argv run (all of them by default); one line per case;
 * the exit status is non-zero when any check failed.
 */
#ifndef TESTS_UNIT_T_H
#define TESTS_UNIT_T_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_case {
	const char *name;
	void (*fn)(void);
};

static int t_failures;	/* failed checks in the current case */

static inline bool
t_check(bool ok, const char *what, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "  %s:%d: check failed: %s\n", file, line,
		    what);
		t_failures++;
	}
	return ok;
}

static inline bool
t_check_int(intmax_t got, intmax_t want, const char *what, const char *file,
    int line)
{
	if (got != want) {
		fprintf(stderr, "  %s:%d: %s: got %jd, want %jd\n", file, line,
		    what, got, want);
		t_failures++;
	}
	return got == want;
}

static inline bool
t_check_str(const char *got, const char *want, const char *what,
    const char *file, int line)
{
	bool ok = (got == NULL || want == NULL) ? got == want
	    : strcmp(got, want) == 0;

	if (!ok) {
		fprintf(stderr, "  %s:%d: %s: got \"%s\", want \"%s\"\n", file,
		    line, what, got ? got : "(null)", want ? want : "(null)");
		t_failures++;
	}
	return ok;
}

#define T_CHECK(cond) t_check((cond), #cond, __FILE__, __LINE__)
#define T_EQ_INT(got, want) \
	t_check_int((intmax_t)(got), (intmax_t)(want), #got, __FILE__, __LINE__)
#define T_EQ_STR(got, want) t_check_str((got), (want), #got, __FILE__, __LINE__)

static inline int
t_run(const struct t_case *cases, size_t n, int argc, char **argv)
{
	int passed = 0, failed = 0;
	size_t i;
	int a;

	for (i = 0; i < n; i++) {
		bool wanted = argc <= 1;

		for (a = 1; a < argc; a++)
			if (strcmp(argv[a], cases[i].name) == 0)
				wanted = true;
		if (!wanted)
			continue;
		t_failures = 0;
		cases[i].fn();
		printf("%s %s\n", t_failures ? "FAIL" : "ok  ", cases[i].name);
		fflush(stdout);
		if (t_failures)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define T_CASE(fn) { #fn, fn }
#define T_MAIN(...)                                                        \
	int main(int argc, char **argv)                                     \
	{                                                                   \
		static const struct t_case cases[] = { __VA_ARGS__ };      \
		return t_run(cases, sizeof(cases) / sizeof(cases[0]), argc, \
		    argv);                                                  \
	}

#endif
