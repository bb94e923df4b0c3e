/* journal_impl.h - helpers shared by journal*.c only; not part of the
 * journal's contract (see journal.h). */
#ifndef OPSPLAN_JOURNAL_IMPL_H
#define OPSPLAN_JOURNAL_IMPL_H

#include "journal.h"

/* Fill err (may be NULL) and return code, so callers write
 * `return journal_seterr_(err, JOURNAL_EIO, errno, "...")`. */
int journal_seterr_(struct journal_err *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* mkdir -p with mode 0700 for what it creates. */
int journal_mkdirs_(const char *dir, struct journal_err *err);

/* Wall clock in milliseconds since the epoch. */
int64_t journal_now_ms_(void);

#endif
