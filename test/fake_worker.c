/*-------------------------------------------------------------------------
 *
 * fake_worker.c
 *	  A hostile plsafepy-worker for test/fuzz_backend.sh: no Python, no
 *	  walls.  It takes the channel as the real worker does (fd 3, the
 *	  segment's memfd on it), reads INIT, sends a HELLO that claims the
 *	  seccomp wall, and then answers each CALL as its first two arguments
 *	  say: (scenario, seed).  Scenario 0 returns seed; every other one sends
 *	  corrupt frames or records (bad tags, huge or short lengths, broken
 *	  positions, MORE frames, unexpected tags, truncated or padded records,
 *	  unknown request ops, reports with bad levels or invalid UTF-8, values
 *	  the wire refuses or that do not fit the result type, deep nesting,
 *	  floods of requests, an exit or a crash mid-call, silence, malformed
 *	  answers to the whitelist view's WHITELIST), varied by a
 *	  PRNG seeded with (scenario, seed), so that each outcome is
 *	  reproducible.  The expected SQLSTATE of each scenario is in
 *	  test/fuzz_backend.sh, which keeps the two lists in step.
 *
 *	  The backend must end every call with the expected ERROR, never crash,
 *	  never trust a byte of this program.  Built by the test-only flavour
 *	  (make PLSAFEPY_TESTING=1) and installed as plsafepy-fake-worker;
 *	  linked with the channel (src/worker/channel.c) and the wire
 *	  (src/wire.c) only.
 *
 *-------------------------------------------------------------------------
 */
#include "wire.h"
#include "worker/channel.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* plpy_host.h's PLSReportLevel (DEBUG is 0, FATAL 6), without its Python */
#define REPORT_DEBUG 0
#define REPORT_ERROR 5
#define REPORT_LEVELS 7
/* SQLSTATE 22012 (division_by_zero) in PostgreSQL's MAKE_SQLSTATE form */
#define SQLSTATE_22012 (2 | (2 << 6) | (0 << 12) | (1 << 18) | (2 << 24))

static PlsChan chan;
static uint64_t rng;

static void *
mem_alloc(void *cx, size_t size)
{
	return malloc(size ? size : 1);
}

static void *
mem_realloc(void *cx, void *p, size_t size)
{
	return realloc(p, size ? size : 1);
}

static void
mem_free(void *cx, void *p)
{
	free(p);
}

static const PlsWireMem mem = {mem_alloc, mem_realloc, mem_free, NULL};

/* splitmix64 */
static uint64_t
next(void)
{
	uint64_t	z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* a number in [lo, hi] */
static uint32_t
range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t) (next() % ((uint64_t) hi - lo + 1));
}

/* ---------- the channel ---------- */

