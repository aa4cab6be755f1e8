/*
 * Unit tests of the webhook notifier, compiled together with
 * plugins/webhook.c and webhook-format.c, and the daemon's alert texts
 * (daemon/alert-text.c) that the host table gives it: the Standard
 * Webhooks signature (the spec's published test vector), the one-line
 * summaries and the other words of an alert, the bodies of each format
 * byte for byte as the webhook sent them before the texts moved to the
 * daemon, the checks of the channel's keys, and the life of a delivery
 * against a fake host that runs no transfer.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "notifier.h"

#include "alert-text.h"
#include "webhook.h"
#include "webhook_golden.h"

extern const struct notifier_plugin contractd_notifier;

#define MAXERR	16

/* What the plugin told the fake daemon. */
static struct {
	int			 nerr;
	int			 line[MAXERR];
	char			 msg[MAXERR][512];
	int			 nresult;
	enum notifier_status	 status;
	long			 retry_after;
	char			 result_msg[512];
	int			 transfer_rc;	/* what transfer() returns */
	CURLcode		 done_rc;	/* what done() is told */
	int			 ntransfer;
} fake;

static char	secret_path[64];

static void
fake_error(const struct notifier_config *cfg, int line, const char *fmt, ...)
{
	va_list	ap;

	(void)cfg;
	if (fake.nerr == MAXERR)
		fail_msg("more than %d errors", MAXERR);
	fake.line[fake.nerr] = line;
	va_start(ap, fmt);
	vsnprintf(fake.msg[fake.nerr], sizeof(fake.msg[0]), fmt, ap);
	va_end(ap);
	fake.nerr++;
}

static void
fake_log(int prio, const char *fmt, ...)
{
	(void)prio;
	(void)fmt;
}

/* Completes the transfer at once, as if curl had ended with done_rc. */
static int
fake_transfer(struct notifier_delivery *d, CURL *easy,
    void (*done)(struct notifier_delivery *, CURL *, CURLcode))
{
	fake.ntransfer++;
	if (fake.transfer_rc == -1)
		return -1;
	done(d, easy, fake.done_rc);
	return 0;
}

static void
fake_result(struct notifier_delivery *d, enum notifier_status status,
    long retry_after, const char *message)
{
	/* The plugin must have freed its state first. */
	assert_null(d->plugin_data);
	fake.nresult++;
	fake.status = status;
	fake.retry_after = retry_after;
	snprintf(fake.result_msg, sizeof(fake.result_msg), "%s",
	    message != NULL ? message : "(null)");
}

static const struct notifier_host fake_host = {
	.size = sizeof(struct notifier_host),
	.abi = NOTIFIER_ABI_VERSION,
	.log = fake_log,		/* silent */
	.transfer = fake_transfer,	/* no network: ends at once */
	.result = fake_result,		/* kept in fake */
	.alert_subject = alert_text_subject,
	.alert_summary = alert_text_summary,
	.alert_consequence = alert_text_consequence,
};

/* The alert of the delivery being built (delivery()); one at a time. */
static json_t	*cur;

static int
reset(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	return 0;
}

static int
init_with(const struct notifier_kv *kv, size_t nkv, void **instance)
{
	struct notifier_config	cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.channel = "hook";
	cfg.file = "test.conf";
	cfg.line = 1;		/* [notifier hook] */
	cfg.kv = kv;
	cfg.nkv = nkv;
	cfg.error = fake_error;
	*instance = NULL;
	return contractd_notifier.init(&fake_host, &cfg, instance);
}

