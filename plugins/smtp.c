/*
 * The smtp notifier: mails each alert to one recipient (the contract's
 * owner, each address of its notify list, each cc) through libcurl's SMTP
 * and MIME API on the daemon's multi handle, so it never blocks.  TLS is
 * required unless the channel says tls = none.  This file holds the
 * channel's keys, its password and the transfer; smtp-msg.c builds the
 * message.  Only init() touches the file system (the password file).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "notifier.h"
#include "plugin-util.h"
#include "smtp.h"

#define SMTP_TIMEOUT_MAX	3600	/* seconds */
#define SMTP_CONNECT_TIMEOUT	10	/* seconds, at most timeout */
#define SMTP_PASSWORD_MAX	1024	/* bytes of password file read */
#define SMTP_REPLY_MAX		256	/* bytes of a server reply kept */
#define SMTP_CC_MAX		32
#define SMTP_MSG_MAX		(CURL_ERROR_SIZE + SMTP_REPLY_MAX + 32)

enum smtp_tls {
	SMTP_TLS_STARTTLS,
	SMTP_TLS_IMPLICIT,
	SMTP_TLS_NONE
};

/* One channel. */
struct smtp {
	const struct notifier_host	*host;
	char				*url;
	int				 smtps;		/* url's scheme */
	char				*from;		/* header form */
	char				*from_addr;	/* "<addr>" */
	char				*domain;
	char				*reply_to;
	char				*cc[SMTP_CC_MAX];
	size_t				 ncc;
	enum smtp_tls			 tls;
	char				*ca_file;
	char				*username;
	char				*password;
	long				 timeout;
};

/* One delivery under way, kept in d->plugin_data. */
struct smtp_xfer {
	const struct notifier_host	*host;
	struct curl_slist		*headers;
	struct curl_slist		*rcpt;
	curl_mime			*mime;
	char				 reply[SMTP_REPLY_MAX];
	char				 errbuf[CURL_ERROR_SIZE];
};

int
smtp_addr_valid(const char *s)
{
	const char	*at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strlen(s) > 254)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    strchr("<>()[],;:\\\"", *s) != NULL)
			return 0;
	return 1;
}

/* Takes the URL only if curl parses it and its scheme is smtp(s). */
static int
smtp_set_url(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 ok = 0;

	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, kv->value,
	    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		cfg->error(cfg, kv->line, "url: not a valid URL: %s",
		    kv->value);
	else if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)
		cfg->error(cfg, kv->line, "url: scheme '%s' is not smtp or "
		    "smtps", scheme);
	else {
		m->smtps = strcmp(scheme, "smtps") == 0;
		ok = (m->url = strdup(kv->value)) != NULL;
	}
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

/* from: "addr" or "Name <addr>", the name printable ASCII. */
static int
smtp_set_from(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	const char	*v = kv->value, *lt = strrchr(v, '<'), *p;
	size_t		 len = strlen(v);
	char		*addr;
	int		 ok;

	if (lt != NULL && len > 0 && v[len - 1] == '>')
		addr = strndup(lt + 1, len - 2 - (size_t)(lt - v));
	else
		addr = strdup(v);
	if (addr == NULL)
		return -1;
	ok = smtp_addr_valid(addr);
	for (p = v; ok && lt != NULL && p < lt; p++)
		if (!isprint((unsigned char)*p) || *p == '"' || *p == '\\')
			ok = 0;
	if (!ok) {
		cfg->error(cfg, kv->line, "from: not an address, nor "
		    "\"Name <address>\" in ASCII: %s", v);
		free(addr);
		return -1;
	}
	m->domain = strdup(strchr(addr, '@') + 1);
	ok = asprintf(&m->from_addr, "<%s>", addr) != -1;
	free(addr);
	if (!ok)
		m->from_addr = NULL;
	if (!ok || m->domain == NULL || (m->from = strdup(v)) == NULL)
		return -1;
	return 0;
}

static int
smtp_set_reply_to(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	if (!smtp_addr_valid(kv->value)) {
		cfg->error(cfg, kv->line, "reply_to: not an address: %s",
		    kv->value);
		return -1;
	}
	return (m->reply_to = strdup(kv->value)) == NULL ? -1 : 0;
}

/* cc: addresses separated by commas (and spaces). */
static int
smtp_set_cc(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	char	*list, *p, *a;
	int	 rc = 0;

	if ((p = list = strdup(kv->value)) == NULL)
		return -1;
	while (rc == 0 && (a = strsep(&p, ", ")) != NULL) {
		if (*a == '\0')
			continue;
		if (!smtp_addr_valid(a)) {
			cfg->error(cfg, kv->line, "cc: not an address: %s", a);
			rc = -1;
		} else if (m->ncc == SMTP_CC_MAX) {
			cfg->error(cfg, kv->line, "cc: more than %d "
			    "addresses", SMTP_CC_MAX);
			rc = -1;
		} else if ((m->cc[m->ncc++] = strdup(a)) == NULL)
			rc = -1;
	}
	free(list);
	return rc;
}

