/* curl_lazy.c - libcurl, loaded on first use.
 *
 * Why: linking libcurl pulls in about 35 shared libraries (TLS, GSSAPI, LDAP,
 * SSH, ...), which made every `opsplan lint` pay ~4 ms of process start for a
 * library only `run` needs.  So the binary does not link libcurl: these
 * definitions of the libcurl functions the runtime calls dlopen libcurl.so.4
 * the first time one is used and forward to it.  If the library cannot be
 * loaded, curl_global_init fails and curl_easy_init returns NULL, and the
 * message names the missing library. */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#undef curl_easy_setopt
#undef curl_easy_getinfo

#define CURL_LAZY_FUNCS(X)                                                              \
	X(CURLcode, global_init, (long flags))                                          \
	X(CURL *, easy_init, (void))                                                    \
	X(void, easy_cleanup, (CURL *h))                                                \
	X(void, easy_reset, (CURL *h))                                                  \
	X(CURLcode, easy_perform, (CURL *h))                                            \
	X(CURLcode, easy_setopt, (CURL *h, CURLoption o, ...))                          \
	X(CURLcode, easy_getinfo, (CURL *h, CURLINFO i, ...))                           \
	X(CURLcode, easy_send, (CURL *h, const void *b, size_t n, size_t *sent))        \
	X(CURLcode, easy_recv, (CURL *h, void *b, size_t n, size_t *got))               \
	X(const char *, easy_strerror, (CURLcode c))                                    \
	X(char *, easy_escape, (CURL *h, const char *s, int n))                         \
	X(void, free, (void *p))                                                        \
	X(struct curl_slist *, slist_append, (struct curl_slist *l, const char *s))     \
	X(void, slist_free_all, (struct curl_slist *l))

static struct {
#define X(ret, name, args) ret(*name) args;
	CURL_LAZY_FUNCS(X)
#undef X
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;              /* 1 every symbol resolved */
static char load_error[256];

static void load(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4 (install libcurl4): %s",
			 dlerror());
		return;
	}
#define X(ret, name, args)                                                                  \
	*(void **)&lib.name = dlsym(h, "curl_" #name);                                        \
	if (!lib.name) {                                                                    \
		snprintf(load_error, sizeof load_error, "libcurl.so.4 lacks 'curl_%s'", #name); \
		return;                                                                     \
	}
	CURL_LAZY_FUNCS(X)
#undef X
	loaded = 1;
}

static int ready(void)
{
	pthread_once(&once, load);
	if (!loaded)
		fprintf(stderr, "opsplan: %s\n", load_error);
	return loaded;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? lib.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return ready() ? lib.easy_init() : NULL;
}

/* Handles only exist once the library is loaded, so the rest need no check
 * beyond the handle; NULL handles go to libcurl as they would have. */
void curl_easy_cleanup(CURL *h)
{
	if (loaded)
		lib.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	if (loaded)
		lib.easy_reset(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	return ready() ? lib.easy_perform(h) : CURLE_FAILED_INIT;
}

/* An option's number says the type of its one argument (curl.h CURLOPTTYPE_*),
 * which is how libcurl itself reads the variadic argument. */
CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	if (!ready())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, o);
	CURLcode rc;
	if (o < CURLOPTTYPE_OBJECTPOINT) {
		rc = lib.easy_setopt(h, o, va_arg(ap, long));
	} else if (o < CURLOPTTYPE_FUNCTIONPOINT) {
		rc = lib.easy_setopt(h, o, va_arg(ap, void *));
	} else if (o < CURLOPTTYPE_OFF_T) {
		rc = lib.easy_setopt(h, o, va_arg(ap, void (*)(void)));
	} else if (o < CURLOPTTYPE_BLOB) {
		rc = lib.easy_setopt(h, o, va_arg(ap, curl_off_t));
	} else {
		rc = lib.easy_setopt(h, o, va_arg(ap, void *));
	}
	va_end(ap);
	return rc;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
	if (!ready())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, i);
	void *out = va_arg(ap, void *);
	va_end(ap);
	return lib.easy_getinfo(h, i, out);
}

CURLcode curl_easy_send(CURL *h, const void *b, size_t n, size_t *sent)
{
	return ready() ? lib.easy_send(h, b, n, sent) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_recv(CURL *h, void *b, size_t n, size_t *got)
{
	return ready() ? lib.easy_recv(h, b, n, got) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode c)
{
	return ready() ? lib.easy_strerror(c) : load_error;
}

char *curl_easy_escape(CURL *h, const char *s, int n)
{
	return ready() ? lib.easy_escape(h, s, n) : NULL;
}

void curl_free(void *p)
{
	if (loaded)
		lib.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? lib.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (loaded)
		lib.slist_free_all(l);
}