static void
write_secret(const char *text, mode_t mode)
{
	FILE	*f;
	int	 fd;

	snprintf(secret_path, sizeof(secret_path),
	    "/tmp/contractd-webhook-XXXXXX");
	assert_int_not_equal(fd = mkstemp(secret_path), -1);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Inits with url and secret_file = the file holding text at mode. */
static int
init_secret(const char *text, mode_t mode, void **instance)
{
	struct notifier_kv	kv[2] = {
		{ "url", "https://hooks.example/x", 3 },
		{ "secret_file", secret_path, 4 },
	};
	int			rc;

	write_secret(text, mode);
	rc = init_with(kv, 2, instance);
	unlink(secret_path);
	return rc;
}

static void
test_descriptor(void **state)
{
	(void)state;
	assert_int_equal(contractd_notifier.abi, NOTIFIER_ABI_VERSION);
	assert_int_equal(contractd_notifier.size,
	    sizeof(struct notifier_plugin));
	assert_string_equal(contractd_notifier.name, "webhook");
	assert_int_equal(contractd_notifier.flags, 0);
}

/* The test vector published with the Standard Webhooks spec. */
static void
test_sign_vector(void **state)
{
	const char	*b64 = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	const char	*body = "{\"test\": 2432232314}";
	unsigned char	 key[64];
	char		 sig[64];
	int		 n;

	(void)state;
	/* 32 characters, no padding: EVP_DecodeBlock's length is exact. */
	n = EVP_DecodeBlock(key, (const unsigned char *)b64, strlen(b64));
	assert_int_equal(n, 24);
	assert_int_equal(webhook_sign(key, n, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	    "1614265330", body, strlen(body), sig, sizeof(sig)), 0);
	assert_string_equal(sig,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	/* Too small a buffer is refused, not truncated. */
	assert_int_equal(webhook_sign(key, n, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	    "1614265330", body, strlen(body), sig, 47), -1);
}

/* Sets key of the alert (contract: of its contract) to v, NULL: null. */
static void
set(const char *key, const char *v)
{
	json_object_set_new(cur, key, v ? json_string(v) : json_null());
}

static void
set_c(const char *key, const char *v)
{
	json_object_set_new(json_object_get(cur, "contract"), key,
	    v ? json_string(v) : json_null());
}

static void
set_b(const char *key, int v)
{
	json_object_set_new(cur, key, json_boolean(v));
}

static void
delivery(struct notifier_delivery *d, const char *milestone, int days)
{
	json_decref(cur);
	cur = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:i, s:b, "
	    "s:b, s:n}", "type", "contract.alert",
	    "contract", "ref", "HAV-CPDPS", "title", "Complex Placements DPS",
	    "end_date", "2025-04-30", "max_end_date", "2026-04-30",
	    "milestone", milestone, "due", "2025-03-31", "days_left", days,
	    "late", 0, "lapsed_extension", 0, "uncovered");
	assert_non_null(cur);
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->key = "HAV-CPDPS/extension_deadline/2025-03-31/30/hook";
	d->event = "alert";
	d->channel = "hook";
	d->attempt = 1;
	d->alert = cur;
	d->json = "{\"event\":\"alert\"}";
}

static void
assert_summary(const struct notifier_delivery *d, const char *want)
{
	char	*s;

	assert_non_null(s = webhook_summary(&fake_host, d));
	assert_string_equal(s, want);
	free(s);
}

static void
test_summary_kinds(void **state)
{
	struct notifier_delivery	d;

	(void)state;
	delivery(&d, "extension_deadline", 30);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "extension decision due in 30 days (2025-03-31)");
	delivery(&d, "term_end", 1);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "term ends in 1 day (2025-03-31)");
	delivery(&d, "procurement_start", 90);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "re-procurement should start in 90 days (2025-03-31)");
	delivery(&d, "coverage_gap", 7);
	set("uncovered", "Residential care;Respite");
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "services left uncovered after the term ends in 7 days "
	    "(2025-03-31): Residential care, Respite; it can still be "
	    "extended to 2026-04-30");
	set_c("max_end_date", "2025-04-30");
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "services left uncovered after the term ends in 7 days "
	    "(2025-03-31): Residential care, Respite");
	delivery(&d, "expired", 0);
	set("due", "2025-05-01");
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "has expired (2025-05-01)");
}

