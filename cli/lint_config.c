/* lint_config.c - see lint_config.h.  The configuration is small and read
 * once per tree (or once per directory that has its own), never per file. */
#include "lint_config.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "yaml_load.h"

enum { SEV_KEEP = -1, SEV_OFF = -2 };

struct path_silence {
	const char *glob;
	enum diag_code *codes;
	size_t ncodes;
};

struct lint_config {
	struct ydoc *doc;            /* owns every string below */
	const char **exclude;
	size_t nexclude;
	int sev[DIAG_CODE_COUNT];    /* SEV_KEEP, SEV_OFF or an enum diag_severity */
	struct path_silence *silence;
	size_t nsilence;
};

void lint_config_free(struct lint_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsilence; i++)
		free(c->silence[i].codes);
	free(c->silence);
	free(c->exclude);
	yaml_load_free(c->doc);
	free(c);
}

static int is_str(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR && !ynode_is_null(n);
}

static void bad_type(struct diag_list *d, const struct ynode *n, const char *key, const char *want)
{
	diag_add(d, OP021, &n->loc, "expected %s for '%s' in '%s', got %s", want, key, LINT_CONFIG_NAME,
		 ynode_kind_name(n));
}

static void read_exclude(struct lint_config *c, const struct ynode *v, struct diag_list *d)
{
	if (v->kind != YNODE_SEQ) {
		bad_type(d, v, "exclude", "a list of globs");
		return;
	}
	c->exclude = xcalloc(v->nitems + 1, sizeof *c->exclude);
	for (size_t i = 0; i < v->nitems; i++) {
		if (is_str(v->items[i]))
			c->exclude[c->nexclude++] = v->items[i]->str;
		else
			bad_type(d, v->items[i], "exclude", "a glob (a string)");
	}
}

/* A code named in the config: known, and a warning (errors stay errors). */
static int config_code(const struct ynode *k, enum diag_code *out, struct diag_list *d)
{
	if (!is_str(k) || diag_code_lookup(k->str, out) < 0) {
		diag_add(d, OP035, &k->loc, "unknown diagnostic code '%s' in '%s'", k->str ? k->str : "",
			 LINT_CONFIG_NAME);
		return -1;
	}
	if (diag_code_severity(*out) == DIAG_ERROR) {
		struct diag *g = diag_add(d, OP035, &k->loc, "'%s' is an error: its severity cannot be changed",
					  k->str);
		diag_hint(g, "only warnings can be raised, turned off or silenced");
		return -1;
	}
	return 0;
}

static void read_severity(struct lint_config *c, const struct ynode *v, struct diag_list *d)
{
	if (v->kind != YNODE_MAP) {
		bad_type(d, v, "severity", "a mapping of code to error, warning or off");
		return;
	}
	for (size_t i = 0; i < v->npairs; i++) {
		enum diag_code code;
		const struct ynode *s = v->pairs[i].value;
		if (config_code(v->pairs[i].key, &code, d) < 0)
			continue;
		if (is_str(s) && !strcmp(s->str, "error"))
			c->sev[code] = DIAG_ERROR;
		else if (is_str(s) && !strcmp(s->str, "warning"))
			c->sev[code] = DIAG_WARNING;
		else if (is_str(s) && !strcmp(s->str, "off"))
			c->sev[code] = SEV_OFF;
		else
			diag_add(d, OP034, &s->loc, "severity of '%s' must be error, warning or off",
				 v->pairs[i].key->str);
	}
}

