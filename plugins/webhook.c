/*
 * The webhook notifier: POSTs each alert as JSON to one URL, signed per
 * the Standard Webhooks spec (webhook-id, webhook-timestamp and, with a
 * secret, webhook-signature).  The body is the daemon's generic payload, a
 * Slack message or a Teams Adaptive Card (webhook-format.c).  This file
 * holds the channel's keys, its secret, signing and the transfer, which
 * runs on the daemon's multi handle; only init() touches the file system
 * (the secret file).
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notifier.h"
#include "plugin-util.h"
#include "webhook.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION		"unknown"
#endif
#define WEBHOOK_USER_AGENT	"contractd/" PACKAGE_VERSION

#define WEBHOOK_SECRET_PREFIX	"whsec_"
#define WEBHOOK_SECRET_MIN	16	/* bytes, decoded */
#define WEBHOOK_SECRET_FILE_MAX	1024	/* bytes of secret file read */
#define WEBHOOK_EXCERPT_MAX	200	/* bytes of a response body kept */
#define WEBHOOK_SIG_MAX		64	/* "v1," base64(32 bytes) NUL */
#define WEBHOOK_TIMEOUT_MAX	3600	/* seconds */
#define WEBHOOK_RETRY_AFTER_MAX	86400L	/* a receiver cannot park us longer */

/* One channel. */
struct webhook {
	const struct notifier_host	*host;
	char				*url;
	enum webhook_format		 format;
	unsigned char			*secret;	/* NULL: unsigned */
	size_t				 secretlen;
	long				 connect_timeout;
	long				 timeout;
};

/* One delivery under way, kept in d->plugin_data. */
struct webhook_xfer {
	const struct notifier_host	*host;
	struct curl_slist		*headers;
	char				*body;
	char				 excerpt[WEBHOOK_EXCERPT_MAX + 1];
	size_t				 excerptlen;
	char				 errbuf[CURL_ERROR_SIZE];
};


static const char *
webhook_url_strerror(CURLUcode rc)
{
#if LIBCURL_VERSION_NUM >= 0x075000	/* 7.80.0 */
	return curl_url_strerror(rc);
#else
	(void)rc;
	return "malformed";
#endif
}

/* Takes the URL only if curl parses it and its scheme is http(s). */
static int
webhook_set_url(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct webhook	*w = self;

	CURLU		*u;
	CURLUcode	 rc;
	char		*scheme = NULL;
	int		 ok = 0;

	if ((u = curl_url()) == NULL)
		return -1;
	/* Any scheme parses, so that a wrong one is named below. */
	rc = curl_url_set(u, CURLUPART_URL, kv->value,
	    CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK)
		cfg->error(cfg, kv->line, "url: not a valid URL: %s",
		    webhook_url_strerror(rc));
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		cfg->error(cfg, kv->line, "url: has no scheme");
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		cfg->error(cfg, kv->line, "url: scheme '%s' is not http or "
		    "https", scheme);
	else
		ok = (w->url = strdup(kv->value)) != NULL;
	curl_free(scheme);
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

static int
webhook_set_format(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct webhook	*w = self;

	if (webhook_format_parse(kv->value, &w->format) == 0)
		return 0;
	cfg->error(cfg, kv->line, "format: not generic, slack or teams: %s",
	    kv->value);
	return -1;
}

static int
webhook_set_connect_timeout(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct webhook	*w = self;

	return putil_seconds(cfg, kv, WEBHOOK_TIMEOUT_MAX, &w->connect_timeout);
}

static int
webhook_set_timeout(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct webhook	*w = self;

	return putil_seconds(cfg, kv, WEBHOOK_TIMEOUT_MAX, &w->timeout);
}

/*
 * Decodes base64 s of length len into a new buffer.  EVP_DecodeBlock
 * counts '=' padding as zero bytes and lets some malformed text through,
 * so the length is corrected for the padding and the bytes must encode
 * back to exactly s.
 */
static int
webhook_b64decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*bin, *check;
	size_t		 pad = 0;
	int		 n = -1;

	if (len == 0 || len % 4 != 0 || len > INT_MAX)
		return -1;
	while (pad < 2 && s[len - 1 - pad] == '=')
		pad++;
	bin = malloc(len / 4 * 3);
	check = malloc(len + 1);
	if (bin != NULL && check != NULL && (n = EVP_DecodeBlock(bin,
	    (const unsigned char *)s, (int)len)) != -1) {
		n -= (int)pad;
		if (EVP_EncodeBlock(check, bin, n) != (int)len ||
		    memcmp(check, s, len) != 0)
			n = -1;
	}
	if (check != NULL)
		OPENSSL_cleanse(check, len + 1);
	free(check);
	if (n == -1) {
		if (bin != NULL)
			OPENSSL_cleanse(bin, len / 4 * 3);
		free(bin);
		return -1;
	}
	*out = bin;
	*outlen = (size_t)n;
	return 0;
}

