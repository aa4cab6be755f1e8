/*
 * Logging to stderr with syslog priority prefixes ("<3>"), which journald
 * reads.  Messages start with the function name by convention.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

void	log_init(int debug, int to_syslog);
/* prio is a syslog priority (LOG_ERR...); log_msg is the plugins' too. */
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(int prio, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The monotonic clock in milliseconds, for timings in the debug log. */
double	log_clock_ms(void);
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