static void
test_summary_when(void **state)
{
	struct notifier_delivery	d;

	(void)state;
	delivery(&d, "extension_deadline", 0);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "extension decision due today (2025-03-31)");
	delivery(&d, "extension_deadline", -6);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "extension decision was due 6 days ago (2025-03-31)");
	delivery(&d, "term_end", -1);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "term ended 1 day ago (2025-03-31)");
	delivery(&d, "expired", -3);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "expired 3 days ago (2025-03-31)");
	delivery(&d, "procurement_start", -2);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "re-procurement should have started 2 days ago (2025-03-31)");
	/* A kind this plugin does not know yet still reads. */
	delivery(&d, "break_clause", 5);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "break_clause due in 5 days (2025-03-31)");
}

static void
test_summary_flags(void **state)
{
	struct notifier_delivery	d;

	(void)state;
	delivery(&d, "extension_deadline", 14);
	set_b("late", 1);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "extension decision due in 14 days (2025-03-31) (late)");
	set_b("lapsed_extension", 1);
	assert_summary(&d, "[contractd] HAV-CPDPS (Complex Placements DPS): "
	    "extension decision due in 14 days (2025-03-31) (late). The last "
	    "extension was recorded after the contract had lapsed.");
	set_b("late", 0);
	set_c("title", NULL);
	set("type", "contract.test");
	assert_summary(&d, "[contractd] test: HAV-CPDPS: extension decision "
	    "due in 14 days (2025-03-31). The last extension was recorded "
	    "after the contract had lapsed.");
}

/* The body of alert (outbox text) in format f, through the fake host. */
static char *
body_of(const char *text, enum webhook_format f)
{
	struct notifier_delivery	 d;
	json_error_t			 err;
	json_t				*a;
	char				*body;

	assert_non_null(a = json_loads(text, 0, &err));
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.key = "k";
	d.alert = a;
	d.json = text;
	body = webhook_body(&fake_host, f, &d);
	json_decref(a);
	return body;
}

static void
test_bodies_unchanged(void **state)
{
	size_t	 i;
	char	*b;

	(void)state;
	for (i = 0; i < sizeof(webhook_golden) / sizeof(webhook_golden[0]);
	    i++) {
		assert_non_null(b = body_of(webhook_golden[i].alert,
		    WEBHOOK_GENERIC));
		assert_string_equal(b, webhook_golden[i].alert);
		free(b);
		assert_non_null(b = body_of(webhook_golden[i].alert,
		    WEBHOOK_SLACK));
		assert_string_equal(b, webhook_golden[i].slack);
		free(b);
		assert_non_null(b = body_of(webhook_golden[i].alert,
		    WEBHOOK_TEAMS));
		assert_string_equal(b, webhook_golden[i].teams);
		free(b);
	}
}

static void
assert_text(char *(*fn)(const json_t *), const char *want)
{
	char	*s;

	assert_non_null(s = fn(cur));
	assert_string_equal(s, want);
	free(s);
}

