/* ir_sha256.c - sha256 for the IR's content hash (FIPS 180-4), written
 * here because none of the linked libraries exports one. */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define G0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define G1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
/* One round with the registers renamed instead of shifted: the IR is hashed
 * on every compile, and this is most of what emitting it costs. */
#define R(a, b, c, d, e, f, g, h, i)                                   \
	do {                                                           \
		uint32_t t1_ = h + S1(e) + CH(e, f, g) + K[i] + w[(i) & 15]; \
		d += t1_;                                              \
		h = t1_ + S0(a) + MAJ(a, b, c);                        \
	} while (0)
#define W(i) (w[(i) & 15] += G1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + G0(w[((i) - 15) & 15]))

static void block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[16];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i += 8) {
		if (i >= 16)
			for (int j = i; j < i + 8; j++)
				W(j);
		R(a, b, c, d, e, f, g, k, i);
		R(k, a, b, c, d, e, f, g, i + 1);
		R(g, k, a, b, c, d, e, f, i + 2);
		R(f, g, k, a, b, c, d, e, i + 3);
		R(e, f, g, k, a, b, c, d, i + 4);
		R(d, e, f, g, k, a, b, c, i + 5);
		R(c, d, e, f, g, k, a, b, i + 6);
		R(b, c, d, e, f, g, k, a, i + 7);
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += 64)
		block(h, p);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* The SHA extensions do four rounds per two instructions; on the CPUs that
 * have them this is several times faster than the portable rounds.  State
 * is kept as ABEF/CDGH, the layout sha256rnds2 works on. */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);   /* CDAB */
	__m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);  /* EFGH */
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);                                          /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0);                                               /* CDGH */
	for (; n; n--, p += 64) {
		__m128i save0 = s0, save1 = s1, w[4];
		for (int i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
		for (int g = 0; g < 16; g++) {
			__m128i cur;
			if (g < 4) {
				cur = w[g];
			} else {
				__m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
				cur = _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
				w[g & 3] = cur;
			}
			__m128i m = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);          /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);         /* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xF0);        /* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);           /* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

static int have_shani(void)
{
	static int known = -1;
	unsigned a, b, c, d;
	if (known >= 0)
		return known;
	known = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9)) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
		known = 1;
	return known;
}
#define BLOCKS(h, p, n) (have_shani() && !getenv("OPSPLAN_NO_SHANI") ? blocks_shani(h, p, n) : blocks_portable(h, p, n))
#else
#define BLOCKS(h, p, n) blocks_portable(h, p, n)
#endif

/* Incremental state, so that ir_hash can hash the text around its hash
 * line in place: copying the IR (tens of KiB, a fresh heap block for each
 * plan) cost more than hashing it. */
struct sha256 {
	uint32_t h[8];
	uint64_t total;        /* bytes fed so far */
	size_t n;              /* bytes waiting in buf */
	uint8_t buf[64];
};

static void sha_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof iv);
	c->total = 0;
	c->n = 0;
}

static void sha_update(struct sha256 *c, const uint8_t *p, size_t len)
{
	c->total += len;
	if (c->n) {
		size_t k = 64 - c->n < len ? 64 - c->n : len;
		memcpy(c->buf + c->n, p, k);
		c->n += k;
		p += k;
		len -= k;
		if (c->n < 64)
			return;
		BLOCKS(c->h, c->buf, 1);
		c->n = 0;
	}
	size_t full = len / 64;
	if (full)
		BLOCKS(c->h, p, full);
	p += full * 64;
	len -= full * 64;
	memcpy(c->buf, p, len);
	c->n = len;
}

static void sha_final(struct sha256 *c, uint8_t out[32])
{
	uint8_t tail[128] = {0};
	size_t n = c->n;
	memcpy(tail, c->buf, n);
	tail[n] = 0x80;
	size_t tl = n < 56 ? 64 : 128;
	uint64_t bits = c->total * 8;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
	BLOCKS(c->h, tail, tl / 64);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void ir_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct sha256 c;
	sha_init(&c);
	sha_update(&c, data, len);
	sha_final(&c, out);
}

/* The text without its third line, hashed in two pieces. */
int ir_hash(const char *text, size_t len, char out[72])
{
	static const char hex[] = "0123456789abcdef";
	const char *l3 = memchr(text, '\n', len);
	if (l3)
		l3 = memchr(l3 + 1, '\n', len - (size_t)(l3 + 1 - text));
	if (!l3)
		return -1;
	l3++;
	const char *l4 = memchr(l3, '\n', len - (size_t)(l3 - text));
	if (!l4)
		return -1;
	l4++;
	struct sha256 c;
	uint8_t d[32];
	sha_init(&c);
	sha_update(&c, (const uint8_t *)text, (size_t)(l3 - text));
	sha_update(&c, (const uint8_t *)l4, len - (size_t)(l4 - text));
	sha_final(&c, d);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[8 + 2 * i] = hex[d[i] & 15];
	}
	out[71] = '\0';
	return 0;
}
