/* SPDX-License-Identifier: MIT */
/*
 * APOP (RFC 1939 section 7): the client proves it knows the user's
 * secret by sending MD5(timestamp secret) in hex. Not a SASL mechanism,
 * so not Cyrus's business. The digest comes from the client.
 */
#include "authd.h"

#include <string.h>

#include <openssl/evp.h>

bool
authd_apop_verify(const char *timestamp, const char *secret, const char *digest)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	unsigned char diff = 0;
	EVP_MD_CTX *ctx;
	bool ok;

	if (strlen(digest) != 32)
		return false;
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, timestamp, strlen(timestamp)) == 1 &&
	    EVP_DigestUpdate(ctx, secret, strlen(secret)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 16;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return false;
	/* Constant time; hex digits of either case. */
	for (i = 0; i < 32; i++) {
		unsigned char c = (unsigned char)digest[i];
		unsigned nib = i % 2 == 0 ? md[i / 2] >> 4 : md[i / 2] & 0x0f;

		if (c >= 'A' && c <= 'F')
			c = (unsigned char)(c - 'A' + 'a');
		diff |= (unsigned char)(c ^ (unsigned char)hex[nib]);
	}
	explicit_bzero(md, sizeof(md));
	return diff == 0;
}
