/* SPDX-License-Identifier: MIT */
/*
 * One open SASL exchange, shared by authd_sasl.c (its life) and
 * authd_backend.c (the callbacks Cyrus SASL calls during its steps).
 */
#ifndef AUTH_AUTHD_SASL_IMPL_H
#define AUTH_AUTHD_SASL_IMPL_H

#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <sasl/saslutil.h>

#include "authd.h"
#include "userdb/userdb.h"

/* Cyrus stores every callback as int (*)(void); going through the
 * generic function type is the cast C allows for that. */
#define AUTHD_SASL_PROC(fn) ((sasl_callback_ft)(void (*)(void))(fn))

struct authd_exch {
	struct authd_exch *next;
	struct authd *ad;
	struct authd_logins *owner;
	char id[24];
	sasl_conn_t *conn;
	sasl_callback_t cbs[3]; /* live as long as conn */
	const struct authd_service *svc;
	char client_addr[72];
	bool tls;
	char mech[24]; /* upper case */
	/* The last user name Cyrus canonicalised (the one tried), for the
	 * log and the throttle; "" until then. */
	char user[USERDB_ADDRESS_MAX + 1];
	/* Database trouble seen by a callback: the step is a TEMPFAIL. */
	bool db_trouble;
	uint64_t timer;
};

#endif
