/*
 * One alert as a message: its headers (RFC 5322, a non-ASCII subject as
 * RFC 2047 encoded words) and its MIME tree on libcurl's MIME API, which
 * does the quoted-printable and base64 encoding:
 *
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=UTF-8	quoted-printable
 *       text/html; charset=UTF-8	quoted-printable
 *     text/calendar; method=PUBLISH	base64, REF-MILESTONE.ics
 *
 * The Message-ID is a hash of the delivery key, so that every try of one
 * delivery carries the same one and a receiver can drop a repeat.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "notifier.h"
#include "smtp.h"

/* Bytes of text per encoded word: 4/3 of it and "=?UTF-8?B??=" fit in
 * RFC 2047's 75 characters. */
#define SMTP_WORD_BYTES		45

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Control characters (a line break above all) become spaces. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			*s = ' ';
}

char *
smtp_subject(const struct notifier_host *host,
    const struct notifier_delivery *d)
{
	const char	*title;
	char		*words, *s;

	if ((words = host->alert_subject(d->alert)) == NULL)
		return NULL;
	title = str(json_object_get(d->alert, "contract"), "title");
	if (title == NULL || *title == '\0')
		s = words;
	else {
		if (asprintf(&s, "%s - %s", words, title) == -1)
			s = NULL;
		free(words);
	}
	if (s != NULL)
		one_line(s);
	return s;
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * s as RFC 2047 encoded words ("=?UTF-8?B?...?="), folded between words.
 * A word ends only between characters, never inside one's UTF-8 bytes.
 */
static char *
encode_words(const char *s)
{
	unsigned char	 b64[(SMTP_WORD_BYTES + 2) / 3 * 4 + 1];
	FILE		*f;
	char		*out = NULL;
	size_t		 len, n, outlen;
	int		 bad;

	if ((f = open_memstream(&out, &outlen)) == NULL)
		return NULL;
	for (len = strlen(s); len > 0; s += n, len -= n) {
		n = len < SMTP_WORD_BYTES ? len : SMTP_WORD_BYTES;
		while (n < len && n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		EVP_EncodeBlock(b64, (const unsigned char *)s, (int)n);
		fprintf(f, "%s=?UTF-8?B?%s?=", ftell(f) > 0 ? "\r\n " : "",
		    b64);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(out);
		return NULL;
	}
	return out;
}

/* Appends "name: value" to *list. */
static int
header(struct curl_slist **list, const char *name, const char *value)
{
	struct curl_slist	*l;
	char			*s;

	if (asprintf(&s, "%s: %s", name, value) == -1)
		return -1;
	l = curl_slist_append(*list, s);
	free(s);
	if (l == NULL)
		return -1;
	*list = l;
	return 0;
}

/* "<hex of SHA-256(key)@domain>": the same for every try of d. */
static int
message_id(const struct notifier_delivery *d, const char *domain,
    char *buf, size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	size_t		 n;

	if (EVP_Digest(d->key, strlen(d->key), md, &mdlen, EVP_sha256(),
	    NULL) != 1 || len < 2 * mdlen + 1)
		return -1;
	for (i = 0; i < mdlen; i++)
		snprintf(buf + 2 * i, 3, "%02x", md[i]);
	n = 2 * mdlen;
	if ((size_t)snprintf(buf + n, len - n, "@%s", domain) >= len - n)
		return -1;
	return 0;
}

static int
headers_build(const struct smtp_envelope *env,
    const struct notifier_delivery *d, const char *subject,
    struct curl_slist **out)
{
	struct curl_slist	*h = NULL;
	struct tm		 tm;
	time_t			 now = time(NULL);
	char			 date[64], id[128], idh[132], *subj;
	int			 rc = 0;

	if (gmtime_r(&now, &tm) == NULL || strftime(date, sizeof(date),
	    "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0 ||
	    message_id(d, env->domain, id, sizeof(id)) == -1)
		return -1;
	snprintf(idh, sizeof(idh), "<%s>", id);
	subj = is_ascii(subject) ? strdup(subject) : encode_words(subject);
	if (subj == NULL)
		return -1;
	rc |= header(&h, "Date", date);
	rc |= header(&h, "From", env->from);
	rc |= header(&h, "To", d->recipient);
	if (env->reply_to != NULL)
		rc |= header(&h, "Reply-To", env->reply_to);
	rc |= header(&h, "Subject", subj);
	rc |= header(&h, "Message-ID", idh);
	rc |= header(&h, "Auto-Submitted", "auto-generated");
	rc |= header(&h, "X-Auto-Response-Suppress", "All");
	free(subj);
	if (rc != 0) {
		curl_slist_free_all(h);
		return -1;
	}
	*out = h;
	return 0;
}

static int
part_add(curl_mime *mime, const char *data, const char *type,
    const char *encoder, const char *filename)
{
	curl_mimepart	*p;

	if ((p = curl_mime_addpart(mime)) == NULL ||
	    curl_mime_data(p, data, CURL_ZERO_TERMINATED) != CURLE_OK ||
	    curl_mime_type(p, type) != CURLE_OK ||
	    curl_mime_encoder(p, encoder) != CURLE_OK ||
	    (filename != NULL && curl_mime_filename(p, filename) != CURLE_OK))
		return -1;
	return 0;
}

/* The text and HTML parts, as one multipart/alternative part of mime. */
static int
part_alternative(CURL *easy, curl_mime *mime, const struct smtp_body *b)
{
	curl_mimepart	*p;
	curl_mime	*alt;

	if ((alt = curl_mime_init(easy)) == NULL)
		return -1;
	if (part_add(alt, b->text, "text/plain; charset=UTF-8",
	    "quoted-printable", NULL) == -1 ||
	    part_add(alt, b->html, "text/html; charset=UTF-8",
	    "quoted-printable", NULL) == -1 ||
	    (p = curl_mime_addpart(mime)) == NULL ||
	    curl_mime_subparts(p, alt) != CURLE_OK) {
		curl_mime_free(alt);
		return -1;
	}
	/* alt is p's from here. */
	return curl_mime_type(p, "multipart/alternative") == CURLE_OK ? 0 : -1;
}

/* "REF-MILESTONE.ics", anything but letters, digits, '.' and '_' as '-'. */
static char *
ics_filename(const json_t *alert)
{
	const char	*ref = str(json_object_get(alert, "contract"), "ref");
	const char	*ms = str(alert, "milestone");
	char		*s, *p;

	if (asprintf(&s, "%s-%s", ref != NULL ? ref : "contract",
	    ms != NULL ? ms : "milestone") == -1)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_')
			*p = '-';
	if (asprintf(&p, "%s.ics", s) == -1)
		p = NULL;
	free(s);
	return p;
}

/*
 * The calendar part; none for a test, which has no milestone to keep, nor
 * for a digest, whose milestones each have their alerts' entries.
 */
static int
part_calendar(curl_mime *mime, const struct notifier_delivery *d,
    const char *subject, const struct smtp_body *b)
{
	char	*ics, *name;
	int	 rc = -1;

	if (strcmp(d->event, "alert") != 0)
		return 0;
	if ((ics = smtp_ics(d, subject, b->text)) == NULL)
		return -1;
	if ((name = ics_filename(d->alert)) != NULL)
		rc = part_add(mime, ics, "text/calendar; method=PUBLISH; "
		    "charset=UTF-8", "base64", name);
	free(name);
	free(ics);
	return rc;
}

static int
mime_build(CURL *easy, const struct notifier_delivery *d,
    const char *subject, const struct smtp_body *b, curl_mime **out)
{
	curl_mime	*mime;

	if ((mime = curl_mime_init(easy)) == NULL)
		return -1;
	if (part_alternative(easy, mime, b) == -1 ||
	    part_calendar(mime, d, subject, b) == -1) {
		curl_mime_free(mime);
		return -1;
	}
	*out = mime;
	return 0;
}

int
smtp_message(const struct notifier_host *host,
    const struct smtp_envelope *env, const struct notifier_delivery *d,
    CURL *easy, struct curl_slist **headers, curl_mime **mime,
    const char **why)
{
	struct smtp_body	 b;
	char			*subject;
	int			 rc = -1;

	*why = "cannot lay out the message (out of memory?)";
	if ((subject = smtp_subject(host, d)) == NULL)
		return -1;
	if (smtp_body_build(host, d, &b) == 0) {
		if (headers_build(env, d, subject, headers) == 0 &&
		    mime_build(easy, d, subject, &b, mime) == 0)
			rc = 0;
		else {
			curl_slist_free_all(*headers);
			*headers = NULL;
		}
		smtp_body_free(&b);
	}
	free(subject);
	return rc;
}
