/* catalog.c - see catalog.h.
 *
 * Everything here is static const data: the compiler types `with:` and
 * `result` from it, the runtime dispatches and derives RBAC from it, and
 * docs/actions.md documents it (a test checks every action is there).
 * Result field names follow what the runtime returns, which for Patroni is
 * the REST API of Patroni 3.0.2 (api.py, utils.py cluster_as_json) with the
 * few normalisations noted on each field. */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OBJ(tname, f) {.kind = TYPE_OBJECT, .fields = (f), .nfields = COUNT(f), .name = (tname)}
#define OPEN_OBJ(tname, f) {.kind = TYPE_OBJECT, .open = 1, .fields = (f), .nfields = COUNT(f), .name = (tname)}

/* ---- shared field types ------------------------------------------------- */

static const struct type opt_number = {.kind = TYPE_NUMBER, .optional = 1};
static const struct type opt_string = {.kind = TYPE_STRING, .optional = 1};
static const struct type opt_any_object = {.kind = TYPE_OBJECT, .open = 1, .optional = 1};

/* ---- Kubernetes objects ------------------------------------------------- */

static const struct type_field metadata_fields[] = {
	{"name", &type_string, "object name"},
	{"namespace", &type_string, "namespace"},
	{"uid", &type_string, "unique id; changes when a pod is recreated"},
	{"resourceVersion", &type_string, "version for optimistic concurrency"},
	{"labels", &type_any_object, "labels (string map)"},
	{"annotations", &type_any_object, "annotations (string map)"},
	{"creationTimestamp", &type_string, "RFC 3339 creation time"},
};
static const struct type k8s_metadata = OPEN_OBJ("metadata", metadata_fields);

static const struct type_field k8s_object_fields[] = {
	{"apiVersion", &type_string, "API group/version"},
	{"kind", &type_string, "object kind"},
	{"metadata", &k8s_metadata, "standard object metadata"},
	{"spec", &type_any_object, "desired state (open object)"},
	{"status", &type_any_object, "observed state (open object)"},
};
static const struct type k8s_object = OPEN_OBJ("k8s object", k8s_object_fields);

static const struct type k8s_object_list = {.kind = TYPE_LIST, .elem = &k8s_object};

static const struct type_field k8s_list_fields[] = {
	{"items", &k8s_object_list, "the matching objects"},
	{"count", &type_number, "number of items"},
	{"names", &type_string_list, "metadata.name of each item, in order"},
};
static const struct type k8s_list_result = OBJ("k8s list", k8s_list_fields);

static const struct type_field k8s_event_fields[] = {
	{"type", &type_string, "ADDED, MODIFIED or DELETED"},
	{"at", &type_number, "seconds since the wait began"},
	{"summary", &type_string, "one line: phase, ready, uid"},
};
static const struct type k8s_event = OBJ("watch event", k8s_event_fields);
static const struct type k8s_event_list = {.kind = TYPE_LIST, .elem = &k8s_event};

static const struct type_field k8s_wait_fields[] = {
	{"object", &opt_any_object, "the object when the condition held (null for deleted)"},
	{"elapsed", &type_duration, "how long the wait took"},
	{"events", &k8s_event_list, "the watch events seen while waiting"},
	{"uid_before", &opt_string, "uid when the wait began (for 'replaced')"},
	{"uid_after", &opt_string, "uid when the condition held"},
};
static const struct type k8s_wait_result = OBJ("wait result", k8s_wait_fields);

static const struct type_field k8s_delete_fields[] = {
	{"uid", &type_string, "uid of the deleted object"},
	{"deleted", &type_bool, "false when the object was already gone"},
};
static const struct type k8s_delete_result = OBJ("delete result", k8s_delete_fields);

static const struct type_field k8s_exec_fields[] = {
	{"stdout", &type_string, "standard output (bounded)"},
	{"stderr", &type_string, "standard error (bounded)"},
	{"exit_code", &type_number, "the command's exit status"},
};
static const struct type k8s_exec_result = OBJ("exec result", k8s_exec_fields);

/* ---- Patroni ------------------------------------------------------------ */