/* The subject (DESIGN section 8) and what happens if nothing is done. */
static void
test_alert_texts(void **state)
{
	struct notifier_delivery	d;

	(void)state;
	delivery(&d, "extension_deadline", 30);
	assert_text(alert_text_subject, "[contractd] HAV-CPDPS: extension "
	    "decision due in 30 days (2025-03-31)");
	assert_text(alert_text_consequence, "the contract ends on 30 April "
	    "2025 without being extended");
	delivery(&d, "procurement_start", 90);
	set_c("kind", "framework");
	assert_text(alert_text_consequence, "no framework to place from "
	    "after 30 April 2026");
	set_c("kind", "contract");
	assert_text(alert_text_consequence, "the service has no contract "
	    "after 30 April 2026");
	delivery(&d, "term_end", 7);
	assert_text(alert_text_consequence, "the service has no contract "
	    "after 30 April 2025");
	set_c("successor_ref", "HAV-NEXT");
	assert_text(alert_text_consequence, "HAV-NEXT must be in place the "
	    "day after 30 April 2025");
	delivery(&d, "coverage_gap", 7);
	set("uncovered", "Residential care;Respite");
	assert_text(alert_text_consequence, "Residential care, Respite will "
	    "have no contract after 30 April 2025");
	delivery(&d, "expired", -3);
	set("due", "2025-05-01");
	assert_text(alert_text_subject, "[contractd] HAV-CPDPS: expired 3 "
	    "days ago (2025-05-01)");
	assert_text(alert_text_consequence, "whatever is still bought under "
	    "it has had no contract since 1 May 2025");
	/* Overdue: how long ago, on which day, and what follows. */
	delivery(&d, "extension_deadline", -5);
	json_object_set_new(cur, "overdue_days", json_integer(5));
	assert_text(alert_text_subject, "[contractd] HAV-CPDPS: extension "
	    "decision was due 5 days ago (2025-03-31)");
	assert_text(alert_text_consequence, "the extension decision was due 5 "
	    "days ago, on 31 March 2025; the contract ends on 30 April 2025 "
	    "without being extended");
	assert_text(alert_text_summary, "HAV-CPDPS (Complex Placements DPS): "
	    "extension decision was due 5 days ago (2025-03-31) (overdue)");
	delivery(&d, "expired", -1);
	set("due", "2025-05-01");
	json_object_set_new(cur, "overdue_days", json_integer(1));
	assert_text(alert_text_consequence, "the contract expired 1 day ago, "
	    "on 1 May 2025; whatever is still bought under it has had no "
	    "contract since 1 May 2025");
	/* A test alert, or a kind newer than the texts, still reads. */
	delivery(&d, "break_clause", 5);
	set("type", "contract.test");
	assert_text(alert_text_subject, "[contractd] test: HAV-CPDPS: "
	    "break_clause due in 5 days (2025-03-31)");
	assert_text(alert_text_consequence, "");
	/* Nothing known at all. */
	json_decref(cur);
	cur = json_object();
	assert_text(alert_text_subject, "[contractd] ?: milestone due today");
	assert_text(alert_text_summary, "?: milestone due today");
	assert_text(alert_text_consequence, "");
}

static void
test_secret_mode(void **state)
{
	const char	*text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n";
	char		 want[256];
	void		*w;

	(void)state;
	assert_int_equal(init_secret(text, 0644, &w), -1);
	assert_null(w);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 4);
	snprintf(want, sizeof(want), "secret_file: %s: mode 0644 gives group "
	    "or others access; chmod 600 it", secret_path);
	assert_string_equal(fake.msg[0], want);

	fake.nerr = 0;
	assert_int_equal(init_secret(text, 0600, &w), 0);
	assert_int_equal(fake.nerr, 0);
	assert_non_null(w);
	contractd_notifier.fini(w);
}

/* Inits with a 0600 secret file holding text; returns the one error. */
static const char *
secret_error(const char *text)
{
	static char	 msg[512];
	const char	*p;
	void		*w;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(init_secret(text, 0600, &w), -1);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 4);
	/* Drop "secret_file: PATH: ". */
	assert_non_null(p = strstr(fake.msg[0], secret_path));
	snprintf(msg, sizeof(msg), "%s", p + strlen(secret_path) + 2);
	return msg;
}

static void
test_secret_content(void **state)
{
	void	*w;

	(void)state;
	assert_string_equal(secret_error("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
	    "does not start with whsec_");
	assert_string_equal(secret_error("whsec_not base64!"),
	    "the text after whsec_ is not base64");
	assert_string_equal(secret_error("whsec_"),
	    "the text after whsec_ is not base64");
	/* '=' only as padding, at the end. */
	assert_string_equal(secret_error("whsec_AAAAAAAAAAAAAAAAAAAAAA=A"),
	    "the text after whsec_ is not base64");
	/* 15 bytes: too short. */
	assert_string_equal(secret_error("whsec_AAAAAAAAAAAAAAAAAAAA"),
	    "the secret is 15 bytes; at least 16 are needed");
	/* 4 bytes, padded: EVP_DecodeBlock alone would say 6. */
	assert_string_equal(secret_error("whsec_AAAAAA=="),
	    "the secret is 4 bytes; at least 16 are needed");
	/* 16 bytes with "==" padding is enough. */
	memset(&fake, 0, sizeof(fake));
	assert_int_equal(init_secret("  whsec_AAAAAAAAAAAAAAAAAAAAAA==\r\n",
	    0600, &w), 0);
	contractd_notifier.fini(w);
}

static void
test_secret_missing(void **state)
{
	struct notifier_kv	kv[2] = {
		{ "url", "https://hooks.example/x", 3 },
		{ "secret_file", "/nonexistent/contractd.secret", 4 },
	};
	void			*w;

	(void)state;
	assert_int_equal(init_with(kv, 2, &w), -1);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 4);
	assert_string_equal(fake.msg[0], "secret_file: "
	    "/nonexistent/contractd.secret: No such file or directory");
}

