/* SPDX-License-Identifier: MIT */
/*
 * Command dispatch: parse a line (pop3/pop3_cmd.h), check that the verb
 * is valid in the session's state (RFC 1939 §4-§6), run its handler.
 * Also CAPA (RFC 2449), NOOP and QUIT, which need nothing else. Lines
 * are raw network data; a parse error is counted toward the limit.
 */
#include "pop3d.h"

#include <string.h>

#include "conf/conf.h"
#include "core/log.h"

typedef void pop3d_cmd_fn(struct pop3d_session *s, const struct pop3_cmd *cmd);

enum {
	POP3D_CMD_AUTHZ = 1 << POP3D_AUTHORIZATION,
	POP3D_CMD_TRANS = 1 << POP3D_TRANSACTION,
	/* Before TLS at pop3d_tls_security_level = encrypt: refused. */
	POP3D_CMD_NEEDS_TLS = 1 << 4,
};

struct pop3d_cmd_entry {
	pop3d_cmd_fn *fn;
	unsigned flags;
};

static void
pop3d_cmd_capa(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	struct buf mechs;
	struct err err;
	bool apop;

	(void)cmd;
	pop3d_ok(s, "Capability list follows");
	buf_puts(&s->io.out, "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
	                     "PIPELINING\r\n");
	if (pop3d_tls_offered(s))
		buf_puts(&s->io.out, "STLS\r\n");
	buf_init(&mechs);
	if (s->state == POP3D_AUTHORIZATION &&
	    pop3d_auth_mechs(s, &mechs, &apop, &err) == 0) {
		/* RFC 2449 §6.3: USER only when plaintext logins work. */
		if (pop3d_auth_listed(mechs.data, "PLAIN"))
			buf_puts(&s->io.out, "USER\r\n");
		if (mechs.len > 0)
			buf_printf(&s->io.out, "SASL %s\r\n", mechs.data);
	}
	buf_deinit(&mechs);
	buf_puts(&s->io.out, ".\r\n");
}

static void
pop3d_cmd_noop(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	(void)cmd;
	pop3d_ok(s, "NOOP");
}

static void
pop3d_cmd_quit(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	struct err err;
	int rc;

	(void)cmd;
	s->done = true;
	if (s->state != POP3D_TRANSACTION) {
		pop3d_ok(s, "Logging out");
		return;
	}
	/* RFC 1939 §6: only now do deletions take effect. */
	rc = pop3d_mailbox_update(s, &err);
	/* Unlocked before the reply: the client may reconnect at once. */
	pop3d_mailbox_close(s);
	if (rc != 0) {
		log_warning("user=<%s>: %s", s->user, err.text);
		pop3d_err(s, "SYS/TEMP", "Some deleted messages not removed");
		return;
	}
	pop3d_ok(s, "Logging out, %u messages deleted", s->nexpunged);
}

static const struct pop3d_cmd_entry pop3d_cmd_table[POP3_CMD_NVERB] = {
    [POP3_CMD_USER] = {pop3d_auth_user, POP3D_CMD_AUTHZ | POP3D_CMD_NEEDS_TLS},
    [POP3_CMD_PASS] = {pop3d_auth_pass, POP3D_CMD_AUTHZ | POP3D_CMD_NEEDS_TLS},
    [POP3_CMD_APOP] = {pop3d_auth_apop, POP3D_CMD_AUTHZ | POP3D_CMD_NEEDS_TLS},
    [POP3_CMD_AUTH] = {pop3d_auth_sasl, POP3D_CMD_AUTHZ | POP3D_CMD_NEEDS_TLS},
    [POP3_CMD_STLS] = {pop3d_tls_stls, POP3D_CMD_AUTHZ},
    [POP3_CMD_CAPA] = {pop3d_cmd_capa, POP3D_CMD_AUTHZ | POP3D_CMD_TRANS},
    [POP3_CMD_QUIT] = {pop3d_cmd_quit, POP3D_CMD_AUTHZ | POP3D_CMD_TRANS},
    [POP3_CMD_NOOP] = {pop3d_cmd_noop, POP3D_CMD_TRANS},
    [POP3_CMD_STAT] = {pop3d_msg_stat, POP3D_CMD_TRANS},
    [POP3_CMD_LIST] = {pop3d_msg_list, POP3D_CMD_TRANS},
    [POP3_CMD_UIDL] = {pop3d_msg_uidl, POP3D_CMD_TRANS},
    [POP3_CMD_RETR] = {pop3d_msg_retr, POP3D_CMD_TRANS},
    [POP3_CMD_TOP] = {pop3d_msg_retr, POP3D_CMD_TRANS},
    [POP3_CMD_DELE] = {pop3d_msg_dele, POP3D_CMD_TRANS},
    [POP3_CMD_RSET] = {pop3d_msg_rset, POP3D_CMD_TRANS},
};

void
pop3d_cmd_line(struct pop3d_session *s, const char *line, size_t len)
{
	const struct pop3d_cmd_entry *e;
	struct pop3_cmd cmd;
	struct err err;

	if (pop3_cmd_parse(line, len, (size_t)s->conf->pop3d_line_length_limit,
	        &cmd, s->cmd_arena, &err) != 0) {
		pop3d_err(s, NULL, "%s", err.text);
		return;
	}
	e = &pop3d_cmd_table[cmd.verb];
	if (e->fn == NULL || !(e->flags & (1u << s->state))) {
		pop3d_err(s, NULL, "%s not valid in this state",
		    pop3_cmd_verb_name(cmd.verb));
		return;
	}
	if ((e->flags & POP3D_CMD_NEEDS_TLS) && s->tls == NULL &&
	    s->pd->tls_level == TLS_LEVEL_ENCRYPT) {
		pop3d_err(s, "AUTH", "Plaintext authentication disallowed on "
		                     "non-secure connections, use STLS");
		return;
	}
	e->fn(s, &cmd);
}