static const struct type_field member_fields[] = {
	{"name", &type_string, "member name (the pod name)"},
	{"role", &type_string, "\"leader\", \"replica\", \"sync_standby\" or \"standby_leader\""},
	{"state", &type_string, "\"running\", \"streaming\", \"stopped\", \"starting\", ..."},
	{"host", &type_string, "PostgreSQL host"},
	{"port", &type_number, "PostgreSQL port"},
	{"api_url", &type_string, "the member's Patroni REST URL"},
	{"timeline", &opt_number, "PostgreSQL timeline, null if unknown"},
	{"lag", &opt_number, "replication lag in bytes; null when Patroni says \"unknown\"; 0 for the leader"},
	{"lag_mb", &opt_number, "lag in MiB (lag / 1048576), as 'Lag in MB' of patronictl list"},
	{"pending_restart", &type_bool, "a restart is pending to apply configuration"},
	{"tags", &type_any_object, "the member's tags"},
};
static const struct type member = OBJ("member", member_fields);
static const struct type member_list = {.kind = TYPE_LIST, .elem = &member};

static const struct type_field cluster_fields[] = {
	{"members", &member_list, "every member, sorted by name"},
	{"leader", &opt_string, "name of the leader, null when there is none"},
	{"pause", &type_bool, "maintenance mode is on"},
	{"scope", &type_string, "the cluster name (Patroni scope)"},
};
static const struct type cluster_result = OBJ("cluster", cluster_fields);

static const struct type_field patroni_info_fields[] = {
	{"version", &type_string, "Patroni version, e.g. \"2.0.1\""},
	{"scope", &type_string, "cluster name"},
};
static const struct type patroni_info = OBJ("patroni info", patroni_info_fields);

static const struct type_field xlog_fields[] = {
	{"location", &opt_number, "primary: current WAL location"},
	{"received_location", &opt_number, "replica: WAL received"},
	{"replayed_location", &opt_number, "replica: WAL replayed"},
	{"replayed_timestamp", &opt_string, "replica: time of the last replayed transaction"},
	{"paused", &type_bool, "replica: replay paused"},
};
static const struct type xlog = OBJ("xlog", xlog_fields);

static const struct type_field replication_fields[] = {
	{"usename", &type_string, "replication user"},
	{"application_name", &type_string, "the replica's member name"},
	{"client_addr", &type_string, "replica address"},
	{"state", &type_string, "\"streaming\", \"catchup\", ..."},
	{"sync_state", &type_string, "\"async\", \"sync\", \"potential\""},
	{"sync_priority", &type_number, "synchronous priority"},
};
static const struct type replication = OBJ("replication", replication_fields);
static const struct type replication_list = {.kind = TYPE_LIST, .elem = &replication};

static const struct type_field status_fields[] = {
	{"state", &type_string, "PostgreSQL state: \"running\", \"stopped\", \"starting\", ..."},
	{"role", &type_string, "\"master\"/\"primary\", \"replica\" or \"standby_leader\""},
	{"server_version", &opt_number, "PostgreSQL version as a number (150004)"},
	{"patroni", &patroni_info, "Patroni's own version and scope"},
	{"timeline", &opt_number, "timeline"},
	{"xlog", &xlog, "WAL positions"},
	{"pause", &type_bool, "maintenance mode is on (false when Patroni omits it)"},
	{"pending_restart", &type_bool, "a restart is pending (false when omitted)"},
	{"postmaster_start_time", &opt_string, "when PostgreSQL started"},
	{"database_system_identifier", &opt_string, "the cluster's system identifier"},
	{"cluster_unlocked", &type_bool, "no leader lock held (false when omitted)"},
	{"replication", &replication_list, "primary: connected replicas (empty elsewhere)"},
	{"sync_standby", &type_bool, "this replica is the synchronous standby"},
	{"dcs_last_seen", &opt_number, "unix time the DCS was last reached"},
};
static const struct type status_result = OBJ("patroni status", status_fields);

static const struct type_field pause_fields[] = {
	{"pause", &type_bool, "maintenance mode after the call"},
	{"changed", &type_bool, "false when it was already in that mode"},
};
static const struct type pause_result = OBJ("pause result", pause_fields);

