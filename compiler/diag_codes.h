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
/* plan schema */
X(OP020, DIAG_ERROR,   "plan-unknown-key",   "a key the plan language does not have")
X(OP021, DIAG_ERROR,   "plan-type",          "a value of the wrong type")
X(OP022, DIAG_ERROR,   "plan-missing-key",   "a required key is missing")
X(OP023, DIAG_ERROR,   "plan-version",       "'opsplan:' missing or not a supported version")
X(OP024, DIAG_ERROR,   "plan-duration",      "a malformed duration")
X(OP025, DIAG_ERROR,   "plan-id",            "a step id or name that is not [a-z][a-z0-9_-]*")
X(OP026, DIAG_ERROR,   "plan-duplicate-id",  "two steps with the same id")
X(OP027, DIAG_ERROR,   "plan-unknown-action","'do:' names an action the catalog does not have")
X(OP028, DIAG_ERROR,   "plan-unknown-with",  "'with:' passes a parameter the action does not take")
X(OP029, DIAG_ERROR,   "plan-missing-with",  "'with:' lacks a parameter the action requires")
X(OP030, DIAG_ERROR,   "plan-with-type",     "'with:' passes a literal of the wrong type")
X(OP031, DIAG_ERROR,   "plan-step-kind",     "a step with both or neither of 'do' and 'steps'")
X(OP032, DIAG_ERROR,   "plan-param-default", "a param default that does not fit its type, match or enum")
X(OP033, DIAG_ERROR,   "plan-regex",         "a 'match:' regex that PCRE2 rejects")
X(OP034, DIAG_ERROR,   "plan-bad-value",     "a value outside what the key allows")
X(OP035, DIAG_ERROR,   "plan-silence",       "'silence:' names an unknown code or gives no reason")
X(OP036, DIAG_ERROR,   "plan-key-requires",  "a key that only means something with another key")
X(OP037, DIAG_ERROR,   "plan-empty",         "a plan, group or list that must not be empty")
/* expressions */
X(OP050, DIAG_ERROR,   "expr-syntax",        "an expression or template cannot be parsed")
X(OP051, DIAG_ERROR,   "expr-unknown-name",  "a name that is not in scope")
X(OP052, DIAG_ERROR,   "expr-unknown-field", "a field the value's type does not have")
X(OP053, DIAG_ERROR,   "expr-unknown-func",  "a call to a function that does not exist")
X(OP054, DIAG_ERROR,   "expr-type",          "an operand or argument of the wrong type")
X(OP055, DIAG_ERROR,   "expr-compare",       "a comparison of values of different types")
X(OP056, DIAG_ERROR,   "expr-regex",         "a regular expression that PCRE2 rejects")
X(OP057, DIAG_ERROR,   "expr-maybe-null",    "a value that may be null used without a guard")
X(OP058, DIAG_ERROR,   "expr-arity",         "a function called with the wrong number of arguments")
X(OP059, DIAG_ERROR,   "expr-lambda",        "a lambda missing, misplaced or of the wrong shape")
X(OP060, DIAG_ERROR,   "expr-too-complex",   "an expression too long or nested too deeply")
