/* SPDX-License-Identifier: MIT */
/*
 * The logger. Its state is process-wide by nature (one identity, one set
 * of destinations per process), so it lives in file-scope variables set
 * once at start-up by the server skeleton or a tool's main().
 */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048

static struct {
	char ident[64];		/* "postern/smtpd" */
	char host[256];
	char context[128];
	enum log_level level;
	bool to_stderr;
	bool to_syslog;
	int file_fd;
} log_state = {
	.ident = "postern",
	.level = LOG_LEVEL_INFO,
	.to_stderr = true,
	.file_fd = -1,
};

static const char *const log_level_names[] = {
	[LOG_LEVEL_DEBUG] = "debug",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_CRIT] = "critical",
};

void
log_init(const char *service)
{
	if (service != NULL && *service != '\0')
		snprintf(log_state.ident, sizeof(log_state.ident),
		    "postern/%s", service);
	else
		snprintf(log_state.ident, sizeof(log_state.ident), "postern");
	if (gethostname(log_state.host, sizeof(log_state.host)) != 0)
		snprintf(log_state.host, sizeof(log_state.host), "localhost");
	log_state.host[sizeof(log_state.host) - 1] = '\0';
	if (log_state.to_syslog) {
		closelog();
		openlog(log_state.ident, LOG_NDELAY, LOG_MAIL);
	}
}

void
log_set_level(enum log_level level)
{
	log_state.level = level;
}

enum log_level
log_get_level(void)
{
	return log_state.level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(log_level_names) / sizeof(*log_level_names);
	    i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(s, "crit") == 0) {
		*out = LOG_LEVEL_CRIT;
		return 0;
	}
	return -1;
}

void
log_to_stderr(bool on)
{
	log_state.to_stderr = on;
}

int
log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return -1;
	if (log_state.file_fd >= 0)
		close(log_state.file_fd);
	log_state.file_fd = fd;
	return 0;
}

void
log_to_syslog(bool on)
{
	if (on && !log_state.to_syslog)
		openlog(log_state.ident, LOG_NDELAY, LOG_MAIL);
	else if (!on && log_state.to_syslog)
		closelog();
	log_state.to_syslog = on;
}

void
log_set_context(const char *ctx)
{
	snprintf(log_state.context, sizeof(log_state.context), "%s",
	    ctx != NULL ? ctx : "");
}

static int
log_syslog_priority(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG:
		return LOG_DEBUG;
	case LOG_LEVEL_INFO:
		return LOG_INFO;
	case LOG_LEVEL_NOTICE:
		return LOG_NOTICE;
	case LOG_LEVEL_WARNING:
		return LOG_WARNING;
	case LOG_LEVEL_ERROR:
		return LOG_ERR;
	case LOG_LEVEL_CRIT:
		return LOG_CRIT;
	}
	return LOG_INFO;
}

/* Write all of a line; a log destination that fails is not retried. */
static void
log_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void log_emit(enum log_level, const char *, int, const char *,
    va_list) __attribute__((format(printf, 4, 0)));

static void
log_emit(enum log_level level, const char *label, int errnum,
    const char *fmt, va_list ap)
{
	char text[LOG_LINE_MAX], line[LOG_LINE_MAX + 512], stamp[32];
	int saved_errno = errno;
	size_t off = 0;
	time_t now;
	struct tm tm;
	int n;

	/* Warnings and worse are always logged, whatever the level. */
	if (level < LOG_LEVEL_WARNING && level < log_state.level)
		goto out;
	if (label != NULL)
		off = (size_t)snprintf(text, sizeof(text), "%s: ", label);
	if (log_state.context[0] != '\0' && off < sizeof(text))
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s: ", log_state.context);
	if (off < sizeof(text))
		n = vsnprintf(text + off, sizeof(text) - off, fmt, ap);
	else
		n = 0;
	off = n < 0 ? off : off + (size_t)n;
	if (errnum != 0 && off < sizeof(text))
		snprintf(text + off, sizeof(text) - off, ": %s",
		    strerror(errnum));

	if (log_state.to_syslog)
		syslog(log_syslog_priority(level), "%s", text);
	if (!log_state.to_stderr && log_state.file_fd < 0)
		goto out;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s %s %s[%ld]: %s\n", stamp,
	    log_state.host[0] ? log_state.host : "localhost", log_state.ident,
	    (long)getpid(), text);
	if (n < 0)
		goto out;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (log_state.to_stderr)
		log_write_all(STDERR_FILENO, line, (size_t)n);
	if (log_state.file_fd >= 0)
		log_write_all(log_state.file_fd, line, (size_t)n);
out:
	errno = saved_errno;
}

#define LOG_DEFINE(fn, level, label)                                        \
	void fn(const char *fmt, ...)                                       \
	{                                                                   \
		va_list ap;                                                 \
		va_start(ap, fmt);                                          \
		log_emit(level, label, 0, fmt, ap);                         \
		va_end(ap);                                                 \
	}

LOG_DEFINE(log_debug, LOG_LEVEL_DEBUG, NULL)
LOG_DEFINE(log_info, LOG_LEVEL_INFO, NULL)
LOG_DEFINE(log_notice, LOG_LEVEL_NOTICE, NULL)
LOG_DEFINE(log_warning, LOG_LEVEL_WARNING, "warning")
LOG_DEFINE(log_error, LOG_LEVEL_ERROR, "error")
LOG_DEFINE(log_crit, LOG_LEVEL_CRIT, "critical")

void
log_warning_errno(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARNING, "warning", errnum, fmt, ap);
	va_end(ap);
}

void
log_error_errno(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, "error", errnum, fmt, ap);
	va_end(ap);
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_CRIT, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_fatal_errno(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_CRIT, "fatal", errnum, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_CRIT, "panic", 0, fmt, ap);
	va_end(ap);
	abort();
}

char *
log_escape(const char *in, size_t len, size_t cap, char *out, size_t outsz)
{
	size_t i, o = 0;

	if (outsz == 0)
		return out;
	for (i = 0; i < len && i < cap; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outsz)
				break;
			snprintf(out + o, outsz - o, "\\%03o", c);
			o += 4;
		}
	}
	if (i < len && o + 3 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