static const struct type_field switchover_fields[] = {
	{"from", &type_string, "the leader before"},
	{"to", &type_string, "the candidate asked for (or chosen by Patroni)"},
	{"status", &type_number, "HTTP status of POST /switchover"},
	{"message", &type_string, "Patroni's reply text"},
	{"leader_after", &opt_string, "the leader once the cluster settled, null if none"},
};
static const struct type switchover_result = OBJ("switchover result", switchover_fields);

static const struct type_field restart_fields[] = {
	{"member", &type_string, "the member restarted"},
	{"status", &type_number, "HTTP status of POST /restart"},
	{"message", &type_string, "Patroni's reply text"},
};
static const struct type restart_result = OBJ("restart result", restart_fields);

/* ---- OpenShift ---------------------------------------------------------- */

static const struct type_field build_fields[] = {
	{"name", &type_string, "the Build's name (bc-N)"},
	{"phase", &type_string, "\"Complete\", \"Failed\", \"Cancelled\", \"Error\""},
	{"digest", &opt_string, "sha256 digest of the pushed image"},
	{"image", &opt_string, "pull spec of the pushed image"},
	{"log", &type_string, "the build log (bounded to its last 1 MiB)"},
	{"duration", &type_duration, "how long the build ran"},
};
static const struct type build_result = OBJ("build", build_fields);

static const struct type_field tag_fields[] = {
	{"source", &type_string, "the source tag or image"},
	{"target", &type_string, "the tag written"},
	{"digest", &type_string, "digest the target now points to"},
};
static const struct type tag_result = OBJ("tag result", tag_fields);

/* ---- built-ins ---------------------------------------------------------- */

static const struct type_field confirm_fields[] = {
	{"answer", &type_bool, "true when the operator confirmed"},
	{"by", &type_string, "\"operator\" or \"--yes\""},
};
static const struct type confirm_result = OBJ("confirmation", confirm_fields);

static const struct type_field sleep_fields[] = {
	{"slept", &type_duration, "time actually slept"},
};
static const struct type sleep_result = OBJ("sleep result", sleep_fields);

static const struct type_field log_fields[] = {
	{"message", &type_string, "the text logged"},
};
static const struct type log_result = OBJ("log result", log_fields);

static const struct type_field http_fields[] = {
	{"status", &type_number, "the HTTP status (0 under --dry-run for a request not sent)"},
	{"body", &type_string, "the response body (at most 1 MiB), registered secrets redacted"},
	{"json", &type_any, "the body parsed as JSON, or null when it is not JSON"},
};
static const struct type http_result = OBJ("http result", http_fields);

static const struct type_field notify_fields[] = {
	{"status", &type_number, "the webhook's HTTP status (0 under --dry-run)"},
	{"text", &type_string, "the text sent"},
};
static const struct type notify_result = OBJ("notify result", notify_fields);

/* ---- parameters ---------------------------------------------------------- */

#define P_KIND {"kind", &type_string, 1, NULL, "object kind: Pod, StatefulSet, ConfigMap, ... (or plural resource)"}
#define P_NAME {"name", &type_string, 1, NULL, "object name"}
#define P_NS   {"namespace", &type_string, 0, NULL, "namespace; default: the run's namespace"}
#define P_POD  {"pod", &type_string, 1, NULL, "a pod of the cluster whose Patroni API (port 8008) is reached through the pod proxy"}
#define P_PORT {"port", &type_number, 0, "8008", "Patroni REST API port"}

