/* http_client.h - one plain HTTP(S) request for the http and notify actions,
 * through libcurl (loaded lazily, curl_lazy.c).  Not the Kubernetes client:
 * no cluster credentials, TLS verified against the system's CAs, no
 * redirects followed.  Bodies are bounded (HTTP_CLIENT_MAX_BODY). */
#ifndef OPSPLAN_HTTP_CLIENT_H
#define OPSPLAN_HTTP_CLIENT_H

#include <stddef.h>
#include <jansson.h>

#define HTTP_CLIENT_MAX_BODY (1L << 20)

struct http_reply {
	long status;      /* 0: no answer (transport error) */
	char *body;       /* the response body (NUL-terminated; caller frees) */
	char err[256];    /* set when the function fails: the transport's word, no URL */
};

/* Send method to url (http:// or https:// only) with headers (an object of
 * strings, or NULL) and body (or NULL), within timeout_ms.  0 when an answer
 * came (whatever its status); -1 and r->err when none did. */
int http_client_request(const char *method, const char *url, const json_t *headers, const char *body,
			long timeout_ms, struct http_reply *r);

#endif
