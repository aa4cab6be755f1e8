/*
 * Contracts as JSON, field by field in DESIGN order.
 */
#include <stdlib.h>
#include <string.h>

#include "contract-json.h"

/* What field name of c holds: as field_value says, into buf. */
enum field_kind { FIELD_NULL, FIELD_NUMBER, FIELD_STRING };

static enum field_kind
field_value(const struct contract *c, const char *name, char *buf,
    size_t len, long *n)
{
	char	*end;

	if (contract_get_field(c, name, buf, len) == -1 || buf[0] == '\0')
		return FIELD_NULL;
	if (strcmp(name, "extension_notice_days") == 0 ||
	    strcmp(name, "procurement_lead_days") == 0) {
		*n = strtol(buf, &end, 10);
		return *end == '\0' ? FIELD_NUMBER : FIELD_NULL;
	}
	return FIELD_STRING;
}

static json_t *
field_json(const struct contract *c, const char *name)
{
	char	 buf[4096 + 1];
	long	 n = 0;

	switch (field_value(c, name, buf, sizeof(buf), &n)) {
	case FIELD_NUMBER:
		return json_integer(n);
	case FIELD_STRING:
		return json_string(buf);
	default:
		return json_null();
	}
}

void
contract_json_text(struct strbuf *b, const struct contract *c)
{
	char	 buf[4096 + 1];
	long	 n = 0;
	size_t	 i;

	strbuf_puts(b, "{");
	for (i = 0; contract_fields[i] != NULL; i++) {
		strbuf_puts(b, i == 0 ? "\"" : ",\"");
		strbuf_puts(b, contract_fields[i]);
		strbuf_puts(b, "\":");
		switch (field_value(c, contract_fields[i], buf, sizeof(buf),
		    &n)) {
		case FIELD_NUMBER:
			strbuf_int(b, n);
			break;
		case FIELD_STRING:
			strbuf_json(b, buf);
			break;
		default:
			strbuf_puts(b, "null");
		}
	}
	strbuf_puts(b, "}");
}

json_t *
contract_to_json(const struct contract *c)
{
	json_t	*o;
	size_t	 i;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; contract_fields[i] != NULL; i++)
		if (json_object_set_new(o, contract_fields[i],
		    field_json(c, contract_fields[i])) == -1) {
			json_decref(o);
			return NULL;
		}
	return o;
}
