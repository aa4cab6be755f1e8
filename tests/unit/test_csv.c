/*
 * Unit tests of daemon/csv.c: the RFC 4180 reader on its own, then the
 * contract import with the exact row, column, value and reason of each
 * error it can report.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "csv.h"
#include "dates.h"

#define HDR	"ref,title,end_date\n"

static char	 out[8192];

static void __attribute__((format(printf, 1, 2)))
append(const char *fmt, ...)
{
	size_t	 n = strlen(out);
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(out + n, sizeof(out) - n, fmt, ap);
	va_end(ap);
}

/* One field with its line breaks shown as \n and \r. */
static void
append_field(const char *s)
{
	append("[");
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			append("\\n");
		else if (*s == '\r')
			append("\\r");
		else
			append("%c", *s);
	}
	append("]");
}

/*
 * The records of text[0..len) as lines "ROW:[a][b]", or ending with
 * "error row N field F: reason".
 */
static const char *
records(const char *text, size_t len)
{
	struct csv_reader	 r;
	struct csv_error	 re;
	size_t			 i;
	int			 rv;

	out[0] = '\0';
	csv_reader_init(&r, text, len);
	while ((rv = csv_reader_next(&r, &re)) == 1) {
		append("%zu:", r.row);
		for (i = 0; i < r.nfields; i++)
			append_field(csv_reader_field(&r, i));
		append("\n");
	}
	if (rv == -1) {
		assert_string_equal(re.column, "");
		append("error row %zu field %zu: %s", re.row, r.nfields + 1,
		    re.reason);
	}
	csv_reader_free(&r);
	return (out);
}

static const char *
recs(const char *text)
{
	return (records(text, strlen(text)));
}

static void
test_reader_plain(void **state)
{
	(void)state;
	assert_string_equal(recs("a,b,c\n1,2,3\n"),
	    "1:[a][b][c]\n2:[1][2][3]\n");
	assert_string_equal(recs("a,b\n1,2"), "1:[a][b]\n2:[1][2]\n");
	assert_string_equal(recs("a,b\r\n1,2\r\n"), "1:[a][b]\n2:[1][2]\n");
	assert_string_equal(recs("a,b\r\n1,2"), "1:[a][b]\n2:[1][2]\n");
	assert_string_equal(recs(",\n,,\na,\n"), "1:[][]\n2:[][][]\n3:[a][]\n");
	assert_string_equal(recs("a\n\nb\n"), "1:[a]\n2:[]\n3:[b]\n");
	assert_string_equal(recs(" a , b "), "1:[ a ][ b ]\n");
	/* A lone CR is data, not a line break. */
	assert_string_equal(recs("a\rb,c\n"), "1:[a\\rb][c]\n");
	assert_string_equal(recs(""), "");
	assert_string_equal(records(NULL, 0), "");
}

static void
test_reader_quoted(void **state)
{
	(void)state;
	assert_string_equal(recs("\"a,b\",c\n"), "1:[a,b][c]\n");
	assert_string_equal(recs("\"say \"\"hi\"\"\",b\n"),
	    "1:[say \"hi\"][b]\n");
	assert_string_equal(recs("\"\",\"\"\"\"\n"), "1:[][\"]\n");
	assert_string_equal(recs("\"\"\"a\"\"\"\n"), "1:[\"a\"]\n");
	assert_string_equal(recs("a,\"\"\n"), "1:[a][]\n");
	assert_string_equal(recs("\"x\"\r\n\"y\""), "1:[x]\n2:[y]\n");
	/* Line breaks inside quotes: a record is not a line. */
	assert_string_equal(recs("\"x\ny\",z\nnext\n"),
	    "1:[x\\ny][z]\n2:[next]\n");
	assert_string_equal(recs("h\n\"1\r\n2\r\n3\",b\r\nlast\r\n"),
	    "1:[h]\n2:[1\\r\\n2\\r\\n3][b]\n3:[last]\n");
	assert_string_equal(recs("\"a\nb\""), "1:[a\\nb]\n");
}

static void
test_reader_bom(void **state)
{
	(void)state;
	assert_string_equal(recs("\xef\xbb\xbf" "a,b\n1,2\n"),
	    "1:[a][b]\n2:[1][2]\n");
	assert_string_equal(recs("\xef\xbb\xbf" "\"a\",b\n"), "1:[a][b]\n");
	assert_string_equal(recs("\xef\xbb\xbf"), "");
	/* Only at the start. */
	assert_string_equal(recs("a\n\xef\xbb\xbf" "b\n"),
	    "1:[a]\n2:[\xef\xbb\xbf" "b]\n");
}

