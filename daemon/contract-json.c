/*
 * Contracts as JSON, field by field in DESIGN order.
 */
#include <stdlib.h>
#include <string.h>

#include "contract-json.h"
#include "dates.h"

static json_t *
field_json(const struct contract *c, const char *name)
{
	char	 buf[4096 + 1];
	char	*end;
	long	 n;

	if (contract_get_field(c, name, buf, sizeof(buf)) == -1 ||
	    buf[0] == '\0')
		return json_null();
	if (strcmp(name, "extension_notice_days") == 0 ||
	    strcmp(name, "procurement_lead_days") == 0) {
		n = strtol(buf, &end, 10);
		return *end == '\0' ? json_integer(n) : json_null();
	}
	return json_string(buf);
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

json_t *
date_json(int32_t day)
{
	char	buf[DATE_STRLEN];

	return day == DATE_NONE ? json_null() : json_string(date_format(day,
	    buf));
}
