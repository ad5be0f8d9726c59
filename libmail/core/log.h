/* SPDX-License-Identifier: MIT */
/*
 * Logging in Postfix's line shape, so existing log analysers work:
 *   Mon DD HH:MM:SS host postern/<service>[pid]: [label: ]text
 * Lines go to stderr, a file (maillog_file) and/or syslog. Client text
 * must pass through log_escape() before it reaches a log line; secrets
 * never do.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_CRIT,
};

/* Name this process "postern/<service>"; safe to call again. */
void log_init(const char *service);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "debug" … "critical" (also "crit"); 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
/* Destinations. log_open_file returns -1 with errno set on failure. */
void log_to_stderr(bool on);
int log_open_file(const char *path);
void log_to_syslog(bool on);
/*
 * A context placed before every line's text, e.g. a session id; NULL
 * clears it. Copied.
 */
void log_set_context(const char *ctx);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_crit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ": strerror(errnum)" is appended; errnum is passed so nothing clobbers it. */
void log_warning_errno(int errnum, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_error_errno(int errnum, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Going on is unsafe: log and exit(1); the master restarts us. */
_Noreturn void log_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void log_fatal_errno(int errnum, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A bug: log and abort() for a core. Use through PANIC(). */
_Noreturn void log_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#define PANIC(...) log_panic(__VA_ARGS__)

/*
 * Copy untrusted text into out (size outsz) with non-printable bytes as
 * \ooo and at most cap input bytes; returns out. For logging only.
 */
char *log_escape(const char *in, size_t len, size_t cap, char *out,
    size_t outsz);

#endif
