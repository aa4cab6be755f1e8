/*
 * The transfer engine: one curl multi handle driven by the event loop
 * through the multi_socket API.  Plugins reach it through the host table.
 */
#ifndef HTTP_H
#define HTTP_H

#include <event2/event.h>

#include "../plugins/notifier.h"

int	 http_init(struct event_base *base);
void	 http_shutdown(void);
void	 http_cancel_all(void);
int	 http_transfer(struct notifier_delivery *d, CURL *easy,
	    void (*done)(struct notifier_delivery *, CURL *, CURLcode));

#endif