static int
smtp_set_tls(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	if (strcmp(kv->value, "starttls") == 0)
		m->tls = SMTP_TLS_STARTTLS;
	else if (strcmp(kv->value, "implicit") == 0)
		m->tls = SMTP_TLS_IMPLICIT;
	else if (strcmp(kv->value, "none") == 0)
		m->tls = SMTP_TLS_NONE;
	else {
		cfg->error(cfg, kv->line, "tls: not starttls, implicit or "
		    "none: %s", kv->value);
		return -1;
	}
	return 0;
}

static int
smtp_set_ca_file(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	FILE	*f;

	if ((f = fopen(kv->value, "re")) == NULL) {
		cfg->error(cfg, kv->line, "ca_file: %s: %s", kv->value,
		    strerror(errno));
		return -1;
	}
	fclose(f);
	return (m->ca_file = strdup(kv->value)) == NULL ? -1 : 0;
}

static int
smtp_set_username(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	if (kv->value[0] == '\0' || strpbrk(kv->value, "\r\n") != NULL) {
		cfg->error(cfg, kv->line, "username: empty or not one line");
		return -1;
	}
	return (m->username = strdup(kv->value)) == NULL ? -1 : 0;
}

/* The password: the first line of a file only the daemon may read. */
static int
smtp_set_password_file(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;
	char		 text[SMTP_PASSWORD_MAX + 2], err[256];
	size_t		 n;
	int		 rc;

	rc = putil_private_read(kv->value, text, sizeof(text), &n, err,
	    sizeof(err));
	text[strcspn(text, "\r\n")] = '\0';
	if (rc == 0 && text[0] == '\0') {
		snprintf(err, sizeof(err), "empty");
		rc = -1;
	}
	if (rc == 0 && (m->password = strdup(text)) == NULL)
		rc = -1;
	else if (rc == -1)
		cfg->error(cfg, kv->line, "password_file: %s: %s", kv->value,
		    err);
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}

static int
smtp_set_timeout(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct smtp	*m = self;

	return putil_seconds(cfg, kv, SMTP_TIMEOUT_MAX, &m->timeout);
}

enum smtp_key_index {
	SMTP_KEY_URL,
	SMTP_KEY_FROM,
	SMTP_KEY_CC,
	SMTP_KEY_REPLY_TO,
	SMTP_KEY_TLS,
	SMTP_KEY_CA_FILE,
	SMTP_KEY_USERNAME,
	SMTP_KEY_PASSWORD_FILE,
	SMTP_KEY_TIMEOUT,
	SMTP_NKEYS
};

static const struct putil_key smtp_keys[SMTP_NKEYS] = {
	[SMTP_KEY_URL] =		{ "url", smtp_set_url },
	[SMTP_KEY_FROM] =		{ "from", smtp_set_from },
	[SMTP_KEY_CC] =			{ "cc", smtp_set_cc },
	[SMTP_KEY_REPLY_TO] =		{ "reply_to", smtp_set_reply_to },
	[SMTP_KEY_TLS] =		{ "tls", smtp_set_tls },
	[SMTP_KEY_CA_FILE] =		{ "ca_file", smtp_set_ca_file },
	[SMTP_KEY_USERNAME] =		{ "username", smtp_set_username },
	[SMTP_KEY_PASSWORD_FILE] =	{ "password_file",
					    smtp_set_password_file },
	[SMTP_KEY_TIMEOUT] =		{ "timeout", smtp_set_timeout },
};

/* The rules between keys, once each has been read. */
static int
smtp_keys_check(struct smtp *m, const struct notifier_config *cfg,
    const struct notifier_kv **seen)
{
	const struct notifier_kv	*tls = seen[SMTP_KEY_TLS];
	int				 rc = 0;

	if (seen[SMTP_KEY_URL] == NULL) {
		cfg->error(cfg, cfg->line, "url: required (smtp://host:587 "
		    "or smtps://host:465)");
		rc = -1;
	}
	if (seen[SMTP_KEY_FROM] == NULL) {
		cfg->error(cfg, cfg->line, "from: required (the sender's "
		    "address)");
		rc = -1;
	}
	if (tls == NULL && m->smtps)
		m->tls = SMTP_TLS_IMPLICIT;
	else if (tls != NULL && m->url != NULL &&
	    m->smtps != (m->tls == SMTP_TLS_IMPLICIT)) {
		cfg->error(cfg, tls->line, "tls: %s does not go with an %s:// "
		    "url (smtps:// is tls = implicit, smtp:// is starttls or "
		    "none)", tls->value, m->smtps ? "smtps" : "smtp");
		rc = -1;
	}
	if ((seen[SMTP_KEY_USERNAME] == NULL) !=
	    (seen[SMTP_KEY_PASSWORD_FILE] == NULL)) {
		cfg->error(cfg, seen[SMTP_KEY_USERNAME] != NULL ?
		    seen[SMTP_KEY_USERNAME]->line :
		    seen[SMTP_KEY_PASSWORD_FILE]->line, "username and "
		    "password_file go together");
		rc = -1;
	}
	return rc;
}

