/* lint_config.h - `.opsplan.yaml`, the lint configuration of a tree of plans.
 *
 * Found upward from a linted path (the nearest wins; no merging), read
 * through the hardened YAML loader (same budgets, located errors):
 *
 *   exclude: ["k8s/", "*.manifest.yaml"]   # not linted (paths relative to this file)
 *   severity: {OP100: error, OP106: off}    # a warning raised to error, or turned off
 *   silence:                                # warnings silenced under some paths
 *     - {path: "legacy/", codes: [OP100], reason: "replaced in Q3"}
 *
 * Errors keep their severity: an error means the plan does not compile, and
 * lint must not pass a plan that `run` refuses. */
#ifndef OPSPLAN_LINT_CONFIG_H
#define OPSPLAN_LINT_CONFIG_H

#include <stddef.h>

#include "diag.h"

#define LINT_CONFIG_NAME ".opsplan.yaml"

struct lint_config;

/* Read the .opsplan.yaml in dir (a directory that has one).  0 and *out
 * (the caller's, lint_config_free) or -1 after printing located errors to
 * stderr. */
int lint_config_load(struct lint_config **out, const char *dir);

/* The nearest .opsplan.yaml in dir or above it.  0 with *out (NULL: none)
 * and *rel: dir's path relative to the config's directory ("" when the same,
 * else ending in '/'; the caller's), or -1 after printing errors. */
int lint_config_find(struct lint_config **out, char **rel, const char *dir);

void lint_config_free(struct lint_config *c);   /* accepts NULL */

/* Whether glob excludes path: a glob without '/' matches any component of
 * path (a file or directory name), one with '/' the whole path ('*' crosses
 * '/') or a leading directory of it. */
int lint_glob_excludes(const char *glob, const char *path);

/* rel (relative to the config's directory) is excluded by the config. */
int lint_config_excludes(const struct lint_config *c, const char *rel);

/* Apply severity overrides and path silences to the findings of the file at
 * rel: dropped findings are freed, raised ones become errors.  c may be NULL. */
void lint_config_apply(const struct lint_config *c, const char *rel, struct diag_list *d);

#endif
