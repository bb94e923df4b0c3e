/* version.c - the one place the version lives: the CLI prints it, SARIF
 * names it, the journal records it. */
#include "version.h"

#ifndef OPSPLAN_VERSION
#define OPSPLAN_VERSION "0.1.0-dev"
#endif
const char opsplan_version[] = OPSPLAN_VERSION;
