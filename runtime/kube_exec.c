/* kube_exec.c - pods/exec over WebSocket, written on curl's CONNECT_ONLY.
 *
 * Debian's libcurl is built without WebSocket support, so this file speaks
 * RFC 6455 itself: curl opens the TCP+TLS connection (with the client's CA,
 * client certificate and verification settings), we send the HTTP/1.1
 * Upgrade, check 101 and Sec-WebSocket-Accept, then read frames.  Every
 * message is one channel byte then data: 1 stdout, 2 stderr, 3 the final
 * Status with the exit code, 255 (v5 only) "channel closed".  Client frames
 * are masked as the RFC requires; pings are answered. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kube_int.h"
#include "mem.h"
#include "redact.h"

#define WS_MAX_HEADER   ((size_t)64 << 10)
#define WS_GUID         "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* SHA-1 (FIPS 180-1), only for Sec-WebSocket-Accept. */
static uint32_t rol(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20])
{
	uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
	size_t total = ((len + 8) / 64 + 1) * 64;
	unsigned char *m = xcalloc(total, 1);
	memcpy(m, msg, len);
	m[len] = 0x80;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t off = 0; off < total; off += 64) {
		uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 |
			       (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
		for (int i = 16; i < 80; i++)
			w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
		for (int i = 0; i < 80; i++) {
			uint32_t f, k;
			if (i < 20)      { f = (b & c) | (~b & d);          k = 0x5A827999; }
			else if (i < 40) { f = b ^ c ^ d;                   k = 0x6ED9EBA1; }
			else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
			else             { f = b ^ c ^ d;                   k = 0xCA62C1D6; }
			uint32_t t = rol(a, 5) + f + e + k + w[i];
			e = d; d = c; c = rol(b, 30); b = a; a = t;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
	}
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
	free(m);
}

struct ws {
	CURL *h;
	curl_socket_t fd;
	int64_t deadline;
	unsigned char buf[16384];
	size_t off, len;
	struct kube_err *err;
	int sent_upgrade;        /* the command may have started */
};

static int ws_wait(struct ws *s, short ev)
{
	int64_t left = s->deadline - kube_now_ms();
	struct pollfd p = {.fd = s->fd, .events = ev};
	if (left <= 0 || poll(&p, 1, left > 1000 ? 1000 : (int)left) < 0)
		return left <= 0 ? kube_fail(s->err, KUBE_ERR_TIMEOUT, "exec: timed out") : 0;
	return 0;
}

static int ws_send_all(struct ws *s, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		size_t sent = 0;
		CURLcode cc = curl_easy_send(s->h, c, n, &sent);
		if (cc == CURLE_AGAIN) {
			if (ws_wait(s, POLLOUT) < 0)
				return -1;
			continue;
		}
		if (cc != CURLE_OK)
			return kube_fail(s->err, KUBE_ERR_NETWORK, "exec: send: %s", curl_easy_strerror(cc));
		c += sent;
		n -= sent;
	}
	return 0;
}

/* Refill the buffer.  0 ok, 1 EOF, -1 error. */
static int ws_fill(struct ws *s)
{
	if (s->off == s->len)
		s->off = s->len = 0;
	if (s->off > 0 && s->len == sizeof s->buf) {
		memmove(s->buf, s->buf + s->off, s->len - s->off);
		s->len -= s->off;
		s->off = 0;
	}
	for (;;) {
		size_t got = 0;
		CURLcode cc = curl_easy_recv(s->h, s->buf + s->len, sizeof s->buf - s->len, &got);
		if (cc == CURLE_AGAIN) {
			if (ws_wait(s, POLLIN) < 0)
				return -1;
			continue;
		}
		if (cc != CURLE_OK) {
			kube_fail(s->err, KUBE_ERR_NETWORK, "exec: receive: %s", curl_easy_strerror(cc));
			return -1;
		}
		if (got == 0)
			return 1;
		s->len += got;
		return 0;
	}
}