static void
smtp_free(struct smtp *m)
{
	size_t	i;

	if (m == NULL)
		return;
	if (m->password != NULL)
		OPENSSL_cleanse(m->password, strlen(m->password));
	free(m->password);
	for (i = 0; i < m->ncc; i++)
		free(m->cc[i]);
	free(m->url);
	free(m->from);
	free(m->from_addr);
	free(m->domain);
	free(m->reply_to);
	free(m->ca_file);
	free(m->username);
	free(m);
}

static int
smtp_init(const struct notifier_host *host,
    const struct notifier_config *cfg, void **instance)
{
	const struct notifier_kv	*seen[SMTP_NKEYS] = { NULL };
	struct smtp			*m;
	int				 rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	m->host = host;
	m->tls = SMTP_TLS_STARTTLS;
	m->timeout = 30;
	rc = putil_keys_set(m, smtp_keys, SMTP_NKEYS, "smtp", "url, from, cc, "
	    "reply_to, tls, ca_file, username, password_file and timeout",
	    cfg, seen);
	if (smtp_keys_check(m, cfg, seen) == -1)
		rc = -1;
	if (rc == -1) {
		smtp_free(m);
		return -1;
	}
	if (m->tls == SMTP_TLS_NONE)
		host->log(LOG_WARNING, "smtp %s: tls = none: mail, and any "
		    "password, go to %s in the clear", cfg->channel, m->url);
	*instance = m;
	return 0;
}

static void
smtp_fini(void *instance)
{
	smtp_free(instance);
	smtp_ics_fini();
}

/* The cc addresses: every alert goes to each too. */
static int
smtp_recipients(void *instance, int (*add)(void *, const char *), void *arg)
{
	struct smtp	*m = instance;
	size_t		 i;

	for (i = 0; i < m->ncc; i++)
		if (add(arg, m->cc[i]) == -1)
			return -1;
	return 0;
}

/*
 * Keeps the server's last refusal (a 4xx or 5xx reply line: the QUIT's
 * 221 that follows must not hide it).  curl hands each line the server
 * answers to the header callback; what we send (the password among it)
 * never comes here.  Cheaper than the verbose stream, which formats every
 * step of every transfer to be thrown away.
 */
static size_t
smtp_reply_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct smtp_xfer	*x = arg;
	size_t			 len = size * nitems, n = len;

	if (n < 3 || (data[0] != '4' && data[0] != '5'))
		return len;
	if (n >= sizeof(x->reply))
		n = sizeof(x->reply) - 1;
	memcpy(x->reply, data, n);
	x->reply[n] = '\0';
	return len;
}

static int
smtp_easy_setup(CURL *easy, const struct smtp *m, struct smtp_xfer *x)
{
	int	rc = CURLE_OK;	/* stays CURLE_OK (0) only if every option is */

	rc |= curl_easy_setopt(easy, CURLOPT_URL, m->url);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85.0; an enum, not a macro */
	rc |= curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	rc |= curl_easy_setopt(easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	/* Required, never opportunistic: no STARTTLS, nothing is sent. */
	rc |= curl_easy_setopt(easy, CURLOPT_USE_SSL, m->tls ==
	    SMTP_TLS_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	if (m->ca_file != NULL)
		rc |= curl_easy_setopt(easy, CURLOPT_CAINFO, m->ca_file);
	if (m->username != NULL) {
		rc |= curl_easy_setopt(easy, CURLOPT_USERNAME, m->username);
		rc |= curl_easy_setopt(easy, CURLOPT_PASSWORD, m->password);
	}
	rc |= curl_easy_setopt(easy, CURLOPT_MAIL_FROM, m->from_addr);
	rc |= curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, x->rcpt);
	rc |= curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
	rc |= curl_easy_setopt(easy, CURLOPT_MIMEPOST, x->mime);
	rc |= curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, m->timeout <
	    SMTP_CONNECT_TIMEOUT ? m->timeout : (long)SMTP_CONNECT_TIMEOUT);
	rc |= curl_easy_setopt(easy, CURLOPT_TIMEOUT, m->timeout);
	rc |= curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
	rc |= curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, smtp_reply_cb);
	rc |= curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
	return rc == CURLE_OK ? 0 : -1;
}