/* Takes the secret from text "whsec_<base64>", spaces around allowed. */
static int
webhook_secret_parse(struct webhook *w, char *text, size_t len, char *err,
    size_t errlen)
{
	const size_t	 plen = strlen(WEBHOOK_SECRET_PREFIX);

	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	if (len < plen || memcmp(text, WEBHOOK_SECRET_PREFIX, plen) != 0) {
		snprintf(err, errlen, "does not start with %s",
		    WEBHOOK_SECRET_PREFIX);
		return -1;
	}
	if (webhook_b64decode(text + plen, len - plen, &w->secret,
	    &w->secretlen) == -1) {
		snprintf(err, errlen, "the text after %s is not base64",
		    WEBHOOK_SECRET_PREFIX);
		return -1;
	}
	if (w->secretlen < WEBHOOK_SECRET_MIN) {
		snprintf(err, errlen, "the secret is %zu bytes; at least %d "
		    "are needed", w->secretlen, WEBHOOK_SECRET_MIN);
		return -1;
	}
	return 0;
}

static int
webhook_set_secret_file(void *self, const struct notifier_config *cfg,
    const struct notifier_kv *kv)
{
	struct webhook	*w = self;

	char	text[WEBHOOK_SECRET_FILE_MAX + 2], err[256];
	size_t	n;
	int	rc;

	rc = putil_private_read(kv->value, text, sizeof(text), &n, err,
	    sizeof(err));
	if (rc == 0)
		rc = webhook_secret_parse(w, text, n, err, sizeof(err));
	OPENSSL_cleanse(text, sizeof(text));
	if (rc == -1)
		cfg->error(cfg, kv->line, "secret_file: %s: %s", kv->value,
		    err);
	return rc;
}

enum webhook_key_index {
	WEBHOOK_KEY_URL,
	WEBHOOK_KEY_FORMAT,
	WEBHOOK_KEY_SECRET_FILE,
	WEBHOOK_KEY_CONNECT_TIMEOUT,
	WEBHOOK_KEY_TIMEOUT,
	WEBHOOK_NKEYS
};

static const struct putil_key webhook_keys[WEBHOOK_NKEYS] = {
	[WEBHOOK_KEY_URL] =		{ "url", webhook_set_url },
	[WEBHOOK_KEY_FORMAT] =		{ "format", webhook_set_format },
	[WEBHOOK_KEY_SECRET_FILE] =	{ "secret_file",
					    webhook_set_secret_file },
	[WEBHOOK_KEY_CONNECT_TIMEOUT] =	{ "connect_timeout",
					    webhook_set_connect_timeout },
	[WEBHOOK_KEY_TIMEOUT] =		{ "timeout", webhook_set_timeout },
};

static void
webhook_free(struct webhook *w)
{
	if (w == NULL)
		return;
	if (w->secret != NULL)
		OPENSSL_cleanse(w->secret, w->secretlen);
	free(w->secret);
	free(w->url);
	free(w);
}

static int
webhook_init(const struct notifier_host *host,
    const struct notifier_config *cfg, void **instance)
{
	const struct notifier_kv	*seen[WEBHOOK_NKEYS] = { NULL };
	struct webhook			*w;
	int				 rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->host = host;
	w->format = WEBHOOK_GENERIC;
	w->connect_timeout = 10;
	w->timeout = 30;
	rc = putil_keys_set(w, webhook_keys, WEBHOOK_NKEYS, "webhook", "url, "
	    "format, secret_file, connect_timeout and timeout", cfg, seen);
	/* A missing key has no line of its own. */
	if (seen[WEBHOOK_KEY_URL] == NULL) {
		cfg->error(cfg, cfg->line, "url: required (the address alerts are "
		    "POSTed to)");
		rc = -1;
	}
	if (seen[WEBHOOK_KEY_CONNECT_TIMEOUT] != NULL &&
	    w->connect_timeout > w->timeout) {
		cfg->error(cfg, seen[WEBHOOK_KEY_CONNECT_TIMEOUT]->line,
		    "connect_timeout: %ld seconds is longer than timeout "
		    "(%ld)", w->connect_timeout, w->timeout);
		rc = -1;
	}
	if (rc == -1) {
		webhook_free(w);
		return -1;
	}
	*instance = w;
	return 0;
}

static void
webhook_fini(void *instance)
{
	webhook_free(instance);
}

