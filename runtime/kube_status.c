/* kube_status.c - API replies and failures turned into struct kube_err.
 *
 * The API server explains a failure in a Status object; its message is
 * already what kubectl prints ("pods \"db-0\" not found"), so it is kept and
 * only prefixed where the bare message misleads ("conflict: ...").  Every
 * message goes through redact_into: a reply may echo a header back. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kube_int.h"
#include "mem.h"
#include "redact.h"

static const char *const class_names[] = {
#define X(e, name) name,
	KUBE_ERR_LIST(X)
#undef X
};

const char *kube_err_class_name(enum kube_err_class c)
{
	if ((unsigned)c >= sizeof class_names / sizeof *class_names)
		return "unknown";
	return class_names[c];
}

void kube_err_clear(struct kube_err *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

int kube_fail(struct kube_err *err, enum kube_err_class cls, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	err->cls = cls;
	redact_into(err->msg, sizeof err->msg, m);
	free(m);
	return -1;
}

enum kube_err_class kube_status_class(long code, const char *reason)
{
	if (reason && !strcmp(reason, "Expired"))
		return KUBE_ERR_GONE;
	if (reason && !strcmp(reason, "Timeout"))
		return KUBE_ERR_TIMEOUT;
	switch (code) {
	case 401: return KUBE_ERR_AUTH;
	case 403: return KUBE_ERR_FORBIDDEN;
	case 404: return KUBE_ERR_NOTFOUND;
	case 409: return KUBE_ERR_CONFLICT;
	case 410: return KUBE_ERR_GONE;
	case 429: return KUBE_ERR_THROTTLED;
	case 504: return KUBE_ERR_TIMEOUT;
	default:
		if (code >= 500)
			return KUBE_ERR_SERVER;
		if (code >= 400)
			return KUBE_ERR_INVALID;
		return KUBE_ERR_PROTOCOL;
	}
}

/* Human text for a status without a message. */
static const char *default_text(long code)
{
	switch (code) {
	case 400: return "bad request";
	case 401: return "unauthorized: the server rejected the credentials";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 409: return "conflict";
	case 410: return "gone: the resourceVersion is too old";
	case 413: return "request entity too large";
	case 415: return "unsupported media type";
	case 422: return "invalid";
	case 429: return "too many requests: the server is throttling";
	case 500: return "internal server error";
	case 502: return "bad gateway";
	case 503: return "service unavailable";
	case 504: return "gateway timeout";
	default:  return "unexpected reply";
	}
}

void kube_status_from_json(struct kube_err *err, long http_code, const json_t *st)
{
	const char *reason = json_string_value(json_object_get(st, "reason"));
	const char *msg = json_string_value(json_object_get(st, "message"));
	json_int_t code = json_integer_value(json_object_get(st, "code"));
	char *m;

	if (!err)
		return;
	if (code > 0)
		http_code = (long)code;
	err->http_code = http_code;
	snprintf(err->reason, sizeof err->reason, "%s", reason ? reason : "");
	err->cls = kube_status_class(http_code, reason);
	if (!msg || !*msg)
		m = xasprintf("%s (HTTP %ld%s%s)", default_text(http_code), http_code,
			      reason ? " " : "", reason ? reason : "");
	else if (err->cls == KUBE_ERR_CONFLICT && reason && !strcmp(reason, "Conflict"))
		/* "Operation cannot be fulfilled on ...: the object has been modified"
		 * reads as a generic failure; say what it is first */
		m = xasprintf("conflict: %s", msg);
	else if (err->cls == KUBE_ERR_AUTH && !strstr(msg, "nauthorized"))
		m = xasprintf("unauthorized: %s", msg);
	else
		m = xstrdup(msg);
	redact_into(err->msg, sizeof err->msg, m);
	free(m);
}

void kube_status_to_err(struct kube_err *err, long http_code, const char *body, size_t len)
{
	json_t *j = NULL;
	if (!err)
		return;
	if (body && len)
		j = json_loadb(body, len, 0, NULL);
	const char *kind = json_string_value(json_object_get(j, "kind"));
	if (kind && !strcmp(kind, "Status")) {
		kube_status_from_json(err, http_code, j);
	} else {
		/* not a Status (a proxy, a load balancer): code and first line */
		char line[160] = "";
		if (body && len) {
			size_t n = strcspn(body, "\r\n");
			if (n > len)
				n = len;
			if (n >= sizeof line)
				n = sizeof line - 1;
			memcpy(line, body, n);
			line[n] = 0;
		}
		char *m = xasprintf("%s (HTTP %ld)%s%s", default_text(http_code), http_code,
				    *line ? ": " : "", line);
		err->http_code = http_code;
		err->reason[0] = 0;
		err->cls = kube_status_class(http_code, NULL);
		redact_into(err->msg, sizeof err->msg, m);
		free(m);
	}
	json_decref(j);
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *kube_b64_encode(const unsigned char *p, size_t n)
{
	char *o = xmalloc(4 * ((n + 2) / 3) + 1), *q = o;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n) v |= p[i + 2];
		*q++ = b64chars[(v >> 18) & 63];
		*q++ = b64chars[(v >> 12) & 63];
		*q++ = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		*q++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*q = 0;
	return o;
}

int kube_b64_decode(struct kube_blob *out, const char *s)
{
	size_t n = strlen(s);
	unsigned char *o = xmalloc(n / 4 * 3 + 4);
	size_t len = 0;
	unsigned v = 0;
	int bits = 0;

	for (; *s; s++) {
		const char *p;
		if (*s == '=' || *s == '\n' || *s == '\r' || *s == ' ')
			continue;
		p = strchr(b64chars, *s);
		if (!p || !*p) {
			free(o);
			return -1;
		}
		v = (v << 6) | (unsigned)(p - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[len++] = (unsigned char)(v >> bits);
		}
	}
	o[len] = 0;          /* PEM users read it as a string */
	out->data = o;
	out->len = len;
	return 0;
}