/* Exactly n bytes into dst (appended to a strbuf when sb != NULL). */
static int ws_read(struct ws *s, void *dst, struct strbuf *sb, size_t n)
{
	unsigned char *d = dst;
	while (n) {
		if (s->off == s->len) {
			int r = ws_fill(s);
			if (r)
				return r < 0 ? -1 : kube_fail(s->err, KUBE_ERR_NETWORK,
							      "exec: connection closed mid-frame");
		}
		size_t k = s->len - s->off < n ? s->len - s->off : n;
		if (sb)
			sb_add(sb, (char *)s->buf + s->off, k);
		else {
			memcpy(d, s->buf + s->off, k);
			d += k;
		}
		s->off += k;
		n -= k;
	}
	return 0;
}

static int ws_send_frame(struct ws *s, int opcode, const unsigned char *p, size_t n)
{
	unsigned char hdr[14], mask[4];
	size_t hl = 0;
	hdr[hl++] = (unsigned char)(0x80 | opcode);
	if (n < 126) {
		hdr[hl++] = (unsigned char)(0x80 | n);
	} else if (n < 65536) {
		hdr[hl++] = 0x80 | 126;
		hdr[hl++] = (unsigned char)(n >> 8);
		hdr[hl++] = (unsigned char)n;
	} else {
		hdr[hl++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			hdr[hl++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	for (int i = 0; i < 4; i++)
		mask[i] = (unsigned char)(rand() ^ (kube_now_ms() >> i));
	memcpy(hdr + hl, mask, 4);
	hl += 4;
	unsigned char *m = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		m[i] = p[i] ^ mask[i & 3];
	int rc = ws_send_all(s, hdr, hl);
	if (rc == 0)
		rc = ws_send_all(s, m, n);
	free(m);
	return rc;
}

/* Split "https://host:port/prefix" into host[:port] and path prefix. */
static void split_server(const char *server, char **host, char **prefix)
{
	const char *h = strstr(server, "://");
	h = h ? h + 3 : server;
	const char *slash = strchr(h, '/');
	*host = slash ? xstrndup(h, (size_t)(slash - h)) : xstrdup(h);
	*prefix = xstrdup(slash ? slash : "");
}

/* Case-insensitive strstr: header names are case-insensitive. */
static const char *find_ci(const char *h, const char *name)
{
	size_t n = strlen(name);
	for (; *h; h++)
		if (!strncasecmp(h, name, n))
			return h;
	return NULL;
}

/* Read the HTTP reply to the Upgrade.  0 upgraded (proto set), -1 err. */
static int ws_handshake_reply(struct ws *s, const char *key, int *v5)
{
	struct strbuf hb = {0};
	char *end = NULL;
	int rc = -1;

	while (!(end = hb.s ? strstr(hb.s, "\r\n\r\n") : NULL)) {
		if (hb.len > WS_MAX_HEADER) {
			kube_fail(s->err, KUBE_ERR_PROTOCOL, "exec: reply headers too large");
			goto done;
		}
		unsigned char c;
		if (ws_read(s, &c, NULL, 1) < 0)
			goto done;
		sb_putc(&hb, (char)c);
	}
	long code = 0;
	if (sscanf(hb.s, "HTTP/1.%*d %ld", &code) != 1) {
		kube_fail(s->err, KUBE_ERR_PROTOCOL, "exec: not an HTTP reply");
		goto done;
	}
	if (code != 101) {
		/* the API server explains in a Status body; read what is there */
		struct strbuf body = {0};
		const char *cl = find_ci(hb.s, "\r\ncontent-length:");
		size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
		if (want > WS_MAX_HEADER)
			want = WS_MAX_HEADER;
		if (want == 0 || ws_read(s, NULL, &body, want) < 0)
			while (body.len < WS_MAX_HEADER && s->off < s->len)
				sb_putc(&body, (char)s->buf[s->off++]);
		kube_status_to_err(s->err, code, body.s, body.len);
		sb_release(&body);
		goto done;
	}
	const char *acc = find_ci(hb.s, "\r\nsec-websocket-accept:");
	unsigned char dig[20];
	char *want_key = xasprintf("%s%s", key, WS_GUID);
	sha1((unsigned char *)want_key, strlen(want_key), dig);
	free(want_key);
	char *expect = kube_b64_encode(dig, 20);
	int ok = 0;
	if (acc) {
		acc += 23;
		while (*acc == ' ')
			acc++;
		ok = !strncmp(acc, expect, strlen(expect));
	}
	free(expect);
	if (!ok) {
		kube_fail(s->err, KUBE_ERR_PROTOCOL, "exec: bad or missing Sec-WebSocket-Accept");
		goto done;
	}
	const char *proto = find_ci(hb.s, "\r\nsec-websocket-protocol:");
	*v5 = proto && strstr(proto, "v5.channel.k8s.io") &&
	      strstr(proto, "v5.channel.k8s.io") < strstr(proto + 2, "\r\n");
	rc = 0;
done:
	sb_release(&hb);
	return rc;
}

/* Parse the channel-3 Status: Success -> 0, NonZeroExitCode -> N. */
static int exit_from_status(struct ws *s, const struct strbuf *st, int *exit_code)
{
	json_t *j = st->len ? json_loadb(st->s, st->len, 0, NULL) : NULL;
	const char *status = json_string_value(json_object_get(j, "status"));
	const char *reason = json_string_value(json_object_get(j, "reason"));
	int rc = -1;

	if (!status) {
		kube_fail(s->err, KUBE_ERR_PROTOCOL, "exec: ended without an exit status");
	} else if (!strcmp(status, "Success")) {
		*exit_code = 0;
		rc = 0;
	} else if (reason && !strcmp(reason, "NonZeroExitCode")) {
		json_t *causes = json_object_get(json_object_get(j, "details"), "causes"), *cz;
		size_t i;
		*exit_code = 1;
		json_array_foreach(causes, i, cz) {
			const char *r = json_string_value(json_object_get(cz, "reason"));
			const char *m = json_string_value(json_object_get(cz, "message"));
			if (r && m && !strcmp(r, "ExitCode"))
				*exit_code = atoi(m);
		}
		rc = 0;
	} else {
		kube_status_from_json(s->err, 0, j);
		if (s->err->cls == KUBE_ERR_PROTOCOL)
			s->err->cls = KUBE_ERR_SERVER;
	}
	json_decref(j);
	return rc;
}

static int ws_frames(struct ws *s, struct strbuf *out, struct strbuf *errout, int *exit_code)
{
	struct strbuf msg = {0}, status = {0};
	int rc = -1, got_status = 0;

	for (;;) {
		unsigned char h2[2], ext[8], mkey[4];
		uint64_t n;
		int r;
		if (s->off == s->len) {
			r = ws_fill(s);
			if (r < 0)
				goto done;
			if (r > 0)
				break;       /* EOF without a close frame: judge by status */
		}
		if (ws_read(s, h2, NULL, 2) < 0)
			goto done;
		int fin = h2[0] & 0x80, op = h2[0] & 0x0f, masked = h2[1] & 0x80;
		n = h2[1] & 0x7f;
		if (n == 126) {
			if (ws_read(s, ext, NULL, 2) < 0)
				goto done;
			n = (uint64_t)ext[0] << 8 | ext[1];
		} else if (n == 127) {
			if (ws_read(s, ext, NULL, 8) < 0)
				goto done;
			n = 0;
			for (int i = 0; i < 8; i++)
				n = n << 8 | ext[i];
		}
		if (masked && ws_read(s, mkey, NULL, 4) < 0)
			goto done;
		if (n > KUBE_MAX_BODY || msg.len + n > KUBE_MAX_BODY) {
			kube_fail(s->err, KUBE_ERR_TOOLARGE, "exec: a message is larger than %zu bytes",
				  KUBE_MAX_BODY);
			goto done;
		}
		size_t start = msg.len;
		if (n && ws_read(s, NULL, &msg, (size_t)n) < 0)
			goto done;
		if (!msg.s)
			sb_puts(&msg, "");
		if (masked)
			for (size_t i = 0; i < n; i++)
				msg.s[start + i] ^= (char)mkey[i & 3];
		if (op == 0x8) {             /* close: answer and stop */
			ws_send_frame(s, 0x8, (unsigned char *)msg.s + start,
				      n >= 2 ? 2 : 0);
			break;
		}
		if (op == 0x9) {             /* ping: pong with the same payload */
			if (ws_send_frame(s, 0xA, (unsigned char *)msg.s + start, (size_t)n) < 0)
				goto done;
			msg.len = start;
			continue;
		}
		if (op == 0xA) {
			msg.len = start;
			continue;
		}
		if (!fin)
			continue;            /* continuation follows */
		if (msg.len >= 1) {
			unsigned char ch = (unsigned char)msg.s[0];
			struct strbuf *dst = ch == 1 ? out : ch == 2 ? errout : ch == 3 ? &status : NULL;
			if (dst && msg.len > 1) {
				if (dst->len + msg.len - 1 > KUBE_MAX_BODY) {
					kube_fail(s->err, KUBE_ERR_TOOLARGE,
						  "exec: output is larger than %zu bytes", KUBE_MAX_BODY);
					goto done;
				}
				sb_add(dst, msg.s + 1, msg.len - 1);
			}
			got_status |= ch == 3 && msg.len > 1;
		}
		msg.len = 0;
	}
	(void)got_status;
	rc = exit_from_status(s, &status, exit_code);
done:
	sb_release(&msg);
	sb_release(&status);
	return rc;
}

/* Connect, send the Upgrade, read the 101.  0 ok (s->h open), -1 err. */
static int exec_open(struct kube_client *c, struct ws *s, const char *url, const char *prefix,
		     const char *query, const char *host, int *v5)
{
	struct strbuf req = {0};
	unsigned char nonce[16];
	char errbuf[CURL_ERROR_SIZE] = "", *key = NULL;
	int rc = -1;

	kube_err_clear(s->err);
	s->sent_upgrade = 0;
	s->h = curl_easy_init();
	if (!s->h)
		abort();
	if (kube_cred_get(&c->cred, &c->cfg, s->err) < 0)
		goto done;
	kube_http_setup_tls(c, s->h);
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_CONNECT_ONLY, 1L);
	/* the Upgrade is HTTP/1.1: ALPN must not pick h2 on us */
	curl_easy_setopt(s->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "https,http");
	int64_t t0 = kube_now_ms();
	CURLcode cc = curl_easy_perform(s->h);
	if (cc != CURLE_OK) {
		int stall;
		char *what = xasprintf("exec in '%s'", url + strlen(c->cfg.server));
		kube_http_transport_err(c, s->h, cc, NULL, what, errbuf, &stall, s->err);
		free(what);
		goto done;
	}
	curl_easy_getinfo(s->h, CURLINFO_ACTIVESOCKET, &s->fd);
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (unsigned char)(rand() ^ (kube_now_ms() >> (i % 8)));
	key = kube_b64_encode(nonce, sizeof nonce);
	sb_printf(&req, "GET %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: opsplan\r\n"
		  "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
		  "Sec-WebSocket-Key: %s\r\n"
		  "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n",
		  prefix, query, host, key);
	if (c->cred.token)
		sb_printf(&req, "Authorization: Bearer %s\r\n", c->cred.token);
	sb_puts(&req, "\r\n");
	int sent = ws_send_all(s, req.s, req.len);
	s->sent_upgrade = 1;
	memset(req.s, 0, req.len);
	if (sent < 0)
		goto done;
	/* the 101 comes at once; only the command's own frames may take long */
	int64_t deadline = s->deadline;
	if (c->first_byte_ms < deadline - kube_now_ms())
		s->deadline = kube_now_ms() + c->first_byte_ms;
	rc = ws_handshake_reply(s, key, v5);
	if (rc < 0 && s->err->cls == KUBE_ERR_TIMEOUT && s->deadline < deadline) {
		char d[32];
		snprintf(d, sizeof d, "%ld ms", c->first_byte_ms);
		kube_fail(s->err, KUBE_ERR_TIMEOUT, "%s completed TLS, but did not answer the "
			  "exec upgrade within %s", c->cfg.server, d);
	}
	s->deadline = deadline;
	if (rc < 0)
		kube_http_explain_denied(c, "POST", query, s->err);
	kube_http_debug(c, "EXEC", url, rc == 0 ? 101 : s->err->http_code, t0,
			rc == 0 ? (*v5 ? "v5.channel.k8s.io" : "v4.channel.k8s.io") : NULL);
done:
	sb_release(&req);
	free(key);
	return rc;
}

int kube_exec(struct kube_client *c, const char *ns, const char *pod,
	      const char *container, const char *const *argv, long timeout_ms,
	      char **out_stdout, char **out_stderr, int *exit_code,
	      struct kube_err *err)
{
	struct ws s = {0};
	struct strbuf q = {0}, out = {0}, errout = {0};
	char *host = NULL, *prefix = NULL, *url = NULL;
	int rc = -1, v5 = 0;

	kube_err_clear(err);
	if (out_stdout)
		*out_stdout = NULL;
	if (out_stderr)
		*out_stderr = NULL;
	*exit_code = -1;
	if (!argv || !argv[0])
		return kube_fail(err, KUBE_ERR_INVALID, "exec: empty command");
	s.err = err;
	s.deadline = kube_now_ms() + (timeout_ms > 0 ? timeout_ms : c->timeout_ms);

	char *e = curl_easy_escape(NULL, pod, 0);
	sb_printf(&q, "/api/v1/namespaces/%s/pods/%s/exec?stdout=true&stderr=true",
		  ns ? ns : kube_namespace(c), e);
	curl_free(e);
	if (container) {
		e = curl_easy_escape(NULL, container, 0);
		sb_printf(&q, "&container=%s", e);
		curl_free(e);
	}
	for (size_t i = 0; argv[i]; i++) {
		e = curl_easy_escape(NULL, argv[i], 0);
		sb_printf(&q, "&command=%s", e);
		curl_free(e);
	}
	split_server(c->cfg.server, &host, &prefix);
	url = xasprintf("%s%s", c->cfg.server, q.s);

	/* the command starts only once the upgrade is done, so a refused or
	 * failed handshake (connection error, 429, 5xx) is safe to try again */
	for (int attempt = 0, stalls = 0;; attempt++) {
		if (exec_open(c, &s, url, prefix, q.s, host, &v5) == 0)
			break;
		/* a connection or TLS stall (TIMEOUT with no HTTP code, before
		 * the upgrade was sent) once more; an unanswered upgrade never:
		 * the command may be running */
		int stall = err->cls == KUBE_ERR_TIMEOUT && !s.sent_upgrade;
		if (attempt >= c->max_retries || kube_now_ms() >= s.deadline ||
		    (stall && stalls++ >= KUBE_TIMEOUT_RETRIES) ||
		    !(stall || err->cls == KUBE_ERR_NETWORK || err->http_code == 429 || err->http_code >= 500))
			goto done;
		if (stall)
			kube_http_notice(c, "%s; retrying", err->msg);
		curl_easy_cleanup(s.h);
		s.h = NULL;
		s.off = s.len = 0;
		long wait = kube_http_backoff_ms(attempt, -1);
		struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (ws_frames(&s, &out, &errout, exit_code) < 0)
		goto done;
	if (out_stdout) {
		if (!out.s)
			sb_puts(&out, "");
		*out_stdout = sb_detach(&out);
	}
	if (out_stderr) {
		if (!errout.s)
			sb_puts(&errout, "");
		*out_stderr = sb_detach(&errout);
	}
	rc = 0;
done:
	curl_easy_cleanup(s.h);
	sb_release(&q);
	sb_release(&out);
	sb_release(&errout);
	free(host);
	free(prefix);
	free(url);
	return rc;
}