static void
take_channel(void)
{
	int			fd = pls_chan_receive_fd(PLS_CHAN_FD);
	void	   *p;

	if (fd < 0)
		_exit(2);
	p = mmap(NULL, sizeof(PlsChanShm), PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	close(fd);
	if (p == MAP_FAILED ||
		pls_chan_attach(&chan, p, PLS_CHAN_FD, PLS_CHAN_WORKER) != PLS_CHAN_OK)
		_exit(2);
}

static void
send_msg(uint32_t tag, const PlsWireBuf *b)
{
	if (b->failed || pls_wire_send(&chan, tag, b, 10000) != PLS_CHAN_OK)
		_exit(0);				/* the backend ended us: expected */
}

/*
 * A frame written by hand into the reply ring: header (tag, len, sequence
 * word seq: the frame's own is its position plus 1, 0 writes none),
 * payload, then the ring's head moved by advance bytes (whatever the
 * frame's real size), so that lengths, sequence words and positions can
 * lie.
 */
static void
raw_frame(uint32_t tag, uint32_t len, uint32_t seq,
		  const unsigned char *payload, uint32_t plen, uint32_t advance)
{
	unsigned char *ring = chan.shm->data[1];
	uint32_t	hdr[2] = {tag, len};
	uint32_t	pos = chan.send_head;

	memcpy(ring + (pos & (PLS_CHAN_RING_SIZE - 1)), hdr, sizeof(hdr));
	for (uint32_t i = 0; i < plen; i++)
		ring[(pos + PLS_CHAN_HDR_SIZE + i) & (PLS_CHAN_RING_SIZE - 1)] = payload[i];
	if (seq != 0)
		__atomic_store_n((uint32_t *) (ring + (pos & (PLS_CHAN_RING_SIZE - 1)) + 8),
						 seq, __ATOMIC_SEQ_CST);
	chan.send_head += advance;
	__atomic_store_n(&chan.shm->ctl[1].head, chan.send_head, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &chan.shm->ctl[1].head, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The sequence word of a frame at the reply ring's head. */
#define OWN_SEQ (chan.send_head + 1)

/* Send a REQ and wait for its REP (anything else: the end). */
static void
request(const PlsWireBuf *b)
{
	PlsWireRecv rv;
	uint32_t	tag;

	send_msg(PLS_MSG_REQ, b);
	pls_wire_recv_init(&rv, &mem);
	if (pls_wire_recv(&chan, &rv, &tag, PLS_WIRE_MAX_MESSAGE, 10000) != PLS_CHAN_OK ||
		tag != PLS_MSG_REP)
		_exit(0);
	pls_wire_recv_free(&rv);
}

/*
 * A ZONE_DATA request for key: 1 if the backend sent a zone's file, whose
 * first bytes are then in magic (4 bytes); 0 if it found none.
 */
static int
zone_data(const char *key, size_t len, char magic[4])
{
	PlsWireBuf	b;
	PlsWireRecv rv;
	PlsWireReader r;
	uint32_t	tag;
	uint8_t		ok;
	uint8_t		found;
	const char *data;
	size_t		dlen;

	pls_wire_buf_init(&b, &mem);
	pls_wire_put_u8(&b, PLS_OP_ZONE_DATA);
	pls_wire_put_bytes(&b, key, len);
	send_msg(PLS_MSG_REQ, &b);
	pls_wire_buf_free(&b);
	pls_wire_recv_init(&rv, &mem);
	if (pls_wire_recv(&chan, &rv, &tag, PLS_WIRE_MAX_MESSAGE, 10000) != PLS_CHAN_OK ||
		tag != PLS_MSG_REP)
		_exit(0);
	pls_wire_reader_init(&r, rv.buf.data, rv.buf.len, &mem);
	if (!pls_wire_get_u8(&r, &ok) || ok != 1 || !pls_wire_get_u8(&r, &found))
		_exit(2);
	if (found && (!pls_wire_get_bytes(&r, &data, &dlen) || dlen < 4))
		_exit(2);
	if (found)
		memcpy(magic, data, 4);
	pls_wire_recv_free(&rv);
	return found;
}

/* ---------- records, valid and not ---------- */

static void
put_return_int(PlsWireBuf *b, int64_t v)
{
	pls_wire_put_u8(b, 1);
	pls_wire_put_u8(b, PLS_V_INT64);
	pls_wire_put_i64(b, v);
}

static void
put_random_bytes(PlsWireBuf *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		pls_wire_put_u8(b, (uint8_t) next());
}

/* A valid UTF-8 string: prefix, then n pieces (ASCII and multibyte). */
static void
put_random_text(PlsWireBuf *b, const char *prefix, uint32_t n)
{
	static const char *const pieces[] = {"a", "Z", "0", " ", "\xc3\xa9",
	"\xe2\x82\xac", "\xf0\x9f\x90\x8d", "'", "\"", "\\"};
	char		text[1024];
	size_t		len = strlen(prefix);

	memcpy(text, prefix, len);
	for (uint32_t i = 0; i < n && len + 4 <= sizeof(text); i++)
	{
		const char *p = pieces[range(0, 9)];

		memcpy(text + len, p, strlen(p));
		len += strlen(p);
	}
	pls_wire_put_bytes(b, text, len);
}

/*
 * An error record (RAISE, REPORT) with message msg (len bytes, which need
 * not be UTF-8): wire.c's own writer with a placeholder of that length,
 * whose bytes are then replaced (the message follows the i32 code and its
 * u32 length).
 */
static void
put_error(PlsWireBuf *b, int32_t code, const char *msg, size_t len,
		  uint8_t origin)
{
	PlsWireError we;
	char	   *placeholder = malloc(len + 1);
	size_t		start = b->len;

	if (placeholder == NULL)
		_exit(2);
	memset(placeholder, 'x', len);
	placeholder[len] = '\0';
	memset(&we, 0, sizeof(we));
	we.sqlerrcode = code;
	we.message = placeholder;
	we.origin = origin;
	pls_wire_put_error(b, &we);
	if (!b->failed)
		memcpy(b->data + start + 8, msg, len);
	free(placeholder);
}

/* Bytes that are not UTF-8: a lone continuation, an overlong form, a NUL. */
static const char *const bad_utf8[] = {"ab\x80", "\xc0\xaf", "a\0b",
"\xed\xa0\x80", "\xf8\x88\x80\x80\x80", "\xff"};
static const size_t bad_utf8_len[] = {3, 2, 3, 3, 5, 1};

/* ---------- the scenarios (test/fuzz_backend.sh lists their outcomes) ---- */

/*
 * Scenarios 41 to 45 are armed by a call (which returns its seed) and
 * played at the next WHITELIST, which test/fuzz_backend.sh's fz_wl sends
 * by reading the view after that call.
 */
static int32_t wl_scenario = 0;
static int64_t wl_seed;

static void
scenario(int32_t s, int64_t seed)
{
	PlsWireBuf	b;
	unsigned char junk[64];

	pls_wire_buf_init(&b, &mem);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char) next();

	switch (s)
	{
		case 0:					/* a valid result: seed */
			put_return_int(&b, seed);
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 1:					/* a tag the channel does not know */
			raw_frame(next() % 2 ? 0 : range(PLS_MSG_END, UINT32_MAX), 8,
					  OWN_SEQ, junk, 8, PLS_CHAN_FRAME_ALIGN);
			break;
		case 2:					/* a length beyond any frame */
			raw_frame(PLS_MSG_RETURN, range(PLS_CHAN_MAX_PAYLOAD + 1, UINT32_MAX),
					  OWN_SEQ, junk, 8, PLS_CHAN_FRAME_ALIGN);
			break;
		case 3:					/* a sequence word that is not the
								 * frame's: another position, or junk */
			raw_frame(PLS_MSG_RETURN, 8,
					  next() % 2 ? OWN_SEQ + PLS_CHAN_FRAME_ALIGN * range(1, 1023) :
					  range(1, UINT32_MAX), junk, 8, PLS_CHAN_FRAME_ALIGN);
			break;
		case 4:					/* head moved on, no frame there:
								 * unaligned, a frame's size, or beyond
								 * the ring */
			raw_frame(PLS_MSG_RETURN, 8, 0, junk, 8,
					  next() % 3 == 0 ? range(1, PLS_CHAN_FRAME_ALIGN - 1) :
					  next() % 2 ? PLS_CHAN_FRAME_ALIGN :
					  range(PLS_CHAN_RING_SIZE + PLS_CHAN_FRAME_ALIGN,
							UINT32_MAX - PLS_CHAN_FRAME_ALIGN) &
					  ~(uint32_t) (PLS_CHAN_FRAME_ALIGN - 1));
			break;
		case 5:					/* a MORE frame that is not full */
			raw_frame(PLS_MSG_MORE, 16 * range(0, 100), OWN_SEQ, junk, 0,
					  PLS_CHAN_HDR_SIZE + 16 * range(0, 100));
			break;
		case 6:					/* a tag the call does not expect */
			{
				static const uint32_t tags[] = {PLS_MSG_HELLO, PLS_MSG_ERROR,
					PLS_MSG_PING, PLS_MSG_PONG, PLS_MSG_EXEC, PLS_MSG_RESULT,
				PLS_MSG_INIT, PLS_MSG_CALL, PLS_MSG_REP};

				put_random_bytes(&b, range(0, 64));
				send_msg(tags[range(0, 8)], &b);
				break;
			}
		case 7:					/* RETURN truncated or with bytes left */
			put_return_int(&b, seed);
			if (next() % 2)
				b.len = range(0, (uint32_t) b.len - 1);
			else
				put_random_bytes(&b, range(1, 16));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 8:					/* RETURN: random bytes, a bad present byte */
			pls_wire_put_u8(&b, (uint8_t) range(2, 255));
			put_random_bytes(&b, range(0, 200));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 9:					/* RAISE truncated or with bytes left */
			put_error(&b, 0, "fuzz", 4, PLS_ERR_PYTHON);
			if (next() % 2)
				b.len = range(0, (uint32_t) b.len - 1);
			else
				put_random_bytes(&b, range(1, 16));
			send_msg(PLS_MSG_RAISE, &b);
			break;
		case 10:				/* RAISE with an unknown origin */
			put_error(&b, 0, "fuzz", 4, (uint8_t) range(PLS_ERR_RESULT + 1, 255));
			send_msg(PLS_MSG_RAISE, &b);
			break;
		case 11:				/* REQ with an unknown op */
			pls_wire_put_u8(&b, next() % 2 ? 0 : (uint8_t) range(PLS_OP_END, 255));
			put_random_bytes(&b, range(0, 32));
			send_msg(PLS_MSG_REQ, &b);
			break;
		case 12:				/* REPORT with a level out of range */
			pls_wire_put_u8(&b, PLS_OP_REPORT);
			pls_wire_put_i32(&b, next() % 2 ? -(int32_t) range(1, INT32_MAX) :
							 (int32_t) range(REPORT_LEVELS, INT32_MAX));
			put_error(&b, 0, "fuzz", 4, PLS_ERR_PYTHON);
			send_msg(PLS_MSG_REQ, &b);
			break;
		case 13:				/* REPORT whose message is not UTF-8 */
			{
				int			k = range(0, 5);

				pls_wire_put_u8(&b, PLS_OP_REPORT);
				pls_wire_put_i32(&b, REPORT_DEBUG);
				put_error(&b, 0, bad_utf8[k], bad_utf8_len[k], PLS_ERR_PYTHON);
				send_msg(PLS_MSG_REQ, &b);
				break;
			}
		case 14:				/* QUOTE of an unknown kind */
			pls_wire_put_u8(&b, PLS_OP_QUOTE);
			pls_wire_put_u8(&b, (uint8_t) range(3, 255));
			pls_wire_put_bytes(&b, "x", 1);
			send_msg(PLS_MSG_REQ, &b);
			break;
		case 15:				/* DENIAL without a message */
			pls_wire_put_u8(&b, PLS_OP_DENIAL);
			pls_wire_put_cstr(&b, NULL);
			send_msg(PLS_MSG_REQ, &b);
			break;
		case 16:				/* an array of more than 6 dimensions */
			{
				uint32_t	nd = range(7, 255);

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_ARRAY);
				pls_wire_put_u8(&b, (uint8_t) nd);
				for (uint32_t i = 0; i < nd; i++)
					pls_wire_put_u32(&b, 1);
				pls_wire_put_u8(&b, PLS_V_INT64);
				pls_wire_put_i64(&b, 1);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 17:				/* nesting deeper than the wire allows */
			{
				uint32_t	depth = range(PLS_WIRE_MAX_DEPTH + 1, 5000);

				pls_wire_put_u8(&b, 1);
				for (uint32_t i = 0; i < depth; i++)
				{
					if (next() % 2)
					{
						pls_wire_put_u8(&b, PLS_V_ARRAY);
						pls_wire_put_u8(&b, 1);
						pls_wire_put_u32(&b, 1);
					}
					else
					{
						pls_wire_put_u8(&b, PLS_V_ROW);
						pls_wire_put_u32(&b, 1);
						pls_wire_put_u8(&b, 0);
					}
				}
				pls_wire_put_u8(&b, PLS_V_NULL);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 18:				/* a value kind the wire does not know */
			pls_wire_put_u8(&b, 1);
			pls_wire_put_u8(&b, (uint8_t) range(PLS_V_PACKED + 1, 255));
			put_random_bytes(&b, range(0, 16));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 19:				/* a boolean other than 0 or 1 */
			pls_wire_put_u8(&b, 1);
			pls_wire_put_u8(&b, PLS_V_BOOL);
			pls_wire_put_u8(&b, (uint8_t) range(2, 255));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 20:				/* a string length beyond the message */
			pls_wire_put_u8(&b, 1);
			pls_wire_put_u8(&b, next() % 2 ? PLS_V_TEXT : PLS_V_BYTES);
			pls_wire_put_u32(&b, range(1 << 20, UINT32_MAX));
			put_random_bytes(&b, range(0, 64));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 21:				/* text that is not UTF-8 */
			{
				int			k = range(0, 5);

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, next() % 2 ? PLS_V_TEXT : PLS_V_NUMERIC);
				pls_wire_put_bytes(&b, bad_utf8[k], bad_utf8_len[k]);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 22:				/* dimensions whose product overflows */
			{
				uint32_t	nd = range(2, 6);

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_ARRAY);
				pls_wire_put_u8(&b, (uint8_t) nd);
				for (uint32_t i = 0; i < nd; i++)
					pls_wire_put_u32(&b, range(1 << 16, UINT32_MAX));
				pls_wire_put_u8(&b, PLS_V_NULL);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 23:				/* int: out of int4's range */
			put_return_int(&b, next() % 2 ? (int64_t) INT32_MAX + 1 + range(0, INT32_MAX) :
						   (int64_t) INT32_MIN - 1 - range(0, INT32_MAX));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 24:				/* int: text that is no number */
			pls_wire_put_u8(&b, 1);
			pls_wire_put_u8(&b, PLS_V_TEXT);
			put_random_text(&b, "x", range(0, 20));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 25:				/* int: a kind that is never an int */
			pls_wire_put_u8(&b, 1);
			switch (range(0, 4))
			{
				case 0:
					pls_wire_put_u8(&b, PLS_V_BOOL);
					pls_wire_put_u8(&b, 1);
					break;
				case 1:
					pls_wire_put_u8(&b, PLS_V_FLOAT8);
					pls_wire_put_f64(&b, 1.5);
					break;
				case 2:
					pls_wire_put_u8(&b, PLS_V_BYTES);
					pls_wire_put_bytes(&b, "12", 2);
					break;
				case 3:
					pls_wire_put_u8(&b, PLS_V_ARRAY);
					pls_wire_put_u8(&b, 1);
					pls_wire_put_u32(&b, 1);
					pls_wire_put_u8(&b, PLS_V_INT64);
					pls_wire_put_i64(&b, 1);
					break;
				default:
					pls_wire_put_u8(&b, PLS_V_ROW);
					pls_wire_put_u32(&b, 1);
					pls_wire_put_u8(&b, 0);
					pls_wire_put_u8(&b, PLS_V_INT64);
					pls_wire_put_i64(&b, 1);
					break;
			}
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 26:				/* int[]: elements that are no numbers */
			{
				uint32_t	n = range(1, 50);

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_ARRAY);
				pls_wire_put_u8(&b, 1);
				pls_wire_put_u32(&b, n);
				for (uint32_t i = 0; i < n; i++)
				{
					pls_wire_put_u8(&b, PLS_V_TEXT);
					put_random_text(&b, "y", range(0, 5));
				}
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 27:				/* int[]: 6 dimensions, valid: the result */
			{
				uint32_t	dims[6];
				uint32_t	n = 1;

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_ARRAY);
				pls_wire_put_u8(&b, 6);
				for (int i = 0; i < 6; i++)
				{
					dims[i] = range(1, 3);
					n *= dims[i];
					pls_wire_put_u32(&b, dims[i]);
				}
				for (uint32_t i = 0; i < n; i++)
				{
					pls_wire_put_u8(&b, PLS_V_INT64);
					pls_wire_put_i64(&b, seed);
				}
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 28:				/* row (int, text): another width */
			{
				uint32_t	natts = next() % 2 ? range(0, 1) : range(3, 40);

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_ROW);
				pls_wire_put_u32(&b, natts);
				pls_wire_put_u8(&b, 0);
				for (uint32_t i = 0; i < natts; i++)
					pls_wire_put_u8(&b, PLS_V_NULL);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 29:				/* row (int, text): a that is no number */
			pls_wire_put_u8(&b, 1);
			pls_wire_put_u8(&b, PLS_V_ROW);
			pls_wire_put_u32(&b, 2);
			pls_wire_put_u8(&b, 0);
			pls_wire_put_u8(&b, PLS_V_TEXT);
			put_random_text(&b, "z", range(0, 10));
			pls_wire_put_u8(&b, PLS_V_NULL);
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 30:				/* text: a kind that is never text */
			pls_wire_put_u8(&b, 1);
			pls_wire_put_u8(&b, next() % 2 ? PLS_V_INT64 : PLS_V_FLOAT8);
			pls_wire_put_i64(&b, seed);
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 31:				/* a flood of valid requests, then seed */
			{
				uint32_t	n = range(100, 1000);

				for (uint32_t i = 0; i < n; i++)
				{
					pls_wire_buf_reset(&b);
					if (next() % 2)
					{
						pls_wire_put_u8(&b, PLS_OP_REPORT);
						pls_wire_put_i32(&b, next() % 4 ? REPORT_DEBUG : REPORT_ERROR);
						put_error(&b, 0, "fuzz", 4, PLS_ERR_PYTHON);
					}
					else
					{
						pls_wire_put_u8(&b, PLS_OP_QUOTE);
						pls_wire_put_u8(&b, next() % 2 ? 0 : 2);
						put_random_text(&b, "q", range(0, 30));
					}
					request(&b);
				}
				pls_wire_buf_reset(&b);
				put_return_int(&b, seed);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 32:				/* exit in the middle of a call */
			_exit((int) range(1, 100));
			break;
		case 33:				/* crash in the middle of a call */
			raise(SIGSEGV);
			break;
		case 34:				/* full MORE frames, then a broken RETURN */
			{
				uint32_t	n = range(1, 20);
				static unsigned char full[PLS_CHAN_MAX_PAYLOAD];

				for (uint32_t i = 0; i < n; i++)
				{
					for (size_t j = 0; j < sizeof(full); j += 8)
					{
						uint64_t	word = next();

						memcpy(full + j, &word, 8);
					}
					if (i == 0)
						full[0] = (unsigned char) range(2, 255);
					if (pls_chan_send(&chan, PLS_MSG_MORE, full, sizeof(full),
									  10000) != PLS_CHAN_OK)
						_exit(0);
				}
				if (pls_chan_send(&chan, PLS_MSG_RETURN, junk, 8, 10000) != PLS_CHAN_OK)
					_exit(0);
				break;
			}
		case 35:				/* a valid RAISE with random text */
			{
				PlsWireBuf	msg;
				PlsWireReader r;
				const char *p;
				size_t		len;

				pls_wire_buf_init(&msg, &mem);
				put_random_text(&msg, "fuzz ", range(0, 200));
				pls_wire_reader_init(&r, msg.data, msg.len, &mem);
				if (!pls_wire_get_bytes(&r, &p, &len))
					_exit(2);
				put_error(&b, SQLSTATE_22012, p, len,
						  next() % 2 ? PLS_ERR_PYTHON : PLS_ERR_PLPY);
				send_msg(PLS_MSG_RAISE, &b);
				pls_wire_buf_free(&msg);
				break;
			}
		case 36:				/* RETURN: random bytes after present 1 */
			pls_wire_put_u8(&b, 1);
			put_random_bytes(&b, range(0, 64));
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 37:				/* int[]: a PACKED array, valid on the wire */
			{
				uint8_t		bitmap = (uint8_t) range(0, 16);	/* 16: none */

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_PACKED);
				pls_wire_put_u8(&b, PLS_P_INT4);
				pls_wire_put_u8(&b, 1);
				pls_wire_put_u32(&b, 4);
				pls_wire_put_u8(&b, bitmap < 16);
				if (bitmap < 16)
					pls_wire_put_u8(&b, bitmap);
				for (int i = 0; i < 4; i++)
					if (bitmap == 16 || (bitmap & (1 << i)))
						pls_wire_put_i32(&b, (int32_t) seed);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 38:				/* int[]: a PACKED array the wire refuses */
			{
				uint32_t	n = range(1, 40);
				uint32_t	what = range(0, 4);

				pls_wire_put_u8(&b, 1);
				pls_wire_put_u8(&b, PLS_V_PACKED);
				/* an unknown element, 0 or 7+ dims, a dim of 0, a bad flag */
				pls_wire_put_u8(&b, what == 0 ?
								(uint8_t) range(PLS_P_LAST + 1, 255) : PLS_P_INT4);
				pls_wire_put_u8(&b, what != 1 ? 1 :
								next() % 2 ? 0 : (uint8_t) range(7, 255));
				pls_wire_put_u32(&b, what == 2 ? 0 : n);
				pls_wire_put_u8(&b, what == 3 ? (uint8_t) range(2, 255) : 0);
				/* or one element short */
				for (uint32_t i = 0; i < (what == 4 ? n - 1 : n); i++)
					pls_wire_put_i32(&b, (int32_t) i);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 39:				/* ZONE_DATA: keys outside the zones find
								 * nothing, a zone its file; seed if so */
			{
				static const char *const hostile[] = {
					"../../../../etc/passwd", "/etc/passwd", "Europe/../../../etc/passwd",
					"Europe//Paris", "./UTC", "UTC/", "..", ".", "Europe/.",
					"Europe/Paris/..", "", "~/.bashrc", "Europe/Paris\n", "UTC%00"
				};
				int64_t		result = seed;
				char		magic[4];
				char		key[300];
				size_t		klen;

				for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
					if (zone_data(hostile[i], strlen(hostile[i]), magic))
						result = -1;
				/*
				 * a NUL inside (and one ending a zone's name), a file of the
				 * directory that is no zone, a long key, random bytes after
				 * "../"
				 */
				if (zone_data("UTC\0/../../etc/passwd", 20, magic) ||
					zone_data("UTC\0", 4, magic) || zone_data("zone.tab", 8, magic))
					result = -1;
				memset(key, 'A', sizeof(key));
				if (zone_data(key, sizeof(key), magic))
					result = -1;
				memcpy(key, "../", 3);
				klen = range(4, 64);
				for (size_t i = 3; i < klen; i++)
					key[i] = (char) range(0, 255);
				if (zone_data(key, klen, magic))
					result = -1;
				if (!zone_data("Europe/Paris", 12, magic) || memcmp(magic, "TZif", 4) != 0)
					result = -2;
				pls_wire_buf_reset(&b);
				put_return_int(&b, result);
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 40:				/* ZONE_DATA without its key */
			pls_wire_put_u8(&b, PLS_OP_ZONE_DATA);
			put_random_bytes(&b, range(0, 3));
			send_msg(PLS_MSG_REQ, &b);
			break;
		case 41:				/* the next WHITELIST: a malformed record */
		case 42:				/* ... a report, then valid rows */
		case 43:				/* ... a request that is not a report */
		case 44:				/* ... a valid RAISE */
		case 45:				/* ... a tag it does not expect */
			wl_scenario = s;
			put_return_int(&b, seed);
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 90:				/* MORE frames up to the largest message */
			{
				static unsigned char full[PLS_CHAN_MAX_PAYLOAD];

				memset(full, 0xAB, sizeof(full));
				for (;;)
				{
					if (pls_chan_send(&chan, PLS_MSG_MORE, full, sizeof(full),
									  10000) != PLS_CHAN_OK)
						_exit(0);
				}
			}
		case 91:				/* silence: never answer */
			for (;;)
				pause();
		default:
			_exit(2);
	}
	pls_wire_buf_free(&b);
}

/* A random row of the view: module "m", a name of valid UTF-8. */
static void
put_wl_row(PlsWireBuf *b)
{
	pls_wire_put_bytes(b, "m", 1);
	put_random_text(b, "n", range(0, 20));
	pls_wire_put_u8(b, (uint8_t) range(0, PLS_WL_END - 1));
}

/* A WHITELIST: the armed scenario (41 to 45), or the end. */
static void
serve_whitelist(void)
{
	PlsWireBuf	b;
	uint32_t	n = range(0, 50);
	char		seedtext[32];

	pls_wire_buf_init(&b, &mem);
	switch (wl_scenario)
	{
		case 41:
			{
				uint32_t	what = range(0, 7);
				/* the row that is wrong (with none, the count lies) */
				uint32_t	bad = n > 0 ? range(0, n - 1) : 0;

				/* a count beyond the rows */
				pls_wire_put_u32(&b, what == 0 ? n + range(1, UINT32_MAX - n) : n);
				for (uint32_t i = 0; i < n; i++)
				{
					if (i != bad || what < 3)
					{
						put_wl_row(&b);
						continue;
					}
					if (what == 3)	/* module or name not UTF-8 */
					{
						int			k = range(0, 5);
						bool		in_name = next() % 2;

						if (in_name)
							pls_wire_put_bytes(&b, "m", 1);
						pls_wire_put_bytes(&b, bad_utf8[k], bad_utf8_len[k]);
						if (!in_name)
							pls_wire_put_bytes(&b, "n", 1);
					}
					else if (what == 4) /* the NULL mark */
					{
						pls_wire_put_cstr(&b, NULL);
						pls_wire_put_bytes(&b, "n", 1);
					}
					else if (what == 5) /* an empty module or name */
					{
						bool		in_name = next() % 2;

						pls_wire_put_bytes(&b, "m", in_name ? 1 : 0);
						pls_wire_put_bytes(&b, "n", in_name ? 0 : 1);
					}
					else if (what == 6) /* an unknown kind */
					{
						pls_wire_put_bytes(&b, "m", 1);
						pls_wire_put_bytes(&b, "n", 1);
						pls_wire_put_u8(&b, (uint8_t) range(PLS_WL_END, 255));
						continue;
					}
					else		/* a length beyond the message */
					{
						pls_wire_put_u32(&b, range(1 << 20, UINT32_MAX - 1));
						put_random_bytes(&b, range(0, 16));
						break;
					}
					pls_wire_put_u8(&b, PLS_WL_FUNCTION);
				}
				if (what == 1)	/* truncated */
					b.len = range(0, (uint32_t) b.len - 1);
				else if (what == 2) /* bytes after the last row */
					put_random_bytes(&b, range(1, 16));
				/* with no row to spoil, a count beyond the bytes */
				if (n == 0 && what >= 3)
					pls_wire_put_u32(&b, range(1, UINT32_MAX));
				send_msg(PLS_MSG_RETURN, &b);
				break;
			}
		case 42:
			pls_wire_put_u8(&b, PLS_OP_REPORT);
			pls_wire_put_i32(&b, REPORT_DEBUG);
			put_error(&b, 0, "fuzz", 4, PLS_ERR_PYTHON);
			request(&b);
			pls_wire_buf_reset(&b);
			pls_wire_put_u32(&b, n + 1);
			for (uint32_t i = 0; i < n; i++)
				put_wl_row(&b);
			snprintf(seedtext, sizeof(seedtext), "%lld", (long long) wl_seed);
			pls_wire_put_wl_row(&b, "fz", seedtext, PLS_WL_FUNCTION);
			send_msg(PLS_MSG_RETURN, &b);
			break;
		case 43:
			pls_wire_put_u8(&b, (uint8_t) (next() % 2 ? range(PLS_OP_QUOTE, PLS_OP_END - 1) :
										   range(PLS_OP_END, 255)));
			put_random_bytes(&b, range(0, 32));
			send_msg(PLS_MSG_REQ, &b);
			break;
		case 44:
			put_error(&b, SQLSTATE_22012, "fuzz", 4, PLS_ERR_PYTHON);
			send_msg(PLS_MSG_RAISE, &b);
			break;
		case 45:
			{
				static const uint32_t tags[] = {PLS_MSG_ROWS, PLS_MSG_PONG,
				PLS_MSG_HELLO, PLS_MSG_RESULT, PLS_MSG_WHITELIST};

				put_random_bytes(&b, range(0, 64));
				send_msg(tags[range(0, 4)], &b);
				break;
			}
		default:
			_exit(2);
	}
	wl_scenario = 0;
	pls_wire_buf_free(&b);
}

/* A CALL: validation is answered, a call runs its scenario. */
static void
serve_call(const PlsWireBuf *in)
{
	PlsWireReader r;
	PlsWireCall call;
	PlsWireBuf	b;

	pls_wire_reader_init(&r, in->data, in->len, &mem);
	if (!pls_wire_get_call(&r, &call) || !pls_wire_done(&r))
		_exit(2);
	if (call.flags & PLS_CALL_COMPILE_ONLY)
	{
		pls_wire_buf_init(&b, &mem);
		pls_wire_put_u8(&b, 0);
		send_msg(PLS_MSG_RETURN, &b);
		pls_wire_buf_free(&b);
		return;
	}
	if (call.nargs != 2 || call.args[0].kind != PLS_V_INT64 ||
		call.args[1].kind != PLS_V_INT64)
		_exit(2);
	rng = (uint64_t) call.args[1].u.i * 1000 + (uint64_t) call.args[0].u.i;
	wl_seed = call.args[1].u.i;
	scenario((int32_t) call.args[0].u.i, call.args[1].u.i);
}

int
main(void)
{
	PlsWireRecv in;
	PlsWireBuf	b;
	PlsHello	hello = {PLS_WALL_SECCOMP, 0};
	uint32_t	tag;

	take_channel();
	pls_wire_recv_init(&in, &mem);
	if (pls_wire_recv(&chan, &in, &tag, 1 << 20, 10000) != PLS_CHAN_OK ||
		tag != PLS_MSG_INIT)
		_exit(2);
	if (pls_chan_send(&chan, PLS_MSG_HELLO, &hello, sizeof(hello), 10000) != PLS_CHAN_OK)
		_exit(2);
	pls_wire_buf_init(&b, &mem);
	for (;;)
	{
		int			rc = pls_wire_recv(&chan, &in, &tag, PLS_WIRE_MAX_MESSAGE,
									   PLS_CHAN_NO_DEADLINE);

		if (rc != PLS_CHAN_OK)
			_exit(0);
		if (tag == PLS_MSG_WHITELIST && in.buf.len == 0)
			serve_whitelist();
		else if (tag == PLS_MSG_CALL)
			serve_call(&in.buf);
		else
			_exit(2);
	}
}