static void
test_defaults(void **state)
{
	struct notifier_kv	kv[1] = { { "url", "http://127.0.0.1:8080/", 7 } };
	void			*w;

	(void)state;
	assert_int_equal(init_with(kv, 1, &w), 0);
	assert_int_equal(fake.nerr, 0);
	contractd_notifier.fini(w);
}

static void
test_url(void **state)
{
	struct notifier_kv	ftp[1] = { { "url", "ftp://hooks.example/x", 5 } };
	struct notifier_kv	junk[1] = { { "url", "https://", 6 } };
	struct notifier_kv	none[1] = { { "format", "slack", 2 } };
	void			*w;

	(void)state;
	assert_int_equal(init_with(ftp, 1, &w), -1);
	assert_null(w);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 5);
	assert_string_equal(fake.msg[0],
	    "url: scheme 'ftp' is not http or https");

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(init_with(junk, 1, &w), -1);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 6);
	assert_memory_equal(fake.msg[0], "url: not a valid URL: ", 22);

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(init_with(none, 1, &w), -1);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 1);
	assert_string_equal(fake.msg[0],
	    "url: required (the address alerts are POSTed to)");
}

/* Every problem is reported, each with its line. */
static void
test_every_error(void **state)
{
	struct notifier_kv	kv[] = {
		{ "url", "https://hooks.example/x", 2 },
		{ "header", "X-Foo: bar", 3 },
		{ "format", "discord", 4 },
		{ "timeout", "0", 5 },
		{ "connect_timeout", "10s", 6 },
		{ "format", "slack", 7 },
	};
	void			*w;

	(void)state;
	assert_int_equal(init_with(kv, 6, &w), -1);
	assert_null(w);
	assert_int_equal(fake.nerr, 5);
	assert_int_equal(fake.line[0], 3);
	assert_string_equal(fake.msg[0], "unknown key 'header' (the webhook "
	    "notifier takes url, format, secret_file, connect_timeout and "
	    "timeout)");
	assert_int_equal(fake.line[1], 4);
	assert_string_equal(fake.msg[1],
	    "format: not generic, slack or teams: discord");
	assert_int_equal(fake.line[2], 5);
	assert_string_equal(fake.msg[2],
	    "timeout: not a number of seconds from 1 to 3600: 0");
	assert_int_equal(fake.line[3], 6);
	assert_string_equal(fake.msg[3],
	    "connect_timeout: not a number of seconds from 1 to 3600: 10s");
	assert_int_equal(fake.line[4], 7);
	assert_string_equal(fake.msg[4], "format: set twice (first on line 4)");
}

static void
test_timeouts(void **state)
{
	struct notifier_kv	kv[] = {
		{ "url", "https://hooks.example/x", 2 },
		{ "connect_timeout", "60", 3 },
		{ "timeout", "20", 4 },
	};
	void			*w;

	(void)state;
	assert_int_equal(init_with(kv, 3, &w), -1);
	assert_int_equal(fake.nerr, 1);
	assert_int_equal(fake.line[0], 3);
	assert_string_equal(fake.msg[0], "connect_timeout: 60 seconds is "
	    "longer than timeout (20)");
}

/* One send through the fake host, for format and a secret or not. */
static void
send_one(const char *format, int secret, struct notifier_delivery *d)
{
	struct notifier_kv	kv[3] = {
		{ "url", "https://hooks.example/x", 2 },
		{ "format", format, 3 },
		{ "secret_file", secret_path, 4 },
	};
	void			*w;
	int			 rc;

	if (secret)
		write_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0600);
	rc = init_with(kv, secret ? 3 : 2, &w);
	if (secret)
		unlink(secret_path);
	assert_int_equal(rc, 0);
	rc = contractd_notifier.send(w, d);
	contractd_notifier.fini(w);
	if (fake.transfer_rc == -1) {
		assert_int_equal(rc, -1);
		assert_int_equal(fake.nresult, 0);
		assert_null(d->plugin_data);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(fake.nresult, 1);
	}
}

