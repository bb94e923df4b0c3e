/* kube_config.c - find the cluster the way kubectl does.
 *
 * Order: --kubeconfig (that file only, must exist); else every file in
 * $KUBECONFIG (':'-separated; missing files skipped) merged so that the first
 * file to set a value wins -- a cluster, user or context name defined twice
 * keeps its first definition, and the first current-context wins; else
 * ~/.kube/config; else the in-cluster service account.  Relative paths in an
 * entry are relative to the file that defined it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "kube_int.h"
#include "mem.h"
#include "yaml_load.h"

#define KUBE_MAX_YAML_DEPTH YAML_LOAD_MAX_DEPTH   /* also through aliases */
#define DIR_KEY "\x01dir"        /* hidden key: the defining file's directory */

/* A loaded node as JSON, the way kubectl reads a kubeconfig: null and
 * booleans resolved, every other scalar a string.  Aliases share nodes, so
 * the tree can be deeper than the loader's nesting limit: bounded again here.
 * NULL with *bad set to the node that could not be converted. */
static json_t *node_to_json(const struct ynode *n, int depth, const struct ynode **bad)
{
	int b;
	if (depth > KUBE_MAX_YAML_DEPTH) {
		*bad = n;
		return NULL;
	}
	if (n->kind == YNODE_SCALAR) {
		if (ynode_is_null(n))
			return json_null();
		if (ynode_bool(n, &b) == 0)
			return json_boolean(b);
		json_t *v = json_stringn(n->str, n->len);
		if (!v)
			*bad = n;
		return v;
	}
	json_t *out = n->kind == YNODE_SEQ ? json_array() : json_object();
	for (size_t i = 0; i < n->nitems; i++) {
		json_t *v = node_to_json(n->items[i], depth + 1, bad);
		if (!v)
			goto fail;
		json_array_append_new(out, v);
	}
	for (size_t i = 0; i < n->npairs; i++) {
		const struct ynode *k = n->pairs[i].key;
		json_t *v = node_to_json(n->pairs[i].value, depth + 1, bad);
		if (!v)
			goto fail;
		if (json_object_setn_new(out, k->str, k->len, v) < 0) {
			*bad = k;
			goto fail;
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* err <- why doc did not load: the first error, located ('file':line:col:,
 * as the YAML loader places it) with its first hint. */
static int load_error(struct kube_err *err, const struct ydoc *doc, const struct diag_list *d)
{
	if (doc->sys_errno)
		return kube_fail(err, KUBE_ERR_CONFIG, "cannot read '%s': %s", doc->file,
				 strerror(doc->sys_errno));
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		if (g->sev != DIAG_ERROR)
			continue;
		const char *hint = g->nhints ? g->hints[0] : NULL;
		return kube_fail(err, KUBE_ERR_CONFIG, "'%s':%u:%u: %s%s%s%s", doc->file,
				 g->loc.line ? g->loc.line : 1, g->loc.col ? g->loc.col : 1, g->msg,
				 hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	}
	return kube_fail(err, KUBE_ERR_CONFIG, "'%s' is not valid YAML", doc->file);
}

/* Parse one kubeconfig file (YAML or JSON) into a JSON object, through the
 * plan loader's hardened reader: size, nesting and alias budgets, UTF-8,
 * located errors.  An empty file is an empty config, as in kubectl. */
static int parse_file(const char *path, json_t **out, struct kube_err *err)
{
	static const struct yaml_load_opts kubeconfig = {.what = "kubeconfig", .empty_ok = 1};
	struct diag_list d;
	const struct ynode *bad = NULL;
	json_t *j = NULL;
	int rc = -1;

	diag_init(&d);
	struct ydoc *doc = yaml_load_file_as(path, &kubeconfig, &d);
	if (!doc->root && diag_errors(&d)) {
		load_error(err, doc, &d);
		goto done;
	}
	if (!doc->root || ynode_is_null(doc->root)) {
		*out = json_object();
		rc = 0;
		goto done;
	}
	if (doc->root->kind != YNODE_MAP) {
		kube_fail(err, KUBE_ERR_CONFIG, "'%s':%u:%u: '%s' is not a kubeconfig (expected a mapping, "
			  "not a %s)", path, doc->root->loc.line, doc->root->loc.col, path,
			  ynode_kind_name(doc->root));
		goto done;
	}
	j = node_to_json(doc->root, 0, &bad);
	if (!j) {
		kube_fail(err, KUBE_ERR_CONFIG, "'%s':%u:%u: nesting deeper than %d levels (through aliases)",
			  path, bad->loc.line, bad->loc.col, KUBE_MAX_YAML_DEPTH);
		goto done;
	}
	*out = j;
	rc = 0;
done:
	yaml_load_free(doc);
	diag_release(&d);
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Merge the named list `key` (clusters/users/contexts) of file into merged:
 * names already present keep their first definition. */
static void merge_named(json_t *merged, const json_t *file, const char *key, const char *dir)
{
	json_t *dst = json_object_get(merged, key);
	json_t *src = json_object_get(file, key);
	size_t i;
	json_t *e;

	if (!json_is_array(src))
		return;
	json_array_foreach(src, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		json_t *body = json_object_get(e, key[0] == 'c' && key[1] == 'l' ? "cluster" :
					       key[0] == 'u' ? "user" : "context");
		if (!name || json_object_get(dst, name))
			continue;
		json_t *copy = json_is_object(body) ? json_deep_copy(body) : json_object();
		json_object_set_new(copy, DIR_KEY, json_string(dir));
		json_object_set_new(dst, name, copy);
	}
}

static int load_merged(json_t **out, const struct kube_config_opts *o, char **source,
		       struct kube_err *err)
{
	json_t *merged = json_object();
	struct strbuf src = {0};
	char *list = NULL, *home = NULL;
	int rc = -1, nfiles = 0;

	json_object_set_new(merged, "clusters", json_object());
	json_object_set_new(merged, "users", json_object());
	json_object_set_new(merged, "contexts", json_object());

	if (o->kubeconfig) {
		list = xstrdup(o->kubeconfig);
	} else if (getenv("KUBECONFIG") && *getenv("KUBECONFIG")) {
		list = xstrdup(getenv("KUBECONFIG"));
	} else if (getenv("HOME")) {
		home = xasprintf("%s/.kube/config", getenv("HOME"));
		struct stat st;
		if (stat(home, &st) == 0)
			list = xstrdup(home);
	}
	if (!list) {
		*out = NULL;        /* nothing found: caller tries in-cluster */
		rc = 0;
		goto done;
	}
	char *save = NULL;
	/* --kubeconfig is one path even if it contains ':' */
	for (char *p = o->kubeconfig ? list : strtok_r(list, ":", &save); p;
	     p = o->kubeconfig ? NULL : strtok_r(NULL, ":", &save)) {
		json_t *f = NULL;
		struct stat st;
		if (!o->kubeconfig && stat(p, &st) != 0)
			continue;   /* kubectl skips missing files in $KUBECONFIG */
		if (parse_file(p, &f, err) < 0)
			goto done;
		char *dir = dir_of(p);
		merge_named(merged, f, "clusters", dir);
		merge_named(merged, f, "users", dir);
		merge_named(merged, f, "contexts", dir);
		free(dir);
		const char *cur = json_string_value(json_object_get(f, "current-context"));
		if (cur && *cur && !json_object_get(merged, "current-context"))
			json_object_set_new(merged, "current-context", json_string(cur));
		json_decref(f);
		sb_printf(&src, "%s%s", nfiles++ ? ":" : "", p);
	}
	if (nfiles == 0) {
		*out = NULL;
		rc = 0;
		goto done;
	}
	*out = merged;
	merged = NULL;
	*source = sb_detach(&src);
	rc = 0;
done:
	json_decref(merged);
	sb_release(&src);
	free(list);
	free(home);
	return rc;
}

static char *str_or_null(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && *v ? xstrdup(v) : NULL;
}

static int is_true(const json_t *v)
{
	return json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), "true"));
}

/* A path from an entry, made absolute against the defining file's dir. */
static char *path_of(const json_t *entry, const char *key)
{
	const char *v = json_string_value(json_object_get(entry, key));
	const char *dir = json_string_value(json_object_get(entry, DIR_KEY));
	if (!v || !*v)
		return NULL;
	if (v[0] == '/' || !dir)
		return xstrdup(v);
	if (v[0] == '~' && v[1] == '/' && getenv("HOME"))
		return xasprintf("%s%s", getenv("HOME"), v + 1);
	return xasprintf("%s/%s", dir, v);
}

static int data_of(const json_t *entry, const char *key, struct kube_blob *out,
		   const char *what, struct kube_err *err)
{
	const char *v = json_string_value(json_object_get(entry, key));
	if (!v || !*v)
		return 0;
	if (kube_b64_decode(out, v) < 0)
		return kube_fail(err, KUBE_ERR_CONFIG, "%s '%s' is not valid base64", what, key);
	return 0;
}

static char **string_array(const json_t *a)
{
	size_t n = json_is_array(a) ? json_array_size(a) : 0, i;
	char **v = xcalloc(n + 1, sizeof *v);
	json_t *e;
	size_t k = 0;
	json_array_foreach(a, i, e)
		if (json_is_string(e))
			v[k++] = xstrdup(json_string_value(e));
	return v;
}

static int load_exec(struct kube_cfg *cfg, const json_t *user, const char *uname,
		     struct kube_err *err)
{
	const json_t *ex = json_object_get(user, "exec");
	const char *cmd = json_string_value(json_object_get(ex, "command"));
	const char *api = json_string_value(json_object_get(ex, "apiVersion"));
	if (!cmd || !*cmd)
		return kube_fail(err, KUBE_ERR_CONFIG, "user '%s': exec has no command", uname);
	if (!api || (strcmp(api, "client.authentication.k8s.io/v1") &&
		     strcmp(api, "client.authentication.k8s.io/v1beta1")))
		return kube_fail(err, KUBE_ERR_CONFIG,
				 "user '%s': exec apiVersion '%s' is not supported "
				 "(client.authentication.k8s.io/v1 or v1beta1)", uname, api ? api : "");
	struct kube_exec_plugin *p = xcalloc(1, sizeof *p);
	p->api_version = xstrdup(api);
	/* a command with a '/' is a path relative to the kubeconfig; a bare
	 * name is looked up in PATH */
	const char *dir = json_string_value(json_object_get(user, DIR_KEY));
	p->command = strchr(cmd, '/') && cmd[0] != '/' ? xasprintf("%s/%s", dir ? dir : ".", cmd)
						       : xstrdup(cmd);
	p->args = string_array(json_object_get(ex, "args"));
	const json_t *env = json_object_get(ex, "env");
	size_t n = json_is_array(env) ? json_array_size(env) : 0, i, k = 0;
	json_t *e;
	p->env = xcalloc(n + 1, sizeof *p->env);
	json_array_foreach(env, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *val = json_string_value(json_object_get(e, "value"));
		if (name && *name)
			p->env[k++] = xasprintf("%s=%s", name, val ? val : "");
	}
	cfg->exec = p;
	return 0;
}

static int resolve(struct kube_cfg *cfg, const json_t *m, const struct kube_config_opts *o,
		   struct kube_err *err)
{
	const char *ctxname = o->context ? o->context
		: json_string_value(json_object_get(m, "current-context"));
	if (!ctxname || !*ctxname)
		return kube_fail(err, KUBE_ERR_CONFIG,
				 "no context: '%s' has no current-context and --context was not given",
				 cfg->source);
	const json_t *ctx = json_object_get(json_object_get(m, "contexts"), ctxname);
	if (!ctx)
		return kube_fail(err, KUBE_ERR_CONFIG, "context '%s' not found in '%s'",
				 ctxname, cfg->source);
	const char *clname = json_string_value(json_object_get(ctx, "cluster"));
	const char *uname = json_string_value(json_object_get(ctx, "user"));
	const json_t *cl = clname ? json_object_get(json_object_get(m, "clusters"), clname) : NULL;
	if (!cl)
		return kube_fail(err, KUBE_ERR_CONFIG, "context '%s': cluster '%s' not found",
				 ctxname, clname ? clname : "");
	const json_t *user = uname ? json_object_get(json_object_get(m, "users"), uname) : NULL;
	if (uname && *uname && !user)
		return kube_fail(err, KUBE_ERR_CONFIG, "context '%s': user '%s' not found",
				 ctxname, uname);

	cfg->context = xstrdup(ctxname);
	cfg->user = xstrdup(uname ? uname : "");
	cfg->server = str_or_null(cl, "server");
	if (!cfg->server)
		return kube_fail(err, KUBE_ERR_CONFIG, "cluster '%s' has no server", clname);
	size_t sl = strlen(cfg->server);
	while (sl > 0 && cfg->server[sl - 1] == '/')
		cfg->server[--sl] = 0;
	if (json_object_get(cl, "proxy-url"))
		return kube_fail(err, KUBE_ERR_CONFIG, "cluster '%s': proxy-url is not supported; "
				 "set HTTPS_PROXY (and NO_PROXY) instead", clname);
	cfg->insecure = is_true(json_object_get(cl, "insecure-skip-tls-verify"));
	cfg->tls_server_name = str_or_null(cl, "tls-server-name");
	if (data_of(cl, "certificate-authority-data", &cfg->ca, "cluster", err) < 0)
		return -1;
	if (!cfg->ca.data)
		cfg->ca_file = path_of(cl, "certificate-authority");

	const char *ns = json_string_value(json_object_get(ctx, "namespace"));
	cfg->namespace_ = xstrdup(o->namespace_ && *o->namespace_ ? o->namespace_
				  : ns && *ns ? ns : "default");
	if (!user)
		return 0;
	cfg->token = str_or_null(user, "token");
	if (!cfg->token)
		cfg->token_file = path_of(user, "tokenFile");
	if (data_of(user, "client-certificate-data", &cfg->cert, "user", err) < 0 ||
	    data_of(user, "client-key-data", &cfg->key, "user", err) < 0)
		return -1;
	if (!cfg->cert.data)
		cfg->cert_file = path_of(user, "client-certificate");
	if (!cfg->key.data)
		cfg->key_file = path_of(user, "client-key");
	cfg->username = str_or_null(user, "username");
	cfg->password = str_or_null(user, "password");
	if (json_is_object(json_object_get(user, "exec")) && load_exec(cfg, user, uname, err) < 0)
		return -1;
	if (!!(cfg->cert.data || cfg->cert_file) != !!(cfg->key.data || cfg->key_file))
		return kube_fail(err, KUBE_ERR_CONFIG, "user '%s': a client certificate needs "
				 "both the certificate and the key", uname);
	if (json_object_get(user, "auth-provider"))
		return kube_fail(err, KUBE_ERR_CONFIG,
				 "user '%s': auth-provider is not supported; use an exec plugin", uname);
	return 0;
}

static int load_incluster(struct kube_cfg *cfg, const struct kube_config_opts *o,
			  struct kube_err *err)
{
	const char *root = o->incluster_root ? o->incluster_root : KUBE_INCLUSTER_ROOT;
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	char *ns = NULL;
	size_t nslen;
	struct stat st;

	if (!host || !*host || !port || !*port)
		return kube_fail(err, KUBE_ERR_CONFIG,
				 "no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config) "
				 "and not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)");
	cfg->server = strchr(host, ':') ? xasprintf("https://[%s]:%s", host, port)
					: xasprintf("https://%s:%s", host, port);
	cfg->context = xstrdup("");
	cfg->source = xstrdup(root);
	cfg->token_file = xasprintf("%s/token", root);
	if (stat(cfg->token_file, &st) != 0)
		return kube_fail(err, KUBE_ERR_CONFIG, "in-cluster: cannot read '%s': %s",
				 cfg->token_file, strerror(errno));
	cfg->ca_file = xasprintf("%s/ca.crt", root);
	if (stat(cfg->ca_file, &st) != 0)
		return kube_fail(err, KUBE_ERR_CONFIG, "in-cluster: cannot read '%s': %s",
				 cfg->ca_file, strerror(errno));
	char *nsfile = xasprintf("%s/namespace", root);
	if (fileio_read(&ns, &nslen, nsfile, 256) == 0)   /* unreadable: "default" */
		ns[strcspn(ns, " \t\r\n")] = 0;
	free(nsfile);
	cfg->namespace_ = xstrdup(o->namespace_ && *o->namespace_ ? o->namespace_
				  : ns && *ns ? ns : "default");
	free(ns);
	return 0;
}

/* Files named by the config must be readable now: curl would only say
 * "problem with the SSL CA cert" at the first request. */
int kube_cfg_check_files(const struct kube_cfg *cfg, struct kube_err *err)
{
	const char *const files[] = {cfg->ca_file, cfg->cert_file, cfg->key_file};
	const char *const what[] = {"certificate-authority", "client-certificate", "client-key"};
	for (size_t i = 0; i < 3; i++)
		if (files[i] && access(files[i], R_OK) != 0)
			return kube_fail(err, KUBE_ERR_CONFIG, "%s '%s': %s", what[i], files[i],
					 strerror(errno));
	return 0;
}

int kube_cfg_load(struct kube_cfg *cfg, const struct kube_config_opts *o, struct kube_err *err)
{
	static const struct kube_config_opts none;
	json_t *m = NULL;
	int rc = -1;

	memset(cfg, 0, sizeof *cfg);
	kube_err_clear(err);
	if (!o)
		o = &none;
	if (o->in_cluster) {
		rc = load_incluster(cfg, o, err);
		goto done;
	}
	if (load_merged(&m, o, &cfg->source, err) < 0)
		goto done;
	rc = m ? resolve(cfg, m, o, err) : load_incluster(cfg, o, err);
done:
	json_decref(m);
	if (rc < 0)
		kube_cfg_release(cfg);
	return rc;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void kube_cfg_release(struct kube_cfg *cfg)
{
	if (!cfg)
		return;
	free(cfg->server);
	free(cfg->context);
	free(cfg->namespace_);
	free(cfg->ca_file);
	free(cfg->ca.data);
	free(cfg->tls_server_name);
	free(cfg->token);
	free(cfg->token_file);
	free(cfg->cert_file);
	free(cfg->key_file);
	free(cfg->cert.data);
	free(cfg->key.data);
	free(cfg->username);
	free(cfg->password);
	free(cfg->source);
	free(cfg->user);
	if (cfg->exec) {
		free(cfg->exec->api_version);
		free(cfg->exec->command);
		free_strv(cfg->exec->args);
		free_strv(cfg->exec->env);
		free(cfg->exec);
	}
	memset(cfg, 0, sizeof *cfg);
}
