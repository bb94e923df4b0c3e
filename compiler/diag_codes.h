/* diag_codes.h - every diagnostic the compiler can emit.  ORDER: append only.
 *
 * X(CODE, severity, slug, summary).  Codes are stable and documented in
 * docs/diagnostics.md; a number is never reused.  Ranges:
 *   OP001-OP019  loading YAML (yaml_load.c)
 *   OP020-OP049  plan schema: keys, types, durations, ids (plan_check.c)
 *   OP050-OP079  expressions and types (expr_*.c)
 *   OP080-OP099  step graph, brackets, timing (graph_*.c)
 *   OP100-OP149  safety lints, warnings a plan may silence with a reason
 *   OP150-OP199  parameters given on the command line, IR
 */
/* loading */
X(OP001, DIAG_ERROR,   "yaml-syntax",        "the file is not valid YAML")
X(OP002, DIAG_ERROR,   "yaml-duplicate-key", "a mapping has the same key twice")
X(OP003, DIAG_ERROR,   "yaml-tab",           "a tab where YAML allows only spaces")
X(OP004, DIAG_ERROR,   "yaml-multi-doc",     "more than one YAML document in a plan file")
X(OP005, DIAG_ERROR,   "yaml-alias-budget",  "anchors and aliases expand past the budget")
X(OP006, DIAG_ERROR,   "yaml-too-deep",      "nesting deeper than the limit")
X(OP007, DIAG_ERROR,   "yaml-too-large",     "the file is larger than the limit")
X(OP008, DIAG_ERROR,   "yaml-utf8",          "the file is not valid UTF-8")
X(OP009, DIAG_ERROR,   "yaml-key-not-scalar","a mapping key that is not a scalar")
X(OP010, DIAG_ERROR,   "yaml-empty",         "the file holds no document")
X(OP011, DIAG_ERROR,   "io",                 "the file cannot be read")
