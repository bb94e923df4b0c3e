/* kube_cred.c - credentials for the next request.
 *
 * A static token is used as is; a tokenFile is re-read on every use because
 * projected service-account tokens rotate under a running process; an exec
 * plugin (client.authentication.k8s.io/v1 or v1beta1) is run once and its
 * ExecCredential cached until expirationTimestamp or a 401; one that comes
 * back already expired is an error, not a reason to run it on every request.
 * The plugin's stderr goes to /dev/null.  Everything secret is registered
 * with redact before anyone could print it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "kube_int.h"
#include "mem.h"
#include "redact.h"

#define KUBE_MAX_TOKEN_FILE   ((size_t)64 << 10)
#define KUBE_MAX_PLUGIN_OUT   ((size_t)1 << 20)
#define KUBE_PLUGIN_TIMEOUT_MS 60000

extern char **environ;

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_token_file(const char *path, char **out, struct kube_err *err)
{
	char *tok = NULL;
	size_t len = 0;
	int rc = fileio_read(&tok, &len, path, KUBE_MAX_TOKEN_FILE);
	if (rc == FILEIO_TOOBIG)
		return kube_fail(err, KUBE_ERR_AUTH, "token file '%s' is too large", path);
	if (rc < 0)
		return kube_fail(err, KUBE_ERR_AUTH, "cannot read token file '%s': %s", path, strerror(errno));
	while (len && strchr(" \t\r\n", tok[len - 1]))
		tok[--len] = 0;
	if (!len) {
		free(tok);
		return kube_fail(err, KUBE_ERR_AUTH, "token file '%s' is empty", path);
	}
	*out = tok;
	return 0;
}

/* The executable for a plugin command: a path as is, a bare name via PATH.
 * Resolved before fork so the child only calls execve. */
static char *find_command(const char *cmd)
{
	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
	char *found = NULL;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *d ? d : ".", cmd);
		if (access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

/* environ + the plugin's env (overriding) + KUBERNETES_EXEC_INFO. */
static char **plugin_env(const struct kube_exec_plugin *p)
{
	size_t n = 0, k = 0, extra = 0;
	while (environ[n])
		n++;
	while (p->env[extra])
		extra++;
	char **v = xcalloc(n + extra + 2, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strcspn(environ[i], "=");
		int overridden = !strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21);
		for (size_t j = 0; j < extra && !overridden; j++)
			overridden = !strncmp(environ[i], p->env[j], nl + 1);
		if (!overridden)
			v[k++] = environ[i];
	}
	for (size_t j = 0; j < extra; j++)
		v[k++] = p->env[j];
	v[k++] = xasprintf("KUBERNETES_EXEC_INFO={\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\","
			   "\"spec\":{\"interactive\":false}}", p->api_version);
	return v;
}

/* Run the plugin, collect its stdout (bounded, with a deadline). */
static int run_plugin(const struct kube_exec_plugin *p, struct strbuf *out, struct kube_err *err)
{
	char *exe = find_command(p->command);
	char **envp = NULL, **argv = NULL;
	int pfd[2] = {-1, -1}, rc = -1, status = 0;
	pid_t pid = -1;
	size_t nargs = 0;

	if (!exe) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' not found in PATH", p->command);
		goto done;
	}
	while (p->args[nargs])
		nargs++;
	argv = xcalloc(nargs + 2, sizeof *argv);
	argv[0] = p->command;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = p->args[i];
	envp = plugin_env(p);
	if (pipe(pfd) < 0) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin: pipe: %s", strerror(errno));
		goto done;
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin: fork: %s", strerror(errno));
		goto done;
	}
	if (pid == 0) {
		/* stdin and stderr are /dev/null: plugins log refresh tokens
		 * and such on stderr, and nothing of theirs reaches our output */
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		dup2(pfd[1], 1);
		close(pfd[1]);
		execve(exe, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	pfd[1] = -1;
	int64_t deadline = kube_now_ms() + KUBE_PLUGIN_TIMEOUT_MS;
	for (;;) {
		struct pollfd pl = {.fd = pfd[0], .events = POLLIN};
		int64_t left = deadline - kube_now_ms();
		if (left <= 0 || poll(&pl, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' did not answer within %d s",
				  p->command, KUBE_PLUGIN_TIMEOUT_MS / 1000);
			goto done;
		}
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > KUBE_MAX_PLUGIN_OUT) {
			kill(pid, SIGKILL);
			kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' wrote more than %zu bytes",
				  p->command, KUBE_MAX_PLUGIN_OUT);
			goto done;
		}
		sb_add(out, buf, (size_t)n);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* the plugin's stdout is never quoted: it may hold a credential */
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' failed (%s %d); its output is not "
			  "shown, it may hold credentials: run it by hand to see why", p->command,
			  WIFEXITED(status) ? "exit status" : "signal",
			  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto done;
	}
	rc = 0;
done:
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (envp) {
		size_t i = 0;
		while (envp[i + 1])
			i++;
		free(envp[i]);      /* the KUBERNETES_EXEC_INFO we allocated */
		free(envp);
	}
	free(argv);
	free(exe);
	return rc;
}

