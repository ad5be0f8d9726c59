/* SPDX-License-Identifier: MIT */
/*
 * Running an external command for a delivery agent: local's "|command"
 * aliases and the pipe transport. The command gets the message on its
 * standard input, runs in a session of its own with the environment it
 * is given, optionally as another user, and is killed with its process
 * group at the time limit. Only the start of its output is kept, for
 * the log and the bounce text. Its exit status is read with the
 * sysexits(3) conventions that MTAs share: EX_TEMPFAIL and friends
 * defer, the others bounce with the enhanced status code they imply.
 */
#ifndef CORE_COMMAND_H
#define CORE_COMMAND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Output bytes kept; shown escaped, so the text may be 4x longer. */
#define COMMAND_OUTPUT_MAX 512

struct command_job {
	char *const *argv; /* argv[0] is the program's path */
	char *const *envp; /* the whole environment */
	int stdin_fd; /* read from its start (lseek to 0) */
	uint64_t limit_ms;
	bool switch_user; /* become uid/gid (and only gid as group) */
	uid_t uid;
	gid_t gid;
};

struct command_result {
	const char *dsn; /* "2.0.0" on success; "4.x.x" defer; "5.x.x" */
	int exit_code; /* -1 when it did not exit by itself */
	char why[128]; /* "" on success, else what went wrong */
	char output[COMMAND_OUTPUT_MAX * 4 + 1]; /* escaped first line */
};

/*
 * Run job to completion and describe the outcome in res. Failures to
 * start it (fork, pipe) are temporary (4.3.0). Blocks until the command
 * ends or its time limit passes.
 */
void command_run(const struct command_job *job, struct command_result *res);
/*
 * The enhanced status code for an exit status, and its sysexits(3)
 * meaning ("user unknown"); NULL meaning for codes outside the table,
 * which bounce as 5.3.0.
 */
const char *command_exit_dsn(int code, const char **meaning);

#endif
