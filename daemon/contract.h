/*
 * The contract record (DESIGN section 5) and its validation.  Pure: no I/O.
 */
#ifndef CONTRACT_H
#define CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#define CONTRACT_REF_MAX	64
#define CONTRACT_ERRLEN		256

enum contract_kind {
	CK_CONTRACT,
	CK_FRAMEWORK,
	CK_DPS,
	CK_CALL_OFF,
};

/*
 * Strings are owned by the record (NULL when unset) and freed by
 * contract_free().  Dates are day numbers (dates.h); DATE_NONE when unset.
 * Day counts are -1 when unset (the config's default applies).
 */
struct contract {
	char			 ref[CONTRACT_REF_MAX + 1];
	char			*title;
	enum contract_kind	 kind;
	char			*supplier;
	char			*owner_name;
	char			*owner_email;
	char			*notify;
	int32_t			 start_date;
	int32_t			 end_date;
	int32_t			 max_end_date;
	int			 extension_notice_days;
	int			 procurement_lead_days;
	char			*successor_ref;
	char			*services;
	char			*value;
	char			*notes;
	/* Closed early (cmd-close.c): end_date is then this day. */
	int32_t			 closed_on;
	char			*closed_reason;
};

/* The field names, in DESIGN order; NULL-terminated. */
extern const char *const contract_fields[];

void	 contract_init(struct contract *c);
void	 contract_free(struct contract *c);
/* Deep copy; -1 on allocation failure (dst is then empty). */
int	 contract_copy(struct contract *dst, const struct contract *src);

int	 contract_field_known(const char *name);
/*
 * Sets one field from its text form.  An empty value clears an optional
 * field.  On a bad value returns -1 and writes a reason to err, e.g.
 * "not a date (YYYY-MM-DD): 2025-02-30".
 */
int	 contract_set_field(struct contract *c, const char *name,
	    const char *value, char *err, size_t errlen);
/*
 * The text form of one field into buf ("" when unset); -1 for an unknown
 * name.  Strings longer than buf are cut.
 */
int	 contract_get_field(const struct contract *c, const char *name,
	    char *buf, size_t len);
/*
 * Whole-record rules: ref and title and end_date present, end >= start,
 * max_end >= end, a closed contract ending on its closing day and a
 * closing reason only with it (max_end_date defaults to end_date when
 * unset: this function fills it in).  On failure returns -1, names the field in
 * *field and writes a reason to err.
 */
int	 contract_check(struct contract *c, const char **field, char *err,
	    size_t errlen);

const char	*contract_kind_name(enum contract_kind k);
int		 contract_kind_parse(const char *s, enum contract_kind *k);
/*
 * The next item of a ';'-separated list (services, notify) at *p, blanks
 * around it trimmed: its start in *item, its length (0 for an empty item)
 * in *len.  *p moves past it, to NULL after the last; 0 once *p is NULL.
 */
int		 contract_list_next(const char **p, const char **item,
		    size_t *len);
/* The same, empty items skipped: the keys of a services list, the
 * addresses of a notify list. */
int		 contract_service_next(const char **p, const char **svc,
		    size_t *len);
/* Whether svc, an item of list all, is the first item of its key in all. */
int		 contract_service_first(const char *all, const char *svc,
		    size_t len);
int		 contract_ref_valid(const char *s);

#endif
