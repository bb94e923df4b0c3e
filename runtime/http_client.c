/* http_client.c - see http_client.h. */
#include "http_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"

struct sink {
	char *b;
	size_t n, cap;
	int over;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *u)
{
	struct sink *s = u;
	size_t n = sz * nm;
	if (s->n + n > (size_t)HTTP_CLIENT_MAX_BODY) {
		s->over = 1;
		return 0;   /* aborts the transfer */
	}
	if (s->n + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->n + n + 1)
			cap *= 2;
		s->b = xrealloc(s->b, cap);
		s->cap = cap;
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = 0;
	return n;
}

int http_client_request(const char *method, const char *url, const json_t *headers, const char *body,
			long timeout_ms, struct http_reply *r)
{
	memset(r, 0, sizeof *r);
	if (!url || (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8))) {
		snprintf(r->err, sizeof r->err, "the url must start with http:// or https://");
		return -1;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(r->err, sizeof r->err, "cannot start libcurl");
		return -1;
	}
	struct sink s = {0};
	struct curl_slist *hl = NULL;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)headers, k, v) {
		if (!json_is_string(v))
			continue;
		char *line = xasprintf("%s: %s", k, json_string_value(v));
		hl = curl_slist_append(hl, line);
		free(line);
	}
	if (body && !(headers && json_object_get(headers, "Content-Type")))
		hl = curl_slist_append(hl, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 30000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 && timeout_ms < 10000 ? timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "opsplan");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	CURLcode rc = curl_easy_perform(h);
	int ret = 0;
	if (rc != CURLE_OK) {
		snprintf(r->err, sizeof r->err, "%s", s.over ? "the response is larger than 1 MiB" : curl_easy_strerror(rc));
		free(s.b);
		ret = -1;
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		r->body = s.b ? s.b : xstrdup("");
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return ret;
}
