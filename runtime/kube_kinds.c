/* kube_kinds.c - kind names to API paths.
 *
 * A fixed table rather than discovery: the plans touch a known set of kinds
 * and a table is testable offline.  ORDER KINDS: add a row to add a kind. */
#include <string.h>
#include <strings.h>

#include "kube_int.h"
#include "mem.h"

static const struct kind {
	const char *kind, *plural, *prefix;   /* prefix: "/api/v1" or "/apis/G/V" */
	int namespaced;
} kinds[] = {
	{"Pod", "pods", "/api/v1", 1},
	{"Service", "services", "/api/v1", 1},
	{"Endpoints", "endpoints", "/api/v1", 1},
	{"ConfigMap", "configmaps", "/api/v1", 1},
	{"Secret", "secrets", "/api/v1", 1},
	{"PersistentVolumeClaim", "persistentvolumeclaims", "/api/v1", 1},
	{"Event", "events", "/api/v1", 1},
	{"ServiceAccount", "serviceaccounts", "/api/v1", 1},
	{"Namespace", "namespaces", "/api/v1", 0},
	{"StatefulSet", "statefulsets", "/apis/apps/v1", 1},
	{"Deployment", "deployments", "/apis/apps/v1", 1},
	{"ReplicaSet", "replicasets", "/apis/apps/v1", 1},
	{"DaemonSet", "daemonsets", "/apis/apps/v1", 1},
	{"Job", "jobs", "/apis/batch/v1", 1},
	{"Lease", "leases", "/apis/coordination.k8s.io/v1", 1},
	{"Build", "builds", "/apis/build.openshift.io/v1", 1},
	{"BuildConfig", "buildconfigs", "/apis/build.openshift.io/v1", 1},
	{"ImageStream", "imagestreams", "/apis/image.openshift.io/v1", 1},
	{"ImageStreamTag", "imagestreamtags", "/apis/image.openshift.io/v1", 1},
	{"DeploymentConfig", "deploymentconfigs", "/apis/apps.openshift.io/v1", 1},
	{"Route", "routes", "/apis/route.openshift.io/v1", 1},
};

/* One path segment, percent-encoded: a name or namespace with '/', '?', '#'
 * or '%' stays one segment of this object's path (kube_proxy escapes the pod
 * the same way).  ':' and '@' are path characters (RFC 3986 pchar) and name
 * ImageStreamTags ("patroni:build") and images ("is@sha256:..."): kept. */
static void add_segment(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~:@", *p))
			sb_add(b, (const char *)p, 1);
		else
			sb_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

char *kube_kind_path(const struct kube_client *c, const char *kind,
		     const char *ns, const char *name, const char *sub)
{
	const struct kind *k = NULL;
	struct strbuf b = {0};

	for (size_t i = 0; i < sizeof kinds / sizeof *kinds && kind; i++)
		if (!strcmp(kind, kinds[i].kind) || !strcasecmp(kind, kinds[i].plural)) {
			k = &kinds[i];
			break;
		}
	if (!k)
		return NULL;
	if (k->namespaced && !ns)
		ns = c ? kube_namespace(c) : NULL;
	if (k->namespaced && (!ns || !*ns))
		return NULL;
	sb_puts(&b, k->prefix);
	if (k->namespaced) {
		sb_puts(&b, "/namespaces/");
		add_segment(&b, ns);
	}
	sb_printf(&b, "/%s", k->plural);
	if (name) {
		sb_puts(&b, "/");
		add_segment(&b, name);
	}
	if (name && sub)
		sb_printf(&b, "/%s", sub);
	return sb_detach(&b);
}