static const struct action_param get_params[] = {P_KIND, P_NAME, P_NS};
static const struct action_param list_params[] = {
	P_KIND, P_NS,
	{"selector", &type_string, 0, NULL, "label selector, e.g. \"app=db,role=master\""},
	{"field_selector", &type_string, 0, NULL, "field selector, e.g. \"status.phase=Running\""},
};
static const struct action_param patch_params[] = {
	P_KIND, P_NAME, P_NS,
	{"patch", &type_any_object, 1, NULL, "the patch body"},
	{"type", &type_string, 0, "merge", "\"merge\", \"strategic\" or \"json\"", "merge|strategic|json"},
};
static const struct action_param delete_params[] = {
	P_KIND, P_NAME, P_NS,
	{"uid", &type_string, 0, NULL, "precondition: delete only this incarnation (taken before the first attempt when absent)"},
	{"grace_period", &type_duration, 0, NULL, "termination grace period; default: the object's own"},
};
/* the extra root of k8s.wait's `that` */
static const struct type_field wait_object = {"object", &k8s_object, "the watched object, as the watch delivers it"};
static const struct action_param wait_params[] = {
	P_KIND, P_NAME, P_NS,
	{"for", &type_string, 1, NULL, "\"replaced\", \"ready\", \"deleted\", \"exists\", \"phase=PHASE\", \"condition=TYPE\" "
	 "or \"expression\" (with 'that')",
	 "replaced|ready|deleted|exists|phase=*|condition=*|expression"},
	{"uid", &type_string, 0, NULL, "for \"replaced\" and \"expression\": the uid this run expects to be gone "
	 "(default: for \"replaced\", the uid when the wait began; for both, the uid this run deleted)"},
	{"that", &type_string, 0, NULL, "for \"expression\": a boolean expression over 'object' (the watched object) "
	 "and the step's roots; the wait ends when it holds", NULL, &wait_object, "for=expression"},
};
static const struct action_param exec_params[] = {
	{"pod", &type_string, 1, NULL, "pod to run in"},
	{"container", &type_string, 0, NULL, "container; default: the first"},
	{"command", &type_string_list, 1, NULL, "argv, not a shell line"},
	P_NS,
};
static const struct action_param patroni_params[] = {P_POD, P_PORT, P_NS};
static const struct action_param switchover_params[] = {
	P_POD,
	{"leader", &type_string, 1, NULL, "the current leader (Patroni refuses if it is not)"},
	{"candidate", &type_string, 0, NULL, "the member to promote; default: Patroni chooses a healthy replica"},
	{"settle", &type_duration, 0, "60s", "how long to wait for a leader after the switchover"},
	P_PORT, P_NS,
};
static const struct action_param restart_params[] = {
	P_POD,
	{"member", &type_string, 1, NULL, "the member whose PostgreSQL restarts (its own API is called)"},
	{"pending_only", &type_bool, 0, "false", "restart only if a restart is pending"},
	P_PORT, P_NS,
};
static const struct action_param build_params[] = {
	{"build_config", &type_string, 1, NULL, "the BuildConfig to instantiate"},
	{"from", &type_string, 0, NULL, "override the docker strategy's from ImageStreamTag (\"postgres:15\")"},
	{"build_args", &type_any_object, 0, NULL, "docker build arguments, name -> value (\"patroniv\": \"2.0.1\")"},
	{"follow", &type_bool, 0, "true", "stream the build log while waiting"},
	P_NS,
};
static const struct action_param tag_params[] = {
	{"source", &type_string, 1, NULL, "ImageStreamTag (\"patroni:build\") or image reference with a digest"},
	{"target", &type_string, 1, NULL, "ImageStreamTag to write (\"patroni:v12-latest\")"},
	P_NS,
};
static const struct action_param confirm_params[] = {
	{"prompt", &type_string, 1, NULL, "the question asked"},
	{"show", &type_any_list, 0, NULL, "evidence shown before asking"},
};
static const struct action_param sleep_params[] = {
	{"duration", &type_duration, 1, NULL, "how long to sleep"},
};
static const struct action_param http_params[] = {
	{"url", &type_string, 1, NULL, "http:// or https:// URL; TLS is verified, redirects are not followed"},
	{"method", &type_string, 0, "GET", "\"GET\", \"HEAD\", \"POST\", \"PUT\", \"PATCH\" or \"DELETE\"",
	 "GET|HEAD|POST|PUT|PATCH|DELETE"},
	{"headers", &type_any_object, 0, NULL, "request headers, a mapping of strings"},
	{"body", &type_any, 0, NULL, "a JSON body (any YAML value, sent as JSON with Content-Type: application/json)"},
};
static const struct action_param notify_params[] = {
	{"url", &type_string, 1, NULL, "the incoming-webhook URL (Slack, Teams, Rocket.Chat); keep it in a sensitive param"},
	{"text", &type_string, 1, NULL, "the message, sent as {\"text\": ...}"},
};
static const struct action_param log_params[] = {
	{"message", &type_string, 1, NULL, "the line to log (and record in the report)"},
	{"level", &type_string, 0, "info", "\"info\", \"warning\" or \"error\"", "info|warning|error"},
};

