/* test_expr_check.c - static typing of expressions: the errors a plan author
 * sees (code, line:col, message, hint) and the types the compiler relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "catalog.h"
#include "diag.h"
#include "expr.h"
#include "mem.h"

static const struct loc BASE = {.file = "plan.yaml", .line = 7, .col = 13};

/* A miniature of what the compiler builds: patroni.cluster's result, two
 * steps (one that may be skipped), params, run and a loop variable. */
static const struct type_field member_f[] = {
	{"name", &type_string, NULL}, {"state", &type_string, NULL}, {"role", &type_string, NULL},
	{"lag", &type_number, NULL}, {"lag_mb", &type_number, NULL}, {"timeline", &type_number, NULL},
};
static const struct type member_t = {.kind = TYPE_OBJECT, .fields = member_f, .nfields = 6, .name = "member"};
static const struct type members_t = {.kind = TYPE_LIST, .elem = &member_t};
static const struct type_field cluster_f[] = {
	{"members", &members_t, NULL}, {"pause", &type_bool, NULL}, {"scope", &type_string, NULL},
};
static const struct type cluster_t = {.kind = TYPE_OBJECT, .fields = cluster_f, .nfields = 3,
				      .name = "patroni.cluster"};
static const struct type_field step_f[] = {{"ok", &type_bool, NULL}, {"result", &cluster_t, NULL}};
/* the same shape under a plain type name, as catalog.c names its types */
static const struct type cluster2_t = {.kind = TYPE_OBJECT, .fields = cluster_f, .nfields = 3, .name = "cluster"};
static const struct type_field plain_f[] = {{"ok", &type_bool, NULL}, {"result", &cluster2_t, NULL}};
static const struct type plain_t = {.kind = TYPE_OBJECT, .fields = plain_f, .nfields = 2};
static const struct type healthy_t = {.kind = TYPE_OBJECT, .fields = step_f, .nfields = 2};
static const struct type maybe_t = {.kind = TYPE_OBJECT, .optional = 1, .fields = step_f, .nfields = 2};
static const struct type_field sts_f[] = {{"ok", &type_bool, NULL}, {"result", &type_any_object, NULL}};
static const struct type sts_t = {.kind = TYPE_OBJECT, .fields = sts_f, .nfields = 2};
static const struct type_field steps_f[] = {
	{"healthy", &healthy_t, NULL}, {"maybe", &maybe_t, NULL}, {"no-auto-redeploy", &sts_t, NULL},
	{"plain", &plain_t, NULL},
};
static const struct type steps_t = {.kind = TYPE_OBJECT, .fields = steps_f, .nfields = 4};
static const struct type opt_number_t = {.kind = TYPE_NUMBER, .optional = 1};
static const struct type opt_names_t = {.kind = TYPE_LIST, .elem = &type_string, .optional = 1};
static const struct type_field params_f[] = {
	{"cluster", &type_string, NULL}, {"max_lag_mb", &type_number, NULL},
	{"patroni_version", &type_string, NULL}, {"timeout", &type_duration, NULL},
	{"names", &type_string_list, NULL}, {"opt", &opt_number_t, NULL}, {"optnames", &opt_names_t, NULL},
};
static const struct type params_t = {.kind = TYPE_OBJECT, .fields = params_f, .nfields = 7};
static const struct type_field roots_f[] = {
	{"params", &params_t, NULL}, {"steps", &steps_t, NULL}, {"result", &cluster_t, NULL},
	{"run", &type_any, NULL}, {"member", &member_t, NULL},
};
static const struct type roots_t = {.kind = TYPE_OBJECT, .fields = roots_f, .nfields = 5};
static const struct expr_scope SCOPE = {&roots_t, "a precondition"};

