/* secrets.c - see secrets.h. */
#include "secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_load.h"
#include "kube.h"
#include "mem.h"
#include "redact.h"
#include "sensitive.h"

/* Each sensitive param object of the IR, in order. */
static const json_t *nth_sensitive(const struct ir_plan *plan, size_t *i)
{
	const json_t *ps = json_object_get(plan->doc, "params");
	for (; *i < json_array_size(ps); (*i)++) {
		const json_t *p = json_array_get(ps, *i);
		if (json_is_true(json_object_get(p, "sensitive"))) {
			(*i)++;
			return p;
		}
	}
	return NULL;
}

int secrets_is_sensitive(const struct ir_plan *plan, const char *name)
{
	size_t i = 0;
	for (const json_t *p = nth_sensitive(plan, &i); p; p = nth_sensitive(plan, &i))
		if (!strcmp(json_string_value(json_object_get(p, "name")), name))
			return 1;
	return 0;
}

/* Remember v as a secret (with its encodings) and put it at params.NAME. */
static void hold(struct ir_plan *plan, const char *name, const char *v)
{
	if (redact_add_sensitive(v) < 0 && *v)
		fprintf(stderr, "opsplan run: warning: the value of sensitive param '%s' is shorter than %d bytes: "
				"it cannot be scrubbed from free text (only from where the parameter is named)\n", name,
			REDACT_SENSITIVE_MIN);
	json_object_set_new(plan->params, name, json_string(v));
}

/* 1 when the text given (-p, a params file) is what the IR holds. */
static int same_value(const json_t *have, const json_t *given)
{
	const char *g = json_string_value(given);
	if (!have || !g)
		return 0;
	if (json_is_string(have))
		return !strcmp(json_string_value(have), g);
	char *t = json_dumps(have, JSON_COMPACT | JSON_ENCODE_ANY);
	int same = t && !strcmp(t, g);
	free(t);
	return same;
}

int secrets_bind(struct ir_plan *plan, const json_t *given, char *err, size_t errn)
{
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)given, name, v) {
		/* the same --params-file may be given again: a value the plan
		 * already has is no change */
		if (!secrets_is_sensitive(plan, name) && !same_value(json_object_get(plan->params, name), v)) {
			snprintf(err, errn, "-p %s: the compiled plan fixes every parameter that is not sensitive; '%s' "
				 "is not a sensitive parameter of it and the value differs", name, name);
			return -1;
		}
	}
	size_t i = 0;
	for (const json_t *p = nth_sensitive(plan, &i); p; p = nth_sensitive(plan, &i)) {
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *digest = json_string_value(json_object_get(p, "digest"));
		const json_t *sec = json_object_get(p, "secret");
		const char *val = json_string_value(json_object_get(given, n));
		if (sec) {
			if (val) {
				snprintf(err, errn, "-p %s: the parameter is read from Secret '%s'; it takes no -p", n,
					 json_string_value(json_object_get(sec, "name")));
				return -1;
			}
			continue;
		}
		if (!val && digest) {
			snprintf(err, errn, "sensitive param '%s' is kept nowhere: give it again with -p %s=@FILE "
				 "(or --params-file); it must be the value the run started with", n, n);
			return -1;
		}
		if (!val)
			continue;
		if (digest && sensitive_verify(digest, val) != 1) {
			snprintf(err, errn, "-p %s: not the value the run was compiled with (its digest differs); "
				 "nothing was sent", n);
			return -1;
		}
		hold(plan, n, val);
	}
	return 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int secrets_base64_decode(const char *s, char **out, size_t *outlen)
{
	size_t n = strlen(s);
	char *o = xmalloc(n / 4 * 3 + 4);
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		if (s[i] == '\n' || s[i] == '\r')
			continue;
		int v = b64val((unsigned char)s[i]);
		if (v < 0) {
			free(o);
			return -1;
		}
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (char)(acc >> bits & 0xff);
		}
	}
	o[k] = 0;
	*out = o;
	*outlen = k;
	return 0;
}

int secrets_fetch(struct ir_plan *plan, struct kube_client *kc, const char *ns, char *err, size_t errn,
		  int *cluster_down)
{
	*cluster_down = 0;
	size_t i = 0;
	for (const json_t *p = nth_sensitive(plan, &i); p; p = nth_sensitive(plan, &i)) {
		const json_t *sec = json_object_get(p, "secret");
		if (!sec)
			continue;
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *sname = json_string_value(json_object_get(sec, "name"));
		const char *key = json_string_value(json_object_get(sec, "key"));
		const char *sns = json_string_value(json_object_get(sec, "namespace"));
		char *path = kube_kind_path(kc, "Secret", sns ? sns : ns, sname, NULL);
		json_t *obj = NULL;
		struct kube_err e;
		int have = path != NULL;
		int rc = have ? kube_get(kc, path, &obj, &e) : -1;
		free(path);
		if (rc < 0) {
			*cluster_down = have && (e.cls == KUBE_ERR_NETWORK || e.cls == KUBE_ERR_TIMEOUT);
			snprintf(err, errn, "params.%s: cannot read Secret \"%s\" in namespace \"%s\": %s", n, sname,
				 sns ? sns : ns, have ? e.msg : "no path");
			return -1;
		}
		const json_t *data = json_object_get(obj, "data");
		const char *b64 = json_string_value(json_object_get(data, key));
		const char *plain = json_string_value(json_object_get(json_object_get(obj, "stringData"), key));
		char *val = NULL;
		size_t len = 0;
		if (b64) {
			/* the encoded form is a secret too (a k8s.get of the Secret echoes it) */
			redact_add_secret(b64);
			if (secrets_base64_decode(b64, &val, &len) < 0 || strlen(val) != len) {
				free(val);
				val = NULL;
			}
		} else if (plain) {
			val = xstrdup(plain);
		}
		json_decref(obj);
		if (!val) {
			snprintf(err, errn, "params.%s: Secret \"%s\" has no key \"%s\" holding text", n, sname, key);
			return -1;
		}
		hold(plan, n, val);
		memset(val, 0, strlen(val));
		free(val);
	}
	return 0;
}

json_t *secrets_public_params(const struct ir_plan *plan)
{
	json_t *out = json_deep_copy(plan->params);
	size_t i = 0;
	for (const json_t *p = nth_sensitive(plan, &i); p; p = nth_sensitive(plan, &i)) {
		const char *n = json_string_value(json_object_get(p, "name"));
		if (json_object_get(out, n))
			json_object_set_new(out, n, json_is_null(json_object_get(plan->params, n)) ? json_null()
						 : json_string(SECRETS_MARKER));
	}
	return out;
}
