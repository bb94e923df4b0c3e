/* version.h - opsplan's version string ("0.1.0-dev"). */
#ifndef OPSPLAN_VERSION_H
#define OPSPLAN_VERSION_H

extern const char opsplan_version[];

#endif