/* The RBAC verb, resource and namespace an API path asks for:
 * "/apis/apps/v1/namespaces/db/statefulsets/x/scale" with PATCH ->
 * patch, "statefulsets/scale", group "apps", namespace "db". */
struct rbac_want {
	const char *verb;
	char resource[128], group[96], ns[96];
};

static void path_permission(const char *method, const char *path, struct rbac_want *w)
{
	char buf[512], *seg[12], *save = NULL;
	size_t n = 0, i = 0;

	memset(w, 0, sizeof *w);
	snprintf(buf, sizeof buf, "%s", path);
	buf[strcspn(buf, "?")] = 0;
	int watch = strstr(path, "watch=1") || strstr(path, "watch=true");
	for (char *t = strtok_r(buf, "/", &save); t && n < 12; t = strtok_r(NULL, "/", &save))
		seg[n++] = t;
	if (n >= 2 && !strcmp(seg[0], "api"))
		i = 2;                               /* api/v1 */
	else if (n >= 3 && !strcmp(seg[0], "apis")) {
		snprintf(w->group, sizeof w->group, "%s", seg[1]);
		i = 3;                               /* apis/GROUP/VERSION */
	}
	if (i + 2 < n && !strcmp(seg[i], "namespaces")) {
		snprintf(w->ns, sizeof w->ns, "%s", seg[i + 1]);
		i += 2;
	}
	const char *res = i < n ? seg[i] : "", *name = i + 1 < n ? seg[i + 1] : NULL;
	const char *sub = i + 2 < n ? seg[i + 2] : NULL;
	if (!strcmp(res, "namespaces") && !*w->ns && name && sub) {   /* namespaces/x/status */
		snprintf(w->ns, sizeof w->ns, "%s", name);
	} else if (!strcmp(res, "namespaces") && name && !sub && !*w->ns) {
		snprintf(w->ns, sizeof w->ns, "%s", name);
	}
	if (sub)
		snprintf(w->resource, sizeof w->resource, "%s/%s", res, sub);
	else
		snprintf(w->resource, sizeof w->resource, "%s", res);
	if (sub && (!strcmp(sub, "exec") || !strcmp(sub, "attach") || !strcmp(sub, "portforward")))
		w->verb = "create";
	else if (!strcmp(method, "WATCH"))
		w->verb = "watch";
	else if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		w->verb = watch ? "watch" : name ? "get" : "list";
	else if (!strcmp(method, "POST"))
		w->verb = "create";
	else if (!strcmp(method, "PUT"))
		w->verb = "update";
	else if (!strcmp(method, "PATCH"))
		w->verb = "patch";
	else if (!strcmp(method, "DELETE"))
		w->verb = name ? "delete" : "deletecollection";
	else
		w->verb = method;
}

/* "user 'u' in context 't'", or the in-cluster service account. */
static char *who(const struct kube_client *c)
{
	const struct kube_cfg *g = &c->cfg;
	if (!g->context || !*g->context)
		return xasprintf("the service account of this pod ('%s')", g->source ? g->source : "");
	if (!g->user || !*g->user)
		return xasprintf("context '%s' (which names no user)", g->context);
	return xasprintf("user '%s' in context '%s'", g->user, g->context);
}

/* Which credential was sent, in words. */
static char *cred_kind(const struct kube_client *c)
{
	const struct kube_cfg *g = &c->cfg;
	if (g->exec)
		return xasprintf("token from exec plugin '%s'", g->exec->command);
	if (g->token)
		return xstrdup("token");
	if (g->token_file)
		return xasprintf("token file '%s'", g->token_file);
	if (g->cert.data || g->cert_file)
		return xstrdup("client certificate");
	if (g->username)
		return xstrdup("username and password");
	return xstrdup("none");
}

void kube_http_explain_denied(struct kube_client *c, const char *method, const char *path,
			      struct kube_err *err)
{
	char *w = NULL, *k = NULL, *m = NULL;
	if (!err || (err->http_code != 401 && err->http_code != 403))
		return;
	w = who(c);
	k = cred_kind(c);
	/* the API server's bare "Unauthorized" says nothing more */
	int plain = !strcasecmp(err->msg, "unauthorized") ||
		    !strncmp(err->msg, "unauthorized: the server rejected", 33);
	if (err->http_code == 401) {
		if (!strcmp(k, "none"))
			m = xasprintf("%s has no credential and %s wants one (401 Unauthorized)",
				      w, c->cfg.server);
		else
			m = xasprintf("the credential of %s (%s) was rejected by %s (401 Unauthorized%s%s)",
				      w, k, c->cfg.server, plain ? "" : ": ", plain ? "" : err->msg);
	} else if (!strstr(err->msg, " cannot ")) {
		/* a Kubernetes 403 says 'User "x" cannot get resource ...'; any
		 * other (a proxy, an empty Status) gets the permission spelled out */
		struct rbac_want r;
		path_permission(method, path, &r);
		m = xasprintf("forbidden: %s may not %s %s%s%s%s%s%s on %s (%s)", w, r.verb, r.resource,
			      *r.group ? " in API group \"" : "", r.group, *r.group ? "\"" : "",
			      *r.ns ? " in namespace " : "", *r.ns ? r.ns : "", c->cfg.server, err->msg);
	}
	if (m)      /* else kubectl's own wording, which names the permission */
		redact_into(err->msg, sizeof err->msg, m);
	free(m);
	free(k);
	free(w);
}