struct fixture {
	struct arena *a;
	struct diag_list d;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	f->a = arena_new();
	diag_init(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	diag_release(&f->d);
	arena_free(f->a);
	free(f);
	return 0;
}

static const struct type *check(struct fixture *f, const char *text)
{
	diag_release(&f->d);
	diag_init(&f->d);
	struct expr *e = expr_parse(f->a, text, strlen(text), &BASE, &f->d);
	if (!e)
		fail_msg("'%s' did not parse: %s", text, f->d.n ? f->d.items[0].msg : "?");
	return expr_check(f->a, e, &SCOPE, &f->d);
}

static char *fmt(const struct type *t)
{
	static char buf[128];
	struct strbuf b = {0};
	type_format(t, &b);
	snprintf(buf, sizeof buf, "%s", b.s ? b.s : "");
	sb_release(&b);
	return buf;
}

struct ok_case {
	const char *text, *type;
};

/* Well-typed expressions: no diagnostic, and the type the compiler sees. */
static void test_well_typed(void **state)
{
	struct fixture *f = *state;
	static const struct ok_case ok[] = {
		{"all(result.members, m => m.state in [\"running\", \"streaming\"])", "boolean"},
		{"max(result.members[*].lag_mb) <= params.max_lag_mb", "boolean"},
		{"result.members[*].lag_mb", "list<number>"},
		{"result.members[*].name", "list<string>"},
		{"filter(steps.healthy.result.members, m => m.role != \"leader\")", "list<member>"},
		{"map(result.members, m => m.name)", "list<string>"},
		{"steps.healthy.ok && steps.no-auto-redeploy.ok", "boolean"},
		{"steps.no-auto-redeploy.result.spec.updateStrategy.type == \"OnDelete\"", "boolean"},
		{"version(params.patroni_version) >= version(\"2.0.1\")", "boolean"},
		{"version(params.patroni_version) >= \"2.0.1\"", "boolean"},
		{"steps.maybe.ok", "boolean"},
		{"steps.maybe.ok && len(steps.maybe.result.members) > 0", "boolean"},
		{"has(steps.maybe.result) && steps.maybe.result.pause", "boolean"},
		{"!steps.maybe.ok || steps.maybe.result.pause", "boolean"},
		{"steps.maybe != null && steps.maybe.result.scope == 'x'", "boolean"},
		{"has(steps.maybe.result.members)", "boolean"},
		{"!has(steps.maybe.result) || steps.maybe.result.pause", "boolean"},
		{"steps.maybe.result != null && steps.maybe.result.pause", "boolean"},
		{"steps.maybe.result == null || len(steps.maybe.result.members) > 1", "boolean"},
		{"steps.maybe.ok && steps.maybe.result.members[*].name", "boolean"},
		{"has(steps.maybe) && steps.maybe.result.scope", "boolean"},
		{"steps.maybe && steps.maybe.result.scope", "boolean"},
		{"steps.maybe.result.pause == null", "boolean"},
		{"has(params.opt) && params.opt > 1", "boolean"},
		{"params.opt == 1", "boolean"},
		{"params.opt != null && params.opt * 2 > 1", "boolean"},
		{"params.optnames && len(params.optnames) > 1", "boolean"},
		{"string(params.opt)", "string"},
		{"steps.healthy.ok && (steps.maybe.ok && steps.maybe.result.pause)", "boolean"},
		{"params.timeout + 30s", "duration"},
		{"params.timeout * 2", "duration"},
		{"params.timeout / 1s", "number"},
		{"params.cluster + \"-0\"", "string"},
		{"params.names + [\"x\"]", "list<string>"},
		{"len(params.names) % 2", "number"},
		{"-params.max_lag_mb", "number"},
		{"run.anything.at.all > 3", "boolean"},
		{"params.cluster =~ '^patroni-\\d+$'", "boolean"},
		{"count(result.members, m => m.role == 'replica')", "number"},
		{"first(result.members).name", "string"},
		{"keys(steps.no-auto-redeploy.result)", "list<string>"},
		{"member.name in params.names", "boolean"},
		{"'pat' in params.cluster", "boolean"},
		{"contains(params.names, 'a') && startswith(params.cluster, 'p')", "boolean"},
		{"string(params.max_lag_mb) + 'MB'", "string"},
		{"number('5') + 1", "number"},
		{"max(1, params.max_lag_mb, 3)", "number"},
		{"[1, 2, 3]", "list<number>"},
		{"[1, 'a']", "list<any>"},
		{"result.members[0].lag", "number"},
		{"steps.no-auto-redeploy.result['spec']", "any"},
		{"any(result.members, m => any(result.members, n => n.name == m.name))", "boolean"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		const struct type *t = check(f, ok[i].text);
		if (f->d.n)
			fail_msg("'%s': unexpected %s at %u:%u: %s", ok[i].text,
				 diag_code_name(f->d.items[0].code), f->d.items[0].loc.line,
				 f->d.items[0].loc.col, f->d.items[0].msg);
		if (strcmp(fmt(t), ok[i].type))
			fail_msg("'%s': type %s, want %s", ok[i].text, fmt(t), ok[i].type);
	}
}

struct bad_case {
	const char *text;
	enum diag_code code;
	uint32_t line, col;
	const char *msg, *hint;   /* substrings; hint NULL: no hint required */
};

/* Each error: code, exact line:col (base col 13 is text[0]), message, hint. */
static void test_errors(void **state)
{
	struct fixture *f = *state;
	static const struct bad_case bad[] = {
		{"steps.healthy.result.membrs", OP052, 7, 34,
		 "unknown field 'membrs' in the result of 'patroni.cluster'", "did you mean 'members'"},
		{"result.membrs", OP052, 7, 20, "unknown field 'membrs' in the result of 'patroni.cluster'",
		 "did you mean 'members'"},
		{"steps.plain.result.membrs", OP052, 7, 32, "unknown field 'membrs' in the result of step 'plain'",
		 "did you mean 'members'"},
		{"steps.plain.result.members[0].lagg", OP052, 7, 43, "unknown field 'lagg' in 'member'",
		 "did you mean 'lag'"},
		{"steps.plain.reslt", OP052, 7, 25, "unknown field 'reslt' in 'steps.plain'", "did you mean 'result'"},
		{"all(result.members, m => m.lagg > 0)", OP052, 7, 40,
		 "unknown field 'lagg' in 'member'", "did you mean 'lag'"},
		{"parms.cluster", OP051, 7, 13, "unknown name 'parms' in a precondition",
		 "did you mean 'params'"},
		{"params.clustr", OP052, 7, 20, "unknown field 'clustr' in 'params'",
		 "did you mean 'cluster'"},
		{"steps.helthy.ok", OP052, 7, 19, "unknown field 'helthy' in 'steps'",
		 "did you mean 'healthy'"},
		{"lenn(params.names)", OP053, 7, 13, "unknown function 'lenn'", "did you mean 'len'"},
		{"params.cluster == 1", OP055, 7, 13, "'==' compares a string with a number", NULL},
		{"params.cluster < 5", OP055, 7, 13, "cannot order a string and a number", NULL},
		{"version(params.patroni_version) >= 2", OP055, 7, 13, "cannot order a version", "version(a) >= \"2.0.1\""},
		{"params.cluster >= 2", OP055, 7, 13, "cannot order a string and a number", "number(x) or string(x)"},
		{"nosuch", OP051, 7, 13, "unknown name 'nosuch'", "names here: params, steps, result, run, member"},
		{"params.cluster =~ '(abc'", OP056, 7, 36, "invalid regular expression: missing closing parenthesis", NULL},
		{"params.cluster =~ 'a{2,1}x'", OP056, 7, 37, "invalid regular expression: numbers out of order", NULL},
		{"params.cluster =~ '\\\\d\\'x(' ", OP056, 7, 39, "missing closing parenthesis", NULL},
		{"steps.maybe.result.members", OP057, 7, 13, "'steps.maybe' may be null here",
		 "'steps.maybe.ok && ...'"},
		{"steps.maybe.ok || steps.maybe.result.pause", OP057, 7, 31, "'steps.maybe' may be null", NULL},
		{"len(steps.maybe.result.members) > 0 && steps.maybe.ok", OP057, 7, 17, "may be null", NULL},
		{"has(steps.maybe.result) || steps.maybe.result.pause", OP057, 7, 40, "may be null", NULL},
		{"(steps.maybe.ok && true) || steps.maybe.result.pause", OP057, 7, 41, "may be null", NULL},
		{"all(result.members, m => steps.maybe.result.pause)", OP057, 7, 38, "may be null", NULL},
		{"params.opt > 1", OP057, 7, 13, "'params.opt' may be null here", "has(params.opt) && ..."},
		{"1 + params.opt", OP057, 7, 17, "'params.opt' may be null here", NULL},
		{"-params.opt", OP057, 7, 14, "'params.opt' may be null here", NULL},
		{"len(params.optnames)", OP057, 7, 17, "'params.optnames' may be null here", NULL},
		{"params.optnames[0]", OP057, 7, 13, "'params.optnames' may be null here", NULL},
		{"len(5)", OP054, 7, 17, "the first argument of 'len' must be a string, list or object, not a number", NULL},
		{"len(1, 2)", OP058, 7, 13, "'len' takes 1 argument, not 2", NULL},
		{"all(result.members, 1)", OP059, 7, 33, "the second argument of 'all' must be a lambda", "all(xs, x => x.ok)"},
		{"len(x => x)", OP059, 7, 17, "the first argument of 'len' cannot be a lambda", NULL},
		{"result.members.lag", OP054, 7, 13, "'result.members' is a list: it has no field 'lag'",
		 "result.members[*].lag"},
		{"params.cluster + 1", OP054, 7, 13, "'+' cannot combine a string and a number", "string(x)"},
		{"1 in params.cluster", OP054, 7, 13, "'in' a string needs a string on the left", NULL},
		{"'a' in 5", OP054, 7, 20, "'in' needs a list, string or object on the right", NULL},
		{"params.max_lag_mb =~ 'x'", OP054, 7, 13, "'=~' matches a string, not a number", NULL},
		{"-params.cluster", OP054, 7, 13, "'-' negates a number, not a string", NULL},
		{"params.cluster.x", OP054, 7, 13, "a string has no field 'x'", NULL},
		{"params.names['a']", OP054, 7, 26, "a list index must be a number", NULL},
		{"params.cluster[*]", OP054, 7, 13, "[*] needs a list, not a string", NULL},
		{"'a' in [1, 2]", OP055, 7, 13, "'in' looks for a string in a list of number", NULL},
		{"sum(params.names)", OP054, 7, 17, "'sum' needs a list of numbers", NULL},
		{"params.max_lag_mb >\n    params.clustr", OP052, 8, 12, "unknown field 'clustr'", NULL},
		{"len(version('1.2'))", OP054, 7, 17, "must be a string, list or object, not a version", NULL},
		{"'a' in version('1.2')", OP054, 7, 20, "'in' needs a list, string or object on the right, not a version", NULL},
		{"version(3)", OP054, 7, 21, "the first argument of 'version' must be a string", NULL},
		{"member.name == null || 1 > 'a'", OP055, 7, 36, "cannot order a number and a string", NULL},
		{"len", OP051, 7, 13, "unknown name 'len'", "'len' is a function"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const struct type *t = check(f, bad[i].text);
		if (f->d.n != 1)
			fail_msg("'%s': %zu diagnostics, want 1%s%s", bad[i].text, f->d.n,
				 f->d.n ? ": " : "", f->d.n ? f->d.items[0].msg : "");
		const struct diag *g = &f->d.items[0];
		if (g->code != bad[i].code || g->loc.line != bad[i].line || g->loc.col != bad[i].col ||
		    !strstr(g->msg, bad[i].msg))
			fail_msg("'%s': got %s %u:%u '%s', want %s %u:%u '%s'", bad[i].text,
				 diag_code_name(g->code), g->loc.line, g->loc.col, g->msg,
				 diag_code_name(bad[i].code), bad[i].line, bad[i].col, bad[i].msg);
		if (bad[i].hint && (g->nhints < 1 || !strstr(g->hints[0], bad[i].hint)))
			fail_msg("'%s': hint '%s', want '%s'", bad[i].text, g->nhints ? g->hints[0] : "(none)",
				 bad[i].hint);
		assert_string_equal(g->loc.file, "plan.yaml");
		assert_int_equal(t->kind, TYPE_ANY);
	}
}

/* Errors do not stop the checker: each mistake is reported once. */
static void test_many_errors(void **state)
{
	struct fixture *f = *state;
	check(f, "parms.x == 1 && lenn(2) && result.membrs");
	assert_int_equal(f->d.n, 3);
	assert_int_equal(f->d.items[0].code, OP051);
	assert_int_equal(f->d.items[1].code, OP053);
	assert_int_equal(f->d.items[2].code, OP052);
	assert_int_equal(diag_errors(&f->d), 3);
}

/* A scope without roots (the runtime, or an untyped context) checks nothing
 * about names but still rejects literal mistakes. */
static void test_no_roots(void **state)
{
	struct fixture *f = *state;
	struct expr_scope s = {NULL, NULL};
	struct expr *e = expr_parse(f->a, "x.y =~ '('", 10, &BASE, &f->d);
	assert_non_null(e);
	expr_check(f->a, e, &s, &f->d);
	assert_int_equal(f->d.n, 1);
	assert_int_equal(f->d.items[0].code, OP056);
	assert_int_equal(f->d.items[0].loc.col, 13 + 9);
}

/* With the real catalog's types, as the compiler scopes them: an unknown
 * field of an action's result names the action, even through the optional
 * copy a skippable step gets. */
static void test_catalog_types(void **state)
{
	struct fixture *f = *state;
	const struct action *act = catalog_find("patroni.cluster");
	assert_non_null(act);
	assert_non_null(act->result);
	struct type_field step[] = {{"ok", &type_bool, NULL}, {"result", type_optional(f->a, act->result), NULL}};
	struct type step_t = {.kind = TYPE_OBJECT, .fields = step, .nfields = 2, .name = "step"};
	struct type_field steps[] = {{"healthy", &step_t, NULL}};
	struct type steps_t2 = {.kind = TYPE_OBJECT, .fields = steps, .nfields = 1};
	struct type_field roots[] = {{"steps", &steps_t2, NULL}, {"result", act->result, NULL}};
	struct type roots_t2 = {.kind = TYPE_OBJECT, .fields = roots, .nfields = 2};
	struct expr_scope sc = {&roots_t2, "an expect"};
	static const struct { const char *text, *msg; } c[] = {
		{"steps.healthy.ok && steps.healthy.result.membrs", "unknown field 'membrs' in the result of 'patroni.cluster'"},
		{"result.membrs", "unknown field 'membrs' in the result of 'patroni.cluster'"},
	};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		diag_release(&f->d);
		diag_init(&f->d);
		struct expr *e = expr_parse(f->a, c[i].text, strlen(c[i].text), &BASE, &f->d);
		assert_non_null(e);
		expr_check(f->a, e, &sc, &f->d);
		if (f->d.n != 1 || strcmp(f->d.items[0].msg, c[i].msg) || f->d.items[0].nhints != 1 ||
		    strcmp(f->d.items[0].hints[0], "did you mean 'members'"))
			fail_msg("'%s': %zu diags, '%s'", c[i].text, f->d.n, f->d.n ? f->d.items[0].msg : "");
	}
	diag_release(&f->d);
	diag_init(&f->d);
	const char *ok = "steps.healthy.ok && all(steps.healthy.result.members, m => m.state in ['running', 'streaming'])";
	struct expr *e = expr_parse(f->a, ok, strlen(ok), &BASE, &f->d);
	assert_int_equal(expr_check(f->a, e, &sc, &f->d)->kind, TYPE_BOOL);
	if (f->d.n)
		fail_msg("'%s': %s", ok, f->d.items[0].msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_well_typed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog_types, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
