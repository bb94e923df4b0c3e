/* cli_params.c - see cli_params.h. */
#include "cli_params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "mem.h"
#include "yaml_load.h"

#define PARAM_FILE_MAX (1u << 20)   /* a value read from a file: 1 MiB at most */

static char *own(struct cli_params *p, char *s)
{
	p->owned = xrealloc(p->owned, (p->nowned + 1) * sizeof *p->owned);
	p->owned[p->nowned++] = s;
	return s;
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

/* The content of path, one trailing newline (\n or \r\n) dropped; NULL
 * after printing why.  Never prints the content. */
static char *read_value(const char *path, const char *name, const char *cmd)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "opsplan %s: -p %s=@%s: cannot read the file: %s\n", cmd, name, path, strerror(errno));
		return NULL;
	}
	struct strbuf b = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0 && b.len <= PARAM_FILE_MAX)
		sb_add(&b, buf, n);
	int bad = ferror(f);
	fclose(f);
	memset(buf, 0, sizeof buf);
	if (bad || b.len > PARAM_FILE_MAX) {
		fprintf(stderr, "opsplan %s: -p %s=@%s: %s\n", cmd, name, path,
			bad ? "cannot read the file" : "the file is larger than 1 MiB");
		if (b.s)
			memset(b.s, 0, b.len);
		sb_release(&b);
		return NULL;
	}
	sb_puts(&b, "");
	if (b.len && b.s[b.len - 1] == '\n')
		b.s[--b.len] = 0;
	if (b.len && b.s[b.len - 1] == '\r')
		b.s[--b.len] = 0;
	if (strlen(b.s) != b.len) {
		fprintf(stderr, "opsplan %s: -p %s=@%s: the file holds a NUL byte\n", cmd, name, path);
		memset(b.s, 0, b.len);
		sb_release(&b);
		return NULL;
	}
	return sb_detach(&b);
}

int cli_params_add(struct cli_params *p, const char *arg, const char *cmd)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(stderr, "opsplan %s: -p '%.*s': expected NAME=VALUE\n", cmd, eq ? 0 : 64, arg);
		return -1;
	}
	char *name = xstrndup(arg, (size_t)(eq - arg));
	const char *v = eq + 1;
	char *s;
	if (v[0] == '@' && v[1] == '@') {
		s = xasprintf("%s=%s", name, v + 1);
	} else if (v[0] == '@') {
		char *val = read_value(v + 1, name, cmd);
		if (!val) {
			free(name);
			return -1;
		}
		s = xasprintf("%s=%s", name, val);
		memset(val, 0, strlen(val));
		free(val);
	} else {
		s = xstrdup(arg);
	}
	free(name);
	push(&p->cli, &p->ncli, own(p, s));
	return 0;
}

/* A value of a params file as the text -p would give: scalars as written,
 * lists as JSON (a list param reads "[...]"). */
static char *text_of(const struct ynode *v)
{
	if (v->kind == YNODE_SCALAR)
		return xstrndup(v->str, v->len);
	if (v->kind == YNODE_SEQ) {
		json_t *j = ir_json_of_ynode(v);
		char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(j);
		return t;
	}
	return NULL;
}

int cli_params_file(struct cli_params *p, const char *path, const char *cmd)
{
	struct diag_list d;
	diag_init(&d);
	static const struct yaml_load_opts o = {"parameters file", 1};
	struct ydoc *doc = yaml_load_file_as(path, &o, &d);
	int rc = -1;
	if (!doc->root) {
		/* location and message only: a source line could hold a secret */
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "opsplan %s: --params-file %s:%u:%u: %s\n", cmd, path, (unsigned)d.items[i].loc.line,
				(unsigned)d.items[i].loc.col, d.items[i].msg);
		if (!d.n)
			fprintf(stderr, "opsplan %s: --params-file '%s' is empty\n", cmd, path);
		goto done;
	}
	if (doc->root->kind != YNODE_MAP) {
		if (ynode_is_null(doc->root)) {
			rc = 0;
			goto done;
		}
		fprintf(stderr, "opsplan %s: --params-file '%s': expected a mapping of parameter names to values\n", cmd,
			path);
		goto done;
	}
	for (size_t i = 0; i < doc->root->npairs; i++) {
		const struct ynode *k = doc->root->pairs[i].key, *v = doc->root->pairs[i].value;
		char *t = text_of(v);
		if (!t) {
			fprintf(stderr, "opsplan %s: --params-file %s:%u:%u: '%s' must be a scalar or a list\n", cmd, path,
				(unsigned)v->loc.line, (unsigned)v->loc.col, k->str);
			goto done;
		}
		push(&p->files, &p->nfiles, own(p, xasprintf("%s=%s", k->str, t)));
		memset(t, 0, strlen(t));
		free(t);
	}
	rc = 0;
done:
	diag_release(&d);
	if (doc->text)
		memset(doc->text, 0, strlen(doc->text));
	yaml_load_free(doc);
	return rc;
}

void cli_params_finish(struct cli_params *p)
{
	free(p->list);
	p->n = 0;
	p->list = xcalloc(p->nfiles + p->ncli + 1, sizeof *p->list);
	for (size_t i = 0; i < p->nfiles; i++)
		p->list[p->n++] = p->files[i];
	for (size_t i = 0; i < p->ncli; i++)
		p->list[p->n++] = p->cli[i];
}

void cli_params_release(struct cli_params *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nowned; i++) {
		memset(p->owned[i], 0, strlen(p->owned[i]));
		free(p->owned[i]);
	}
	free(p->owned);
	free(p->cli);
	free(p->files);
	free(p->list);
	memset(p, 0, sizeof *p);
}