static void
test_reader_errors(void **state)
{
	(void)state;
	assert_string_equal(recs("a,b\n\"x,y\nz\n"), "1:[a][b]\n"
	    "error row 2 field 1: unterminated quoted field");
	assert_string_equal(recs("a,\"b"),
	    "error row 1 field 2: unterminated quoted field");
	assert_string_equal(recs("a,\"b\"\""),
	    "error row 1 field 2: unterminated quoted field");
	assert_string_equal(recs("a,b\"c\n"),
	    "error row 1 field 2: quote in an unquoted field");
	assert_string_equal(recs("a, \"b\"\n"),
	    "error row 1 field 2: quote in an unquoted field");
	assert_string_equal(recs("\"a\"b,c\n"),
	    "error row 1 field 1: text after a closing quote");
	assert_string_equal(recs("\"a\" ,c\n"),
	    "error row 1 field 1: text after a closing quote");
	assert_string_equal(records("a\nb,c\0d\n", 8),
	    "1:[a]\nerror row 2 field 2: NUL byte in a field");
	assert_string_equal(records("\"c\0d\"\n", 6),
	    "error row 1 field 1: NUL byte in a field");
}

static struct contract	*v;
static size_t		 nv;
static struct csv_error	 e;

static int
import(const char *text)
{
	return (csv_contracts(text, strlen(text), &v, &nv, &e));
}