/* ---- RBAC ---------------------------------------------------------------- */

static const struct action_rbac rbac_get[] = {{"$kind", "$kind", "get"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_list[] = {{"$kind", "$kind", "list"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_patch[] = {{"$kind", "$kind", "get,patch"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_delete[] = {{"$kind", "$kind", "get,delete"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_wait[] = {{"$kind", "$kind", "get,list,watch"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_exec[] = {{"", "pods", "get"}, {"", "pods/exec", "create"}, {NULL, NULL, NULL}};
/* The pod proxy maps HTTP methods to verbs: GET -> get, PATCH -> patch, POST -> create. */
static const struct action_rbac rbac_patroni_read[] = {{"", "pods", "get,list"}, {"", "pods/proxy", "get"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_patroni_patch[] = {{"", "pods", "get"}, {"", "pods/proxy", "get,patch"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_patroni_post[] = {{"", "pods", "get,list"}, {"", "pods/proxy", "get,create"}, {NULL, NULL, NULL}};
static const struct action_rbac rbac_build[] = {
	{"build.openshift.io", "buildconfigs", "get"},
	{"build.openshift.io", "buildconfigs/instantiate", "create"},
	{"build.openshift.io", "builds", "get,list,watch"},
	{"build.openshift.io", "builds/log", "get"},
	{NULL, NULL, NULL}};
static const struct action_rbac rbac_tag[] = {
	{"image.openshift.io", "imagestreamtags", "get,create,update"},
	{NULL, NULL, NULL}};
static const struct action_rbac rbac_none[] = {{NULL, NULL, NULL}};

/* ---- the table ----------------------------------------------------------- */

/* typ: typical milliseconds of one attempt, measured on the lab cluster
 * where noted (pause and resume ~1.6 s, switchover ~2.1 s, a replica back
 * ~0.6 s after resume), estimated otherwise; builds dominate: minutes on a
 * shared cluster. */
#define ACTION(n, sum, eff, op, cl, par, res, rb, typ, traits) \
	{n, sum, eff, op, cl, par, COUNT(par), res, rb, typ, traits}

/* ORDER CATALOG */
static const struct action actions[] = {
	ACTION("k8s.get", "read one object", EFFECT_READ, NULL, NULL, get_params, &k8s_object, rbac_get,
	       200, 0),
	ACTION("k8s.list", "list objects by kind and selectors", EFFECT_READ, NULL, NULL, list_params,
	       &k8s_list_result, rbac_list,
	       300, 0),
	ACTION("k8s.patch", "patch one object", EFFECT_IDEMPOTENT, NULL, NULL, patch_params, &k8s_object,
	       rbac_patch,
	       300, 0),
	ACTION("k8s.delete", "delete one object, guarded by its uid", EFFECT_MUTATION, NULL, NULL,
	       delete_params, &k8s_delete_result, rbac_delete,
	       500, TRAIT_DELETES),
	ACTION("k8s.wait", "watch one object until a condition holds", EFFECT_READ, NULL, NULL, wait_params,
	       &k8s_wait_result, rbac_wait,
	       30000, 0),
	ACTION("k8s.exec", "run a command in a pod", EFFECT_MUTATION, NULL, NULL, exec_params,
	       &k8s_exec_result, rbac_exec,
	       2000, TRAIT_IN_POD),
	ACTION("patroni.cluster", "the cluster as 'patronictl list' shows it (GET /cluster)", EFFECT_READ,
	       NULL, NULL, patroni_params, &cluster_result, rbac_patroni_read,
	       300, 0),
	ACTION("patroni.status", "one member's status (GET /patroni)", EFFECT_READ, NULL, NULL,
	       patroni_params, &status_result, rbac_patroni_read,
	       300, 0),
	ACTION("patroni.pause", "enter maintenance mode (PATCH /config pause: true)", EFFECT_IDEMPOTENT,
	       "maintenance", NULL, patroni_params, &pause_result, rbac_patroni_patch,
	       1600, 0),
	ACTION("patroni.resume", "leave maintenance mode (PATCH /config pause: null)", EFFECT_IDEMPOTENT,
	       NULL, "maintenance", patroni_params, &pause_result, rbac_patroni_patch,
	       1600, 0),
	ACTION("patroni.switchover", "move the leader to another member (POST /switchover)",
	       EFFECT_MUTATION, NULL, NULL, switchover_params, &switchover_result, rbac_patroni_post,
	       2100, TRAIT_MOVES_LEADER),
	ACTION("patroni.restart", "restart one member's PostgreSQL (POST /restart)", EFFECT_MUTATION, NULL,
	       NULL, restart_params, &restart_result, rbac_patroni_post,
	       5000, 0),
	ACTION("openshift.build", "start a build from a BuildConfig and wait for it", EFFECT_MUTATION,
	       NULL, NULL, build_params, &build_result, rbac_build,
	       300000, 0),
	ACTION("openshift.tag", "point an ImageStreamTag at an image", EFFECT_IDEMPOTENT, NULL, NULL,
	       tag_params, &tag_result, rbac_tag,
	       500, 0),
	ACTION("confirm", "ask the operator (skipped with --yes)", EFFECT_READ, NULL, NULL, confirm_params,
	       &confirm_result, rbac_none,
	       1000, 0),
	ACTION("sleep", "wait a fixed time", EFFECT_READ, NULL, NULL, sleep_params, &sleep_result, rbac_none,
	       1000, 0),
	ACTION("log", "write a line to the run log and report", EFFECT_READ, NULL, NULL, log_params,
	       &log_result, rbac_none,
	       1000, 0),
	/* a GET or HEAD is sent as a read at run time (action_http.c); the row
	 * says mutation, the most any method can do */
	ACTION("http", "send one HTTP(S) request", EFFECT_MUTATION, NULL, NULL, http_params, &http_result,
	       rbac_none,
	       1000, 0),
	ACTION("notify", "post a message to a chat webhook ({\"text\": ...})", EFFECT_MUTATION, NULL, NULL,
	       notify_params, &notify_result, rbac_none,
	       1000, 0),
};

const struct action *catalog_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < COUNT(actions); i++)
		if (!strcmp(actions[i].name, name))
			return &actions[i];
	return NULL;
}

const struct action *catalog_all(size_t *n)
{
	*n = COUNT(actions);
	return actions;
}

const struct action_param *catalog_param(const struct action *a, const char *name)
{
	if (!a || !name)
		return NULL;
	for (size_t i = 0; i < a->nparams; i++)
		if (!strcmp(a->params[i].name, name))
			return &a->params[i];
	return NULL;
}

const char *catalog_effect_name(enum action_effect e)
{
	switch (e) {
	case EFFECT_READ: return "read";
	case EFFECT_IDEMPOTENT: return "idempotent";
	case EFFECT_MUTATION: return "mutation";
	}
	return "?";
}

int catalog_choice_ok(const struct action_param *p, const char *value)
{
	if (!p || !p->choices)
		return 1;
	if (!value)
		return 0;
	size_t vlen = strlen(value);
	for (const char *c = p->choices; *c;) {
		const char *end = strchr(c, '|');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		/* "phase=*": the prefix, then at least one character */
		if (n && c[n - 1] == '*') {
			if (vlen > n - 1 && !strncmp(value, c, n - 1))
				return 1;
		} else if (vlen == n && !strncmp(value, c, n)) {
			return 1;
		}
		c += n + (end ? 1 : 0);
	}
	return 0;
}

const char *catalog_choices_text(const struct action_param *p, char *buf, size_t n)
{
	size_t k = 0;
	if (n)
		buf[0] = 0;
	if (!p || !p->choices || !n)
		return buf;
	for (const char *c = p->choices; *c;) {
		const char *end = strchr(c, '|');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		const char *sep = c == p->choices ? "" : end ? ", " : " or ";
		int star = len && c[len - 1] == '*';
		int w = snprintf(buf + k, n - k, "%s%.*s%s", sep, (int)(len - (size_t)star), c, star ? "..." : "");
		if (w < 0 || (size_t)w >= n - k)
			break;
		k += (size_t)w;
		c += len + (end ? 1 : 0);
	}
	return buf;
}

int catalog_needs_cluster(const struct action *a)
{
	return a && a->rbac && a->rbac[0].resource;
}