static void read_silence_item(struct lint_config *c, const struct ynode *m, struct diag_list *d)
{
	static const char *const keys[] = {"path", "codes", "reason"};
	if (m->kind != YNODE_MAP) {
		bad_type(d, m, "silence", "a mapping {path, codes, reason}");
		return;
	}
	for (size_t i = 0; i < m->npairs; i++) {
		const struct ynode *k = m->pairs[i].key;
		if (strcmp(k->str, "path") && strcmp(k->str, "codes") && strcmp(k->str, "reason")) {
			struct diag *g = diag_add(d, OP020, &k->loc, "unknown key '%s' in a silence of '%s'",
						  k->str, LINT_CONFIG_NAME);
			const char *s = diag_suggest(k->str, keys, 3);
			if (s)
				diag_hint(g, "did you mean '%s'", s);
		}
	}
	const struct ynode *path = ynode_get(m, "path"), *codes = ynode_get(m, "codes"),
			   *reason = ynode_get(m, "reason");
	if (!is_str(path) || !codes || codes->kind != YNODE_SEQ || !is_str(reason) || !*reason->str) {
		struct diag *g = diag_add(d, OP035, &m->loc, "a silence in '%s' needs 'path', 'codes' and a 'reason'",
					  LINT_CONFIG_NAME);
		diag_hint(g, "- {path: \"legacy/*\", codes: [OP100], reason: \"why it is safe\"}");
		return;
	}
	struct path_silence s = {path->str, xcalloc(codes->nitems + 1, sizeof *s.codes), 0};
	for (size_t i = 0; i < codes->nitems; i++)
		if (config_code(codes->items[i], &s.codes[s.ncodes], d) == 0)
			s.ncodes++;
	c->silence[c->nsilence++] = s;
}

static int read_config(struct lint_config *c, struct diag_list *d)
{
	static const char *const keys[] = {"exclude", "severity", "silence"};
	const struct ynode *root = c->doc->root;
	if (!root || ynode_is_null(root))
		return 0;   /* an empty file configures nothing */
	if (root->kind != YNODE_MAP) {
		bad_type(d, root, "the file", "a mapping");
		return 0;
	}
	for (size_t i = 0; i < root->npairs; i++) {
		const struct ynode *k = root->pairs[i].key, *v = root->pairs[i].value;
		if (!strcmp(k->str, "exclude")) {
			read_exclude(c, v, d);
		} else if (!strcmp(k->str, "severity")) {
			read_severity(c, v, d);
		} else if (!strcmp(k->str, "silence")) {
			if (v->kind != YNODE_SEQ) {
				bad_type(d, v, "silence", "a list");
				continue;
			}
			c->silence = xcalloc(v->nitems + 1, sizeof *c->silence);
			for (size_t j = 0; j < v->nitems; j++)
				read_silence_item(c, v->items[j], d);
		} else {
			struct diag *g = diag_add(d, OP020, &k->loc, "unknown key '%s' in '%s'", k->str,
						  LINT_CONFIG_NAME);
			const char *s = diag_suggest(k->str, keys, 3);
			if (s)
				diag_hint(g, "did you mean '%s'", s);
		}
	}
	return 0;
}

int lint_config_load(struct lint_config **out, const char *dir)
{
	static const struct yaml_load_opts opts = {"lint configuration", 1};
	char *path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", LINT_CONFIG_NAME);
	struct diag_list d;
	diag_init(&d);
	struct lint_config *c = xcalloc(1, sizeof *c);
	for (size_t i = 0; i < DIAG_CODE_COUNT; i++)
		c->sev[i] = SEV_KEEP;
	c->doc = yaml_load_file_as(path, &opts, &d);
	if (c->doc->root || !d.n)
		read_config(c, &d);
	int rc = d.n ? -1 : 0;
	if (rc < 0) {
		diag_sort(&d);
		diag_print(&d, DIAG_TEXT, 0, stderr);
		fprintf(stderr, "opsplan lint: '%s' is not a valid lint configuration\n", path);
	}
	diag_release(&d);   /* before the ydoc its snippets point into */
	free(path);
	if (rc < 0) {
		lint_config_free(c);
		c = NULL;
	}
	*out = c;
	return rc;
}