static void
get_is(const struct contract *c, const char *field, const char *want)
{
	char	 buf[4200];

	assert_int_equal(contract_get_field(c, field, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* The import fails with exactly this error, and hands back nothing. */
static void
refused(const char *text, size_t row, const char *column, const char *value,
    const char *reason)
{
	v = (struct contract *)&e;	/* must be reset */
	nv = 42;
	assert_int_equal(import(text), -1);
	assert_null(v);
	assert_int_equal(nv, 0);
	assert_string_equal(e.reason, reason);
	assert_int_equal(e.row, row);
	assert_string_equal(e.column, column);
	assert_string_equal(e.value, value);
}

/* What outcome's rows came to: their shown fields, their refs. */
struct seen {
	char	 buf[8192];
	char	 refs[16][CONTRACT_REF_MAX + 1];
	size_t	 rows[16];
	size_t	 n;
};

static int
seen_row(void *arg, struct contract *c, size_t row, struct csv_error *err)
{
	static const char *const shown[] = { "ref", "title", "notes",
	    "end_date", "services", NULL };
	struct seen	*sn = arg;
	char		 f[256];
	size_t		 i, k;

	for (i = 0; i < sn->n; i++)
		if (strcmp(sn->refs[i], c->ref) == 0) {
			err->row = row;
			snprintf(err->column, sizeof(err->column), "ref");
			snprintf(err->value, sizeof(err->value), "%s", c->ref);
			snprintf(err->reason, sizeof(err->reason), "duplicate ref "
			    "(first on row %zu)", sn->rows[i]);
			return (-1);
		}
	assert_true(sn->n < 16);
	snprintf(sn->refs[sn->n], sizeof(sn->refs[0]), "%s", c->ref);
	sn->rows[sn->n++] = row;
	for (k = 0; shown[k] != NULL; k++) {
		assert_int_equal(contract_get_field(c, shown[k], f,
		    sizeof(f)), 0);
		strncat(sn->buf, f, sizeof(sn->buf) - strlen(sn->buf) - 2);
		strcat(sn->buf, "|");
	}
	strcat(sn->buf, "\n");
	return (0);
}

/*
 * The outcome of importing text fed in pieces of at most step bytes, the
 * first piece cut at first: the contracts' fields, or the error.
 */
static char *
outcome(const char *text, size_t len, size_t first, size_t step)
{
	struct csv_import	*im;
	struct csv_error	 ce;
	struct seen		*sn;
	char			 buf[8192];
	size_t			 off = 0, n;
	int			 rv = 0;

	assert_non_null(sn = calloc(1, sizeof(*sn)));
	assert_non_null(im = csv_import_new(seen_row, sn));
	for (n = first; rv == 0 && off < len; n = step) {
		if (n > len - off)
			n = len - off;
		rv = csv_import_feed(im, text + off, n, off + n == len, &ce);
		off += n;
	}
	if (rv == 0 && len == 0)
		rv = csv_import_feed(im, "", 0, 1, &ce);
	csv_import_free(im);
	if (rv == -1)
		snprintf(buf, sizeof(buf), "error %zu [%s] [%s] %s", ce.row,
		    ce.column, ce.value, ce.reason);
	else
		snprintf(buf, sizeof(buf), "%s", sn->buf);
	free(sn);
	return (strdup(buf));
}

static int
no_row(void *arg, struct contract *c, size_t row, struct csv_error *err)
{
	(void)arg;
	(void)c;
	(void)row;
	(void)err;
	return (0);
}

/* Cut anywhere, or fed a byte at a time, the text reads the same. */
static void
test_import_in_pieces(void **state)
{
	static const char *const texts[] = {
		"\xef\xbb\xbfref,title,end_date,notes\r\n"
		    "A,\"Alpha, \"\"the\"\" first\",2025-04-30,\"two, \"\r\n"
		    "B,Beta \xe2\x80\x93 two,2026-01-31,x\r\n\r\n",
		"\xef\xbb\xbfref,title,end_date,notes\r\n"
		    "A,Alpha,2025-04-30,\"two\r\nlines\"\r\n",
		"ref,title,end_date,services\nA,\"\"\"\",2025-01-01,"
		    "\"a:b;c:d\"\nB,\"B\",2025-01-01,\nC,\"\"\"C\"\"\","
		    "2025-01-01,\"\"",
		"ref,title,end_date\nA,Alpha,2025-04-30",
		"ref,title,end_date\nA,Alpha,2025-04-30\r",
		"ref,title,end_date\nA,Alpha,2025-04-31\n",
		"ref,title,end_date\nA,\"Alpha,2025-04-30\n",
		"ref,title,end_date\nA,\"Al\"pha,2025-04-30\n",
		"ref,title,end_date\nA,Alpha\nB,Beta,2025-01-01\n",
		"ref,title,end_date\nA,Alpha,2025-01-01\nA,Again,2025-01-01\n",
		"ref,title,end_date\n\nA,Alpha,2025-01-01\n",
		"ref,title,bogus\n",
		"",
		"\xef\xbb",
		"\n\n",
	};
	size_t	 i, k, len;
	char	*want, *got;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		len = strlen(texts[i]);
		want = outcome(texts[i], len, len, len);
		for (k = 0; k <= len; k++) {
			got = outcome(texts[i], len, k, len);
			assert_string_equal(got, want);
			free(got);
		}
		got = outcome(texts[i], len, 1, 1);
		assert_string_equal(got, want);
		free(got);
		free(want);
	}
}

/* One record longer than CSV_RECORD_MAX is refused while it comes in. */
static void
test_import_record_too_long(void **state)
{
	struct csv_import	*im;
	struct csv_error	 ce;
	static char		 chunk[65536];
	const char		*hdr = "ref,title,end_date,notes\nA,A,2025-01-01,\"";
	size_t			 sent = 0;
	int			 rv;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	assert_non_null(im = csv_import_new(no_row, NULL));
	assert_int_equal(csv_import_feed(im, hdr, strlen(hdr), 0, &ce), 0);
	do {
		rv = csv_import_feed(im, chunk, sizeof(chunk), 0, &ce);
		sent += sizeof(chunk);
	} while (rv == 0 && sent < 4 * CSV_RECORD_MAX);
	assert_int_equal(rv, -1);
	assert_true(sent <= CSV_RECORD_MAX + sizeof(chunk));
	assert_int_equal(ce.row, 2);
	assert_string_equal(ce.reason, "a record longer than 1048576 bytes");
	/* Refused for good. */
	assert_int_equal(csv_import_feed(im, "\"\n", 2, 1, &ce), -1);
	assert_string_equal(ce.reason, "the import was refused already");
	assert_int_equal(csv_import_fed(im), sent + strlen(hdr));
	csv_import_free(im);
}

static void
test_import_minimal(void **state)
{
	int32_t	 day;

	(void)state;
	assert_int_equal(import(HDR "A,Alpha,2025-04-30\n"), 0);
	assert_int_equal(nv, 1);
	assert_string_equal(v[0].ref, "A");
	assert_string_equal(v[0].title, "Alpha");
	assert_int_equal(date_parse("2025-04-30", &day), 0);
	assert_int_equal(v[0].end_date, day);
	/* contract_check ran: max_end_date defaults to end_date. */
	assert_int_equal(v[0].max_end_date, day);
	assert_int_equal(v[0].start_date, DATE_NONE);
	assert_int_equal(v[0].kind, CK_CONTRACT);
	assert_int_equal(v[0].extension_notice_days, -1);
	assert_null(v[0].supplier);
	csv_contracts_free(v, nv);
}

static void
test_import_all_fields(void **state)
{
	static const char	 text[] =
	    "notes,value,services,successor_ref,procurement_lead_days,"
	    "extension_notice_days,max_end_date,end_date,start_date,notify,"
	    "owner_email,owner_name,supplier,kind,title,ref\n"
	    "\"Extended 8 months, decision NKD-2025-031\",1250000.50,"
	    "residential:LD ; live-in:MH,HAV-CPF,270,30,2025-12-31,2025-04-30,"
	    "2021-05-01,legal@council.example; procurement@council.example,"
	    "jo@council.example,Jo Bloggs,,dps,Complex Placements DPS,"
	    "HAV-CPDPS\n"
	    "\"\",,,,,,,2026-12-31,2026-01-01,,,,\"Acme \"\"Care\"\"\","
	    ",Complex Placements Framework,HAV-CPF\n";
	const struct contract	*c;

	(void)state;
	assert_int_equal(import(text), 0);
	assert_int_equal(nv, 2);
	c = &v[0];
	get_is(c, "ref", "HAV-CPDPS");
	get_is(c, "title", "Complex Placements DPS");
	get_is(c, "kind", "dps");
	get_is(c, "supplier", "");
	get_is(c, "owner_name", "Jo Bloggs");
	get_is(c, "owner_email", "jo@council.example");
	get_is(c, "notify",
	    "legal@council.example; procurement@council.example");
	get_is(c, "start_date", "2021-05-01");
	get_is(c, "end_date", "2025-04-30");
	get_is(c, "max_end_date", "2025-12-31");
	get_is(c, "extension_notice_days", "30");
	get_is(c, "procurement_lead_days", "270");
	get_is(c, "successor_ref", "HAV-CPF");
	get_is(c, "services", "residential:LD ; live-in:MH");
	get_is(c, "value", "1250000.50");
	get_is(c, "notes", "Extended 8 months, decision NKD-2025-031");
	c = &v[1];
	get_is(c, "ref", "HAV-CPF");
	get_is(c, "kind", "contract");
	get_is(c, "supplier", "Acme \"Care\"");
	get_is(c, "max_end_date", "2026-12-31");
	assert_null(c->notes);
	assert_null(c->value);
	assert_int_equal(c->procurement_lead_days, -1);
	csv_contracts_free(v, nv);
}

static void
test_import_quoting(void **state)
{
	(void)state;
	/* BOM, CRLF, quoted comma, "" escape, no final line break. */
	assert_int_equal(import("\xef\xbb\xbf" "ref,title,end_date\r\n"
	    "A,\"Care, residential\",2025-04-30\r\n"
	    "\"B\",\"The \"\"new\"\" framework\",\"2026-01-01\""), 0);
	assert_int_equal(nv, 2);
	assert_string_equal(v[0].title, "Care, residential");
	assert_string_equal(v[1].ref, "B");
	assert_string_equal(v[1].title, "The \"new\" framework");
	get_is(&v[1], "end_date", "2026-01-01");
	csv_contracts_free(v, nv);
}

static void
test_import_trailing_blank(void **state)
{
	(void)state;
	assert_int_equal(import(HDR "A,T,2025-04-30\n\n\r\n,,\n\"\",,\n"), 0);
	assert_int_equal(nv, 1);
	csv_contracts_free(v, nv);
	assert_int_equal(import(HDR "A,T,2025-04-30\n\n"), 0);
	assert_int_equal(nv, 1);
	csv_contracts_free(v, nv);
}

static void
test_import_header_only(void **state)
{
	(void)state;
	v = (struct contract *)&e;
	assert_int_equal(import(HDR), 0);
	assert_null(v);
	assert_int_equal(nv, 0);
	assert_int_equal(import("ref,title,end_date"), 0);
	assert_int_equal(nv, 0);
}

static void
test_import_bad_date(void **state)
{
	(void)state;
	/* The value is named once, not again in the reason. */
	refused(HDR "A,T,2025-04-30\nB,T,2025-02-30\n", 3, "end_date",
	    "2025-02-30", "not a date (YYYY-MM-DD)");
	refused("ref,title,start_date,end_date\nA,T,1/5/2021,2025-04-30\n", 2,
	    "start_date", "1/5/2021", "not a date (YYYY-MM-DD)");
	/* One item of a list is named: it is not the whole value. */
	refused("ref,title,end_date,notify\nA,T,2025-04-30,a@b.example;bad\n",
	    2, "notify", "a@b.example;bad", "not an email address: bad");
}

static void
test_import_unknown_column(void **state)
{
	(void)state;
	refused("ref,title,colour,end_date\nA,T,red,2025-04-30\n", 1,
	    "colour", "", "unknown column: colour");
	refused("ref,Title,end_date\n", 1, "Title", "",
	    "unknown column: Title");
	refused("ref, title,end_date\n", 1, " title", "",
	    "unknown column:  title");
	refused("ref,title,end_date,\n", 1, "", "",
	    "empty column name in column 4");
}

static void
test_import_header_errors(void **state)
{
	(void)state;
	refused("ref,title,end_date,title\n", 1, "title", "",
	    "duplicate column: title");
	refused("ref,title\nA,T\n", 1, "end_date", "",
	    "missing column: end_date");
	refused("title,end_date\n", 1, "ref", "", "missing column: ref");
	refused("ref,end_date\n", 1, "title", "", "missing column: title");
	refused("", 1, "", "", "no header row");
	refused("\xef\xbb\xbf", 1, "", "", "no header row");
	refused("\n" HDR, 1, "", "", "no header row");
	refused("ref,\"title,end_date\n", 1, "", "",
	    "unterminated quoted field");
}

static void
test_import_duplicate_ref(void **state)
{
	(void)state;
	refused(HDR "A,T,2025-04-30\nB,T,2025-04-30\nA,T2,2025-05-01\n", 4,
	    "ref", "A", "duplicate ref (first on row 2)");
	refused(HDR "A,T,2025-04-30\nB,T,2025-04-30\nB,T,2025-04-30\n", 4,
	    "ref", "B", "duplicate ref (first on row 3)");
}

static void
test_import_end_before_start(void **state)
{
	(void)state;
	refused("ref,title,start_date,end_date\n"
	    "A,T,2020-06-01,2019-01-01\n", 2, "end_date", "2019-01-01",
	    "end_date 2019-01-01 is before start_date 2020-06-01");
}

static void
test_import_max_before_end(void **state)
{
	(void)state;
	refused("ref,title,end_date,max_end_date\n"
	    "A,T,2025-04-30,2025-12-31\n"
	    "B,T,2025-04-30,2025-01-01\n", 3, "max_end_date", "2025-01-01",
	    "max_end_date 2025-01-01 is before end_date 2025-04-30");
}

static void
test_import_field_count(void **state)
{
	(void)state;
	refused(HDR "A,T,2025-04-30\nB,T,2025-04-30,extra\n", 3, "", "",
	    "expected 3 fields, found 4");
	refused(HDR "A,T\n", 2, "", "", "expected 3 fields, found 2");
	/* Trailing comma: one empty field too many. */
	refused(HDR "A,T,2025-04-30,\n", 2, "", "",
	    "expected 3 fields, found 4");
}

static void
test_import_quote_errors(void **state)
{
	(void)state;
	refused(HDR "A,T,2025-04-30\nB,\"Beta,2025-04-30\nC,T,2025-04-30\n",
	    3, "title", "", "unterminated quoted field");
	refused(HDR "A,Bob's \"best\",2025-04-30\n", 2, "title", "",
	    "quote in an unquoted field");
	refused(HDR "A,\"T\"x,2025-04-30\n", 2, "title", "",
	    "text after a closing quote");
	/* Past the header's last column there is no name to give. */
	refused(HDR "A,T,2025-04-30,\"x\n", 2, "", "",
	    "unterminated quoted field");
}

static void
test_import_row_errors(void **state)
{
	(void)state;
	refused(HDR "A,,2025-04-30\n", 2, "title", "", "title is required");
	refused(HDR ",T,2025-04-30\n", 2, "ref", "", "ref is required");
	refused(HDR "A,T,\n", 2, "end_date", "", "end_date is required");
	refused(HDR "A B,T,2025-04-30\n", 2, "ref", "A B",
	    "not a ref (1-64 of A-Za-z0-9._/-)");
	refused("ref,title,end_date,kind\nA,T,2025-04-30,Framework\n", 2,
	    "kind", "Framework",
	    "not a kind (contract, framework, dps, call-off)");
	refused("ref,title,end_date,successor_ref\nA,T,2025-04-30,A\n", 2,
	    "successor_ref", "A", "successor_ref is the contract itself");
	refused("ref,title,end_date,value\nA,T,2025-04-30,\"1,250,000\"\n", 2,
	    "value", "1,250,000", "not an amount (digits, at most 2 decimal "
	    "places)");
	refused("ref,title,end_date,notify\nA,T,2025-04-30,a@b;;c@d\n", 2,
	    "notify", "a@b;;c@d", "empty address in list");
}

static void
test_import_text_values(void **state)
{
	(void)state;
	/* A quoted line break is read, then refused by the title's rule. */
	refused(HDR "A,\"two\nlines\",2025-04-30\n", 2, "title", "two?lines",
	    "control character 0x0a at byte 4");
	/* Windows-1252 text is not UTF-8: the value shows '?'. */
	refused(HDR "A,Caf\xe9,2025-04-30\n", 2, "title", "Caf?",
	    "not UTF-8 at byte 4");
}

static void
test_import_blank_row_inside(void **state)
{
	(void)state;
	refused(HDR "A,T,2025-04-30\n\nB,T,2025-04-30\n", 3, "", "",
	    "blank row (only the last rows may be blank)");
	refused(HDR ",,\nB,T,2025-04-30\n", 2, "", "",
	    "blank row (only the last rows may be blank)");
}

static void
test_import_long_value(void **state)
{
	char	 text[512], want[128];

	(void)state;
	snprintf(text, sizeof(text), HDR "A,T,%0300d\n", 0);
	/* 124 bytes and "..." fill the 128 of value. */
	snprintf(want, sizeof(want), "%0124d...", 0);
	assert_int_equal(import(text), -1);
	assert_int_equal(e.row, 2);
	assert_string_equal(e.column, "end_date");
	assert_string_equal(e.value, want);
	assert_null(v);
}

static void
test_import_null_error(void **state)
{
	const char	*text = HDR "A,T,2025-02-30\n";

	(void)state;
	assert_int_equal(csv_contracts(text, strlen(text), &v, &nv, NULL), -1);
	assert_null(v);
}

/* Many rows: all kept in order, and a late duplicate still found. */
static void
test_import_many(void **state)
{
	size_t	 i, n = 50000, len = 0, size = 64 + (n + 1) * 40;
	char	*text;

	(void)state;
	assert_non_null(text = malloc(size));
	len += (size_t)snprintf(text + len, size - len, HDR);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len,
		    "R%zu,Title %zu,2025-04-30\n", i, i);
	assert_int_equal(csv_contracts(text, len, &v, &nv, &e), 0);
	assert_int_equal(nv, n);
	assert_string_equal(v[0].ref, "R0");
	assert_string_equal(v[n - 1].ref, "R49999");
	assert_string_equal(v[n - 1].title, "Title 49999");
	csv_contracts_free(v, nv);

	len += (size_t)snprintf(text + len, size - len, "R7,T,2025-04-30\n");
	assert_int_equal(csv_contracts(text, len, &v, &nv, &e), -1);
	assert_int_equal(e.row, n + 2);
	assert_string_equal(e.column, "ref");
	assert_string_equal(e.value, "R7");
	assert_string_equal(e.reason, "duplicate ref (first on row 9)");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_plain),
		cmocka_unit_test(test_reader_quoted),
		cmocka_unit_test(test_reader_bom),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_import_minimal),
		cmocka_unit_test(test_import_all_fields),
		cmocka_unit_test(test_import_quoting),
		cmocka_unit_test(test_import_trailing_blank),
		cmocka_unit_test(test_import_header_only),
		cmocka_unit_test(test_import_bad_date),
		cmocka_unit_test(test_import_unknown_column),
		cmocka_unit_test(test_import_header_errors),
		cmocka_unit_test(test_import_duplicate_ref),
		cmocka_unit_test(test_import_end_before_start),
		cmocka_unit_test(test_import_max_before_end),
		cmocka_unit_test(test_import_field_count),
		cmocka_unit_test(test_import_quote_errors),
		cmocka_unit_test(test_import_row_errors),
		cmocka_unit_test(test_import_text_values),
		cmocka_unit_test(test_import_blank_row_inside),
		cmocka_unit_test(test_import_long_value),
		cmocka_unit_test(test_import_null_error),
		cmocka_unit_test(test_import_many),
		cmocka_unit_test(test_import_in_pieces),
		cmocka_unit_test(test_import_record_too_long),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
