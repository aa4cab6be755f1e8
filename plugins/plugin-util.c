/*
 * What the notifier plugins share: see plugin-util.h.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifier.h"
#include "plugin-util.h"

int
putil_keys_set(void *self, const struct putil_key *keys, size_t nkeys,
    const char *plugin, const char *takes, const struct notifier_config *cfg,
    const struct notifier_kv **seen)
{
	const struct notifier_kv	*kv;
	size_t				 i, k;
	int				 rc = 0;

	for (i = 0; i < cfg->nkv; i++) {
		kv = &cfg->kv[i];
		for (k = 0; k < nkeys; k++)
			if (strcmp(kv->key, keys[k].name) == 0)
				break;
		if (k == nkeys) {
			cfg->error(cfg, kv->line, "unknown key '%s' (the %s "
			    "notifier takes %s)", kv->key, plugin, takes);
			rc = -1;
		} else if (seen[k] != NULL) {
			cfg->error(cfg, kv->line, "%s: set twice (first on "
			    "line %d)", kv->key, seen[k]->line);
			rc = -1;
		} else {
			seen[k] = kv;
			if (keys[k].set(self, cfg, kv) == -1)
				rc = -1;
		}
	}
	return rc;
}

int
putil_seconds(const struct notifier_config *cfg, const struct notifier_kv *kv,
    long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(kv->value, &end, 10);
	if (kv->value[0] == '\0' || *end != '\0' || errno != 0 || v < 1 ||
	    v > max) {
		cfg->error(cfg, kv->line, "%s: not a number of seconds from 1 "
		    "to %ld: %s", kv->key, max, kv->value);
		return -1;
	}
	*out = v;
	return 0;
}

/* The mode is checked on the open file, so a swap in between cannot win. */
int
putil_private_read(const char *path, char *buf, size_t len, size_t *n,
    char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*f;

	*n = 0;
	buf[0] = '\0';
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == -1)
		snprintf(err, errlen, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "not a regular file");
	else if ((st.st_mode & 077) != 0)
		snprintf(err, errlen, "mode %04o gives group or others "
		    "access; chmod 600 it", (unsigned)(st.st_mode & 07777));
	else if ((*n = fread(buf, 1, len - 1, f)) == len - 1)
		snprintf(err, errlen, "longer than %zu bytes", len - 2);
	else if (ferror(f))
		snprintf(err, errlen, "read error");
	else
		err[0] = '\0';
	fclose(f);
	buf[*n] = '\0';
	return err[0] == '\0' ? 0 : -1;
}

void
putil_clean(char *dst, size_t len, const char *src)
{
	size_t	i = 0;

	for (; *src != '\0' && i + 1 < len; src++) {
		if (isspace((unsigned char)*src) ||
		    iscntrl((unsigned char)*src)) {
			if (i > 0 && dst[i - 1] != ' ')
				dst[i++] = ' ';
		} else if ((unsigned char)*src < 0x7f)
			dst[i++] = *src;
		else
			dst[i++] = '?';
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}