/*
 * The Standard Webhooks signature of body: "v1," and the base64
 * HMAC-SHA256, under key, of "id.ts.body".  Returns 0, or -1 if out of
 * memory or out is too small (WEBHOOK_SIG_MAX is enough).
 */
int
webhook_sign(const unsigned char *key, size_t keylen, const char *id,
    const char *ts, const char *body, size_t bodylen, char *out,
    size_t outlen)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE], *msg;
	unsigned char	 b64[(EVP_MAX_MD_SIZE + 2) / 3 * 4 + 1];
	unsigned int	 maclen;
	size_t		 idlen = strlen(id), tslen = strlen(ts), n;
	int		 rc = -1, r;

	if (keylen > INT_MAX)
		return -1;
	n = idlen + 1 + tslen + 1 + bodylen;
	if ((msg = malloc(n)) == NULL)
		return -1;
	memcpy(msg, id, idlen);
	msg[idlen] = '.';
	memcpy(msg + idlen + 1, ts, tslen);
	msg[idlen + 1 + tslen] = '.';
	memcpy(msg + idlen + 1 + tslen + 1, body, bodylen);
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, n, mac, &maclen) !=
	    NULL) {
		EVP_EncodeBlock(b64, mac, (int)maclen);
		r = snprintf(out, outlen, "v1,%s", b64);
		if (r >= 0 && (size_t)r < outlen)
			rc = 0;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	free(msg);
	return rc;
}

/* Appends "name: value" to *list. */
static int
webhook_header(struct curl_slist **list, const char *name, const char *value)
{
	struct curl_slist	*l;
	char			*s;
	size_t			 len = strlen(name) + 2 + strlen(value) + 1;

	if ((s = malloc(len)) == NULL)
		return -1;
	snprintf(s, len, "%s: %s", name, value);
	l = curl_slist_append(*list, s);
	free(s);
	if (l == NULL)
		return -1;
	*list = l;
	return 0;
}

/* Content headers and the Standard Webhooks ones for this body. */
static struct curl_slist *
webhook_headers(const struct webhook *w, const struct notifier_delivery *d,
    const char *body)
{
	struct curl_slist	*h = NULL;
	char			 ts[32], sig[WEBHOOK_SIG_MAX];
	int			 rc = 0;

	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	rc |= webhook_header(&h, "Content-Type", "application/json");
	rc |= webhook_header(&h, "User-Agent", WEBHOOK_USER_AGENT);
	/* Some receivers mishandle 100-continue; the bodies are small. */
	rc |= webhook_header(&h, "Expect", "");
	rc |= webhook_header(&h, "webhook-id", d->key);
	rc |= webhook_header(&h, "webhook-timestamp", ts);
	if (w->secret != NULL) {
		if (webhook_sign(w->secret, w->secretlen, d->key, ts, body,
		    strlen(body), sig, sizeof(sig)) == -1)
			rc = -1;
		else
			rc |= webhook_header(&h, "webhook-signature", sig);
	}
	if (rc != 0) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/* Discards the response, keeping its start for error messages. */
static size_t
webhook_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct webhook_xfer	*x = arg;
	size_t			 n = size * nmemb, room;

	room = sizeof(x->excerpt) - 1 - x->excerptlen;
	if (room > n)
		room = n;
	memcpy(x->excerpt + x->excerptlen, data, room);
	x->excerptlen += room;
	x->excerpt[x->excerptlen] = '\0';
	return n;
}

static int
webhook_easy_setup(CURL *easy, const struct webhook *w,
    struct webhook_xfer *x)
{
	int	rc = CURLE_OK;	/* stays CURLE_OK (0) only if every option is */

	rc |= curl_easy_setopt(easy, CURLOPT_URL, w->url);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85.0; an enum, not a macro */
	rc |= curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	rc |= curl_easy_setopt(easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	rc |= curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(x->body));
	rc |= curl_easy_setopt(easy, CURLOPT_POSTFIELDS, x->body);
	rc |= curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
	rc |= curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT,
	    w->connect_timeout);
	rc |= curl_easy_setopt(easy, CURLOPT_TIMEOUT, w->timeout);
	rc |= curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, webhook_write_cb);
	rc |= curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	rc |= curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
	return rc == CURLE_OK ? 0 : -1;
}

static void
webhook_xfer_free(struct webhook_xfer *x)
{
	if (x == NULL)
		return;
	curl_slist_free_all(x->headers);
	free(x->body);
	free(x);
}

static void
webhook_http_msg(const struct webhook_xfer *x, long code, char *msg,
    size_t len)
{
	char	excerpt[WEBHOOK_EXCERPT_MAX + 1];

	putil_clean(excerpt, sizeof(excerpt), x->excerpt);
	snprintf(msg, len, "HTTP %ld%s%s", code, excerpt[0] ? ": " : "",
	    excerpt);
}