int lint_config_find(struct lint_config **out, char **rel, const char *dir)
{
	*out = NULL;
	*rel = xstrdup("");
	char *abs = realpath(dir, NULL);
	if (!abs)
		return 0;   /* the caller reports the path itself */
	int rc = 0;
	size_t n = strlen(abs);
	for (;;) {
		char *cand = xasprintf("%.*s/%s", (int)n, abs, LINT_CONFIG_NAME);
		int found = access(cand, F_OK) == 0;
		free(cand);
		if (found) {
			char *dir_found = xasprintf("%.*s", n ? (int)n : 1, n ? abs : "/");
			rc = lint_config_load(out, dir_found);
			free(dir_found);
			free(*rel);
			/* what follows abs[0..n) is dir's path below the config */
			*rel = abs[n] ? xasprintf("%s/", abs + n + 1) : xstrdup("");
			break;
		}
		if (!n)
			break;
		while (n && abs[n - 1] != '/')
			n--;
		if (n)
			n--;   /* the '/' itself: abs[0..n) is the parent */
	}
	free(abs);
	return rc;
}

int lint_glob_excludes(const char *glob, const char *path)
{
	while (glob[0] == '.' && glob[1] == '/')
		glob += 2;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	size_t gl = strlen(glob);
	int dir_only = gl && glob[gl - 1] == '/';
	char g[PATH_MAX];
	if (gl >= sizeof g)
		return 0;
	memcpy(g, glob, gl + 1);
	if (dir_only)
		g[--gl] = '\0';
	if (!strchr(g, '/')) {
		/* any component: a file name, or a directory on the way */
		for (const char *s = path; *s;) {
			const char *e = strchr(s, '/');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			char comp[NAME_MAX + 1];
			if (len <= NAME_MAX) {
				memcpy(comp, s, len);
				comp[len] = '\0';
				if ((e || !dir_only) && fnmatch(g, comp, 0) == 0)
					return 1;
			}
			s = e ? e + 1 : s + len;
		}
		return 0;
	}
	/* the whole path, or a leading directory of it */
	char p[PATH_MAX];
	size_t pl = strlen(path);
	if (pl >= sizeof p)
		return 0;
	memcpy(p, path, pl + 1);
	if (!dir_only && fnmatch(g, p, 0) == 0)
		return 1;
	for (size_t i = pl; i > 0; i--) {
		if (p[i - 1] != '/' || i == 1)
			continue;
		p[i - 1] = '\0';
		if (fnmatch(g, p, 0) == 0)
			return 1;
	}
	return 0;
}

int lint_config_excludes(const struct lint_config *c, const char *rel)
{
	for (size_t i = 0; c && i < c->nexclude; i++)
		if (lint_glob_excludes(c->exclude[i], rel))
			return 1;
	return 0;
}

static int silenced(const struct lint_config *c, const char *rel, enum diag_code code)
{
	for (size_t i = 0; i < c->nsilence; i++) {
		const struct path_silence *s = &c->silence[i];
		if (!lint_glob_excludes(s->glob, rel))
			continue;
		for (size_t k = 0; k < s->ncodes; k++)
			if (s->codes[k] == code)
				return 1;
	}
	return 0;
}

static void free_diag(struct diag *g)
{
	free(g->msg);
	for (size_t h = 0; h < g->nhints; h++)
		free(g->hints[h]);
	free(g->hints);
	free((char *)g->loc.file);
}

void lint_config_apply(const struct lint_config *c, const char *rel, struct diag_list *d)
{
	if (!c)
		return;
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct diag *g = &d->items[i];
		int sev = g->code < DIAG_CODE_COUNT ? c->sev[g->code] : SEV_KEEP;
		if (g->sev != DIAG_ERROR && (sev == SEV_OFF || silenced(c, rel, g->code))) {
			free_diag(g);
			continue;
		}
		if (g->sev != DIAG_ERROR && sev >= 0)
			g->sev = (enum diag_severity)sev;
		d->items[k++] = *g;
	}
	d->n = k;
}
