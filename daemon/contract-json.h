/*
 * Contracts as JSON objects with the CSV field names (DESIGN section 5):
 * the form of show, list and the webhook payload.
 */
#ifndef CONTRACT_JSON_H
#define CONTRACT_JSON_H

#include <jansson.h>

#include "contract.h"

/* Day counts are integers, everything else strings; unset fields null. */
json_t	*contract_to_json(const struct contract *c);
/* A date as JSON: "YYYY-MM-DD", or null for DATE_NONE. */
json_t	*date_json(int32_t day);

#endif