static void
smtp_xfer_free(struct smtp_xfer *x)
{
	if (x == NULL)
		return;
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->rcpt);
	curl_mime_free(x->mime);
	free(x);
}

/* Sorts the outcome of a finished transfer; msg says why if not OK. */
static enum notifier_status
smtp_classify(const struct smtp_xfer *x, CURL *easy, CURLcode rc,
    char *msg, size_t len)
{
	char	 what[CURL_ERROR_SIZE], reply[SMTP_REPLY_MAX];
	long	 code = 0;

	if (rc == CURLE_OK)
		return NOTIFIER_OK;
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(msg, len, "aborted");
		return NOTIFIER_RETRY;
	}
	if (rc == CURLE_USE_SSL_FAILED) {
		snprintf(msg, len, "the server does not offer STARTTLS, which "
		    "tls = starttls requires: nothing was sent");
		return NOTIFIER_RETRY;
	}
	putil_clean(what, sizeof(what), x->errbuf[0] != '\0' ? x->errbuf :
	    curl_easy_strerror(rc));
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	/* The reply that failed us, if the server refused. */
	if (code >= 400 && code < 600 && strtol(x->reply, NULL, 10) == code) {
		putil_clean(reply, sizeof(reply), x->reply);
		snprintf(msg, len, "%s: the server said: %s", what, reply);
	} else
		snprintf(msg, len, "%s", what);
	return code >= 500 && code < 600 ? NOTIFIER_FAIL : NOTIFIER_RETRY;
}

/* The transfer is over: free everything, then end the delivery. */
static void
smtp_done(struct notifier_delivery *d, CURL *easy, CURLcode rc)
{
	struct smtp_xfer		*x = d->plugin_data;
	const struct notifier_host	*host = x->host;
	enum notifier_status		 status;
	char				 msg[SMTP_MSG_MAX];

	status = smtp_classify(x, easy, rc, msg, sizeof(msg));
	curl_easy_cleanup(easy);
	smtp_xfer_free(x);
	d->plugin_data = NULL;
	host->result(d, status, 0, status == NOTIFIER_OK ? NULL : msg);
}

/* Builds the request; NULL with why set if it cannot be. */
static CURL *
smtp_request(const struct smtp *m, const struct notifier_delivery *d,
    struct smtp_xfer *x, const char **why)
{
	const struct smtp_envelope	 env = { m->from, m->domain,
					    m->reply_to };
	CURL				*easy;
	char				*rcpt;

	*why = "out of memory";
	if (asprintf(&rcpt, "<%s>", d->recipient) == -1)
		return NULL;
	x->rcpt = curl_slist_append(NULL, rcpt);
	free(rcpt);
	if (x->rcpt == NULL || (easy = curl_easy_init()) == NULL)
		return NULL;
	if (smtp_message(m->host, &env, d, easy, &x->headers, &x->mime,
	    why) == -1 || smtp_easy_setup(easy, m, x) == -1) {
		curl_easy_cleanup(easy);
		return NULL;
	}
	return easy;
}

static int
smtp_send(void *instance, struct notifier_delivery *d)
{
	struct smtp		*m = instance;
	struct smtp_xfer	*x;
	CURL			*easy;
	const char		*why;

	if (d->recipient == NULL || !smtp_addr_valid(d->recipient)) {
		m->host->result(d, NOTIFIER_FAIL, 0, d->recipient == NULL ?
		    "no recipient: the contract has no owner_email or notify "
		    "address" : "the recipient is not a usable address");
		return 0;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->host = m->host;
	if ((easy = smtp_request(m, d, x, &why)) == NULL) {
		m->host->log(LOG_ERR, "smtp %s: %s: %s", d->channel, d->key,
		    why);
		smtp_xfer_free(x);
		return -1;
	}
	d->plugin_data = x;
	/* done() may run before transfer() returns: x is its from here. */
	if (m->host->transfer(d, easy, smtp_done) == -1) {
		d->plugin_data = NULL;
		curl_easy_cleanup(easy);
		smtp_xfer_free(x);
		return -1;
	}
	return 0;
}

__attribute__((visibility("default")))
const struct notifier_plugin contractd_notifier = {
	.abi = NOTIFIER_ABI_VERSION,
	.size = sizeof(struct notifier_plugin),
	.name = "smtp",
	.flags = NOTIFIER_PER_RECIPIENT,
	.init = smtp_init,
	.send = smtp_send,
	.fini = smtp_fini,
	.recipients = smtp_recipients,
};