/*
 * The response's Retry-After in seconds (curl reads both delay-seconds and
 * an HTTP-date), 0 if none, at most WEBHOOK_RETRY_AFTER_MAX.
 */
static long
webhook_retry_after(CURL *easy)
{
	curl_off_t	secs = 0;

	if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &secs) != CURLE_OK ||
	    secs < 0)
		return 0;
	return secs > WEBHOOK_RETRY_AFTER_MAX ? WEBHOOK_RETRY_AFTER_MAX :
	    (long)secs;
}

/* Sorts the outcome of a finished transfer; msg says why if not OK. */
static enum notifier_status
webhook_classify(const struct webhook_xfer *x, CURL *easy, CURLcode rc,
    long *retry_after, char *msg, size_t len)
{
	char	 where[256];
	char	*location = NULL;
	long	 code = 0;

	*retry_after = 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(msg, len, "aborted");
		return NOTIFIER_RETRY;
	}
	if (rc != CURLE_OK) {
		putil_clean(msg, len, x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(rc));
		return NOTIFIER_RETRY;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return NOTIFIER_OK;
	if (code == 410) {
		snprintf(msg, len, "410 Gone: endpoint removed");
		return NOTIFIER_DISABLE;
	}
	webhook_http_msg(x, code, msg, len);
	if (code == 429 || (code >= 500 && code < 600)) {
		*retry_after = webhook_retry_after(easy);
		return NOTIFIER_RETRY;
	}
	if (code >= 300 && code < 400) {
		curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location);
		putil_clean(where, sizeof(where), location != NULL ?
		    location : "nowhere (no Location)");
		snprintf(msg, len, "redirect not followed: %ld to %s", code,
		    where);
	}
	return NOTIFIER_FAIL;
}

/* The transfer is over: free everything, then end the delivery. */
static void
webhook_done(struct notifier_delivery *d, CURL *easy, CURLcode rc)
{
	struct webhook_xfer		*x = d->plugin_data;
	const struct notifier_host	*host = x->host;
	enum notifier_status		 status;
	long				 retry_after;
	char				 msg[512];

	status = webhook_classify(x, easy, rc, &retry_after, msg, sizeof(msg));
	curl_easy_cleanup(easy);
	webhook_xfer_free(x);
	d->plugin_data = NULL;
	host->result(d, status, retry_after,
	    status == NOTIFIER_OK ? NULL : msg);
}

/* Builds the request; NULL if out of memory. */
static CURL *
webhook_request(const struct webhook *w, const struct notifier_delivery *d,
    struct webhook_xfer *x)
{
	CURL	*easy;

	if ((x->headers = webhook_headers(w, d, x->body)) == NULL ||
	    (easy = curl_easy_init()) == NULL)
		return NULL;
	if (webhook_easy_setup(easy, w, x) == -1) {
		curl_easy_cleanup(easy);
		return NULL;
	}
	return easy;
}

static int
webhook_send(void *instance, struct notifier_delivery *d)
{
	struct webhook		*w = instance;
	struct webhook_xfer	*x;
	CURL			*easy;
	char			 msg[128];

	/* The key goes into a header line: a line break would split it. */
	if (d->key == NULL || strpbrk(d->key, "\r\n") != NULL) {
		w->host->result(d, NOTIFIER_FAIL, 0, "delivery key not usable "
		    "as a webhook-id");
		return 0;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->host = w->host;
	if ((x->body = webhook_body(w->host, w->format, d)) == NULL) {
		webhook_xfer_free(x);
		snprintf(msg, sizeof(msg), "cannot build the %s body",
		    webhook_format_name(w->format));
		w->host->result(d, NOTIFIER_FAIL, 0, msg);
		return 0;
	}
	d->plugin_data = x;
	if ((easy = webhook_request(w, d, x)) == NULL) {
		w->host->log(LOG_ERR, "webhook %s: out of memory", d->channel);
		d->plugin_data = NULL;
		webhook_xfer_free(x);
		return -1;
	}
	/* done() may run before transfer() returns: x is its from here. */
	if (w->host->transfer(d, easy, webhook_done) == -1) {
		d->plugin_data = NULL;
		curl_easy_cleanup(easy);
		webhook_xfer_free(x);
		return -1;
	}
	return 0;
}

__attribute__((visibility("default")))
const struct notifier_plugin contractd_notifier = {
	.abi = NOTIFIER_ABI_VERSION,
	.size = sizeof(struct notifier_plugin),
	.name = "webhook",
	.flags = 0,
	.init = webhook_init,
	.send = webhook_send,
	.fini = webhook_fini,
};
