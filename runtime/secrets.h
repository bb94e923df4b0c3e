/* secrets.h - the sensitive parameters of a run, held in memory only.
 *
 * The IR never holds a sensitive value (compiler/sensitive.h): its param
 * says {"sensitive": true, "value": null, "digest": D} and, for a value
 * read from the cluster, "secret": {"name", "key", "namespace"}.  The run
 * binds the values into plan->params in memory (from what the command line
 * gave, checked against D), reads the Secrets once the cluster is reached,
 * and registers every value with redact (redact_add_sensitive) before
 * anything could print it.  The journal's run-start gets
 * secrets_public_params: the marker, never the value. */
#ifndef OPSPLAN_SECRETS_H
#define OPSPLAN_SECRETS_H

#include <jansson.h>
#include <stddef.h>

struct ir_plan;
struct kube_client;

#define SECRETS_MARKER "[sensitive]"

/* Bind the sensitive values given (an object name -> string: -p, -p @FILE,
 * --params-file, or what the compiler kept) into plan->params.  Every
 * sensitive param that has a digest must be given, and given the same
 * value; a name in given that is not a sensitive param of the plan is
 * refused (the IR fixes every other parameter).  0, or -1 with a message
 * (never the value) in err. */
int secrets_bind(struct ir_plan *plan, const json_t *given, char *err, size_t errn);

/* Read every `from: {secret: ...}` param from its Secret (ns unless the
 * plan names another namespace) into plan->params.  0, -1 with err (the
 * Secret is missing, has no such key, or may not be read: *cluster_down
 * is 1 when the cluster could not be reached at all). */
int secrets_fetch(struct ir_plan *plan, struct kube_client *kc, const char *ns, char *err, size_t errn,
		  int *cluster_down);

/* A copy of plan->params with every sensitive value replaced by
 * SECRETS_MARKER.  New reference. */
json_t *secrets_public_params(const struct ir_plan *plan);

/* 1 when the plan has a sensitive param named name. */
int secrets_is_sensitive(const struct ir_plan *plan, const char *name);

/* Decode base64 (standard alphabet, padding optional).  *out (NUL-terminated,
 * *outlen bytes) is the caller's; -1 on bad input. */
int secrets_base64_decode(const char *s, char **out, size_t *outlen);

#endif