static void
test_send_outcomes(void **state)
{
	struct notifier_delivery	d;

	(void)state;
	delivery(&d, "coverage_gap", 30);
	set("uncovered", "Residential <care> & respite");
	set_b("lapsed_extension", 1);

	fake.transfer_rc = -1;
	send_one("generic", 1, &d);
	assert_int_equal(fake.ntransfer, 1);

	reset(NULL);
	fake.done_rc = CURLE_COULDNT_CONNECT;
	send_one("slack", 0, &d);
	assert_int_equal(fake.status, NOTIFIER_RETRY);
	assert_int_equal(fake.retry_after, 0);
	assert_string_equal(fake.result_msg, "Couldn't connect to server");

	reset(NULL);
	fake.done_rc = CURLE_ABORTED_BY_CALLBACK;
	send_one("teams", 1, &d);
	assert_int_equal(fake.status, NOTIFIER_RETRY);
	assert_string_equal(fake.result_msg, "aborted");

	/* Fields left unset do not trip the body builders. */
	reset(NULL);
	json_decref(cur);
	cur = json_object();
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.key = "k";
	d.alert = cur;
	d.json = "{}";
	fake.done_rc = CURLE_OPERATION_TIMEDOUT;
	send_one("teams", 0, &d);
	assert_int_equal(fake.status, NOTIFIER_RETRY);
	reset(NULL);
	fake.done_rc = CURLE_OPERATION_TIMEDOUT;
	send_one("slack", 0, &d);
	assert_int_equal(fake.status, NOTIFIER_RETRY);
}

static void
test_send_refused(void **state)
{
	struct notifier_delivery	d;

	(void)state;
	delivery(&d, "term_end", 3);
	d.key = "a\r\nX-Injected: 1";
	send_one("generic", 0, &d);
	assert_int_equal(fake.ntransfer, 0);
	assert_int_equal(fake.status, NOTIFIER_FAIL);
	assert_string_equal(fake.result_msg,
	    "delivery key not usable as a webhook-id");

	reset(NULL);
	delivery(&d, "term_end", 3);
	d.json = NULL;
	send_one("generic", 0, &d);
	assert_int_equal(fake.ntransfer, 0);
	assert_int_equal(fake.status, NOTIFIER_FAIL);
	assert_string_equal(fake.result_msg, "cannot build the generic body");

	/* Not UTF-8: jansson refuses it rather than sending garbage. */
	reset(NULL);
	delivery(&d, "term_end", 3);
	json_object_set_new(json_object_get(cur, "contract"), "title",
	    json_string_nocheck("Caf\xe9"));
	send_one("slack", 0, &d);
	assert_int_equal(fake.status, NOTIFIER_FAIL);
	assert_string_equal(fake.result_msg, "cannot build the slack body");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_sign_vector),
		cmocka_unit_test(test_summary_kinds),
		cmocka_unit_test(test_summary_when),
		cmocka_unit_test(test_summary_flags),
		cmocka_unit_test(test_bodies_unchanged),
		cmocka_unit_test(test_alert_texts),
		cmocka_unit_test_setup(test_secret_mode, reset),
		cmocka_unit_test_setup(test_secret_content, reset),
		cmocka_unit_test_setup(test_secret_missing, reset),
		cmocka_unit_test_setup(test_defaults, reset),
		cmocka_unit_test_setup(test_url, reset),
		cmocka_unit_test_setup(test_every_error, reset),
		cmocka_unit_test_setup(test_timeouts, reset),
		cmocka_unit_test_setup(test_send_outcomes, reset),
		cmocka_unit_test_setup(test_send_refused, reset),
	};
	int	rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	json_decref(cur);
	curl_global_cleanup();
	return rc;
}
