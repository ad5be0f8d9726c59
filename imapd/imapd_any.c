/* SPDX-License-Identifier: MIT */
/*
 * The commands of every state (RFC 3501 §6.1: CAPABILITY, NOOP,
 * LOGOUT) and the small extensions that only describe the server or the
 * session: ID (RFC 2971), ENABLE (RFC 5161), NAMESPACE (RFC 2342).
 */
#include "imapd.h"

#include <string.h>

#include "imapd_mailbox.h"

void
imapd_any_capability(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf *out;

	if (cmd->count != 0) {
		imapd_reply(
		    s, cmd->tag, "BAD", "CAPABILITY takes no arguments");
		return;
	}
	out = imapd_io_out(s);
	buf_puts(out, "* CAPABILITY ");
	imapd_cmd_capability_list(s, out);
	buf_puts(out, "\r\n");
	imapd_reply(s, cmd->tag, "OK", "Capability completed");
}

void
imapd_any_noop(struct imapd_session *s, const struct imap_cmd *cmd)
{
	/* Mailbox changes went out before the command ran; CHECK (RFC
	 * 3501 §6.4.1) has nothing more to do, every change is on disk. */
	imapd_reply(s, cmd->tag, "OK", "%s completed", cmd->name);
}

void
imapd_any_logout(struct imapd_session *s, const struct imap_cmd *cmd)
{
	imapd_untagged(s, "BYE Logging out");
	imapd_reply(s, cmd->tag, "OK", "Logout completed");
	s->state = IMAPD_LOGOUT;
	s->closing = true;
}

void
imapd_any_id(struct imapd_session *s, const struct imap_cmd *cmd)
{
	/* RFC 2971 §3.3: NIL or a list of at most 30 field/value pairs. */
	if (cmd->count != 1 ||
	    (cmd->args[0].type != IMAP_ARG_NIL &&
	        (cmd->args[0].type != IMAP_ARG_LIST ||
	            cmd->args[0].count % 2 != 0 || cmd->args[0].count > 60))) {
		imapd_reply(s, cmd->tag, "BAD", "ID takes NIL or a list");
		return;
	}
	imapd_untagged(
	    s, "ID (\"name\" \"Postern\" \"version\" \"%s\")", POSTERN_VERSION);
	imapd_reply(s, cmd->tag, "OK", "ID completed");
}

void
imapd_any_enable(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf *out;
	size_t i;

	if (cmd->count == 0) {
		imapd_reply(s, cmd->tag, "BAD", "ENABLE needs an argument");
		return;
	}
	for (i = 0; i < cmd->count; i++) {
		if (cmd->args[i].type != IMAP_ARG_ATOM) {
			imapd_reply(s, cmd->tag, "BAD", "ENABLE takes atoms");
			return;
		}
	}
	/* RFC 5161 §3.1: only what was not enabled before is listed;
	 * unknown names are ignored. */
	out = imapd_io_out(s);
	buf_puts(out, "* ENABLED");
	for (i = 0; i < cmd->count; i++) {
		if (imap_arg_is_atom(&cmd->args[i], "CONDSTORE") &&
		    !(s->enabled & IMAPD_ENABLED_CONDSTORE)) {
			s->enabled |= IMAPD_ENABLED_CONDSTORE;
			buf_puts(out, " CONDSTORE");
		}
	}
	buf_puts(out, "\r\n");
	imapd_reply(s, cmd->tag, "OK", "ENABLE completed");
}

void
imapd_any_namespace(struct imapd_session *s, const struct imap_cmd *cmd)
{
	if (cmd->count != 0) {
		imapd_reply(s, cmd->tag, "BAD", "NAMESPACE takes no arguments");
		return;
	}
	/* One personal namespace; no other users' or shared folders. */
	imapd_untagged(s, "NAMESPACE ((\"\" \"/\")) NIL NIL");
	imapd_reply(s, cmd->tag, "OK", "NAMESPACE completed");
}