/* RFC 3339 "2026-11-26T10:00:00Z" (fraction and offset allowed) -> ms. */
static int parse_time(const char *s, int64_t *out)
{
	struct tm tm = {0};
	int off_h = 0, off_m = 0, sign = 0;
	const char *p;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	p = s + 19;
	if (*p == '.')
		while (*++p >= '0' && *p <= '9')
			;
	if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (sscanf(p + 1, "%2d:%2d", &off_h, &off_m) != 2)
			return -1;
	} else if (*p != 'Z' && *p != 'z') {
		return -1;
	}
	*out = ((int64_t)timegm(&tm) - sign * (off_h * 3600 + off_m * 60)) * 1000;
	return 0;
}

static int parse_credential(struct kube_cred *cred, const struct kube_exec_plugin *p,
			    const char *text, size_t len, struct kube_err *err)
{
	json_t *j = json_loadb(text, len, 0, NULL);
	const json_t *st = json_object_get(j, "status");
	const char *kind = json_string_value(json_object_get(j, "kind"));
	const char *api = json_string_value(json_object_get(j, "apiVersion"));
	const char *tok = json_string_value(json_object_get(st, "token"));
	const char *cert = json_string_value(json_object_get(st, "clientCertificateData"));
	const char *key = json_string_value(json_object_get(st, "clientKeyData"));
	const char *exp = json_string_value(json_object_get(st, "expirationTimestamp"));
	int rc = -1;

	if (!json_is_object(j) || !kind || strcmp(kind, "ExecCredential")) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' did not print an ExecCredential",
			  p->command);
		goto done;
	}
	if (!api || strcmp(api, p->api_version)) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' answered apiVersion '%s', want '%s'",
			  p->command, api ? api : "", p->api_version);
		goto done;
	}
	if (!(tok && *tok) && !(cert && key)) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s': status has neither token nor "
			  "clientCertificateData and clientKeyData", p->command);
		goto done;
	}
	if ((cert != NULL) != (key != NULL)) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s': clientCertificateData and "
			  "clientKeyData must come together", p->command);
		goto done;
	}
	int64_t expires = 0, now = wall_ms();
	if (exp && parse_time(exp, &expires) < 0) {
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s': bad expirationTimestamp '%s'",
			  p->command, exp);
		goto done;
	}
	if (exp && expires <= now) {
		/* sending it would only earn a 401, and running the plugin again
		 * on every request would not help: say so at once */
		kube_fail(err, KUBE_ERR_AUTH, "exec plugin '%s' returned a credential that had "
			  "already expired (expirationTimestamp '%s'); check the plugin's login and "
			  "this machine's clock", p->command, exp);
		goto done;
	}
	kube_cred_release(cred);
	if (tok && *tok) {
		redact_add_secret(tok);
		cred->token = xstrdup(tok);
	}
	if (cert) {
		redact_add_secret(key);
		cred->cert.data = (unsigned char *)xstrdup(cert);
		cred->cert.len = strlen(cert);
		cred->key.data = (unsigned char *)xstrdup(key);
		cred->key.len = strlen(key);
	}
	cred->expires_ms = expires;
	/* renew 10 s early so a request does not race the expiry, or halfway
	 * for a credential that lives less than 20 s */
	if (expires)
		cred->renew_ms = expires - (expires - now < 20000 ? (expires - now) / 2 : 10000);
	cred->valid = 1;
	rc = 0;
done:
	json_decref(j);
	return rc;
}

int kube_cred_get(struct kube_cred *cred, const struct kube_cfg *cfg, struct kube_err *err)
{
	if (cfg->exec) {
		struct strbuf out = {0};
		int rc;
		/* cached until expirationTimestamp (renew_ms) or a 401 */
		if (cred->valid && (!cred->expires_ms || wall_ms() < cred->renew_ms))
			return 0;
		rc = run_plugin(cfg->exec, &out, err);
		if (rc == 0)
			rc = parse_credential(cred, cfg->exec, out.s ? out.s : "", out.len, err);
		if (out.s)
			memset(out.s, 0, out.len);
		sb_release(&out);
		return rc;
	}
	kube_cred_release(cred);
	if (cfg->token) {
		cred->token = xstrdup(cfg->token);
	} else if (cfg->token_file) {
		if (read_token_file(cfg->token_file, &cred->token, err) < 0)
			return -1;
		redact_add_secret(cred->token);
	}
	cred->valid = 1;
	return 0;
}

void kube_cred_invalidate(struct kube_cred *cred)
{
	cred->valid = 0;
}

void kube_cred_release(struct kube_cred *cred)
{
	if (!cred)
		return;
	if (cred->token) {
		memset(cred->token, 0, strlen(cred->token));
		free(cred->token);
	}
	if (cred->key.data) {
		memset(cred->key.data, 0, cred->key.len);
		free(cred->key.data);
	}
	free(cred->cert.data);
	memset(cred, 0, sizeof *cred);
}
