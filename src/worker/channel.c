/*-------------------------------------------------------------------------
 *
 * channel.c
 *	  The shared-memory rings between a backend and its worker: framing,
 *	  validation of everything read from the peer, and waiting (a bounded
 *	  adaptive spin, then a futex wait with a timeout and a liveness check
 *	  on the socket).  See channel.h for the layout and the trust rules.
 *
 * Publishing a frame: the producer writes the payload, the header's tag
 * and length, and zeroes the header room of the frame after it; then it
 * stores the header's sequence word (the frame's position plus 1, never 0)
 * and last head.  A spinning consumer polls the sequence word of the frame
 * it waits for, which reads 0 until that frame is there (the ring starts
 * zeroed, and each frame zeroes the next one's before it is published), so
 * no stale bytes of an earlier lap can pass for a frame, and one cache
 * line brings the news and the message: polling head, then reading the
 * frame, took two transfers of a line from the other CPU per message, and
 * head's line now stays with the producer.
 *
 * Waking without lost wake-ups: a consumer that is about to sleep sets
 * data_waiting, then reloads head and the sequence word, and sleeps on
 * head's value; a producer stores the sequence word and head, then loads
 * data_waiting and wakes only if it is set.  Both sides use sequentially
 * consistent operations, so one of the two always sees the other's store.
 * The same holds for tail and space_waiting when a producer waits for
 * room.  The futexes are shared (no FUTEX_PRIVATE_FLAG): the words live in
 * a MAP_SHARED mapping of two processes.
 *
 * Spinning: a waiter first polls for up to spin_ns (the peer of a small
 * request usually answers within microseconds, and a futex sleep and
 * wake-up on a virtual CPU costs tens of microseconds).  The budget follows
 * whether spinning pays: a message that came while spinning doubles it
 * (up to PLS_SPIN_MAX_NS), a wait that had to sleep halves it (down to
 * PLS_SPIN_MIN_NS), so that a peer running a long call, or one that is not
 * on a CPU (a loaded machine, or both processes on one CPU, where spinning
 * only delays it), soon finds this side asleep instead; but a sleep whose
 * answer came within PLS_SPIN_MAX_NS all the same sets the budget to twice
 * what it took, so that a peer that works a few microseconds per message
 * is waited for spinning (unless the budget so set failed last time: the
 * peer shares this CPU, until a spin succeeds again).  At the minimum,
 * every PLS_SPIN_PROBE-th wait spins the whole PLS_SPIN_MAX_NS again, so
 * that a machine that became idle is noticed: a budget only grown back
 * from the minimum would not catch an answer again once both sides sleep
 * (each reply then waits for the other's wake-up, which no short spin
 * covers), and every call would pay two wake-ups.
 *
 * No PostgreSQL header: this file is also part of the worker program.
 *
 *-------------------------------------------------------------------------
 */
#include "worker/channel.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define PLS_SPIN_MIN_NS 1000
#define PLS_SPIN_MAX_NS 50000
#define PLS_SPIN_START_NS 20000
#define PLS_SPIN_PROBE 64

/*
 * A sleeping waiter wakes this often to check the peer's socket: the backend
 * often (a dead worker is an error to report now), the worker seldom (an idle
 * worker should cost nothing, and its parent's death kills it anyway through
 * PR_SET_PDEATHSIG; the socket check is the second way out).
 */
#define PLS_LIVENESS_BACKEND_MS 20
#define PLS_LIVENESS_WORKER_MS 1000

#define RING_MASK (PLS_CHAN_RING_SIZE - 1)

#define ALIGN_MASK (PLS_CHAN_FRAME_ALIGN - 1)

/* A frame's bytes: header and payload, padded to a cache line */
static inline uint32_t
frame_size(uint32_t len)
{
	return (PLS_CHAN_HDR_SIZE + len + ALIGN_MASK) & ~(uint32_t) ALIGN_MASK;
}

static inline uint32_t
load_word(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline void
store_word(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Shared (not private) futex operations: the words are in a shared mapping. */
static int
futex_wait(uint32_t *addr, uint32_t expected, int64_t timeout_ns)
{
	struct timespec ts;

	ts.tv_sec = timeout_ns / 1000000000;
	ts.tv_nsec = timeout_ns % 1000000000;
	return (int) syscall(SYS_futex, addr, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static void
futex_wake(uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void
pls_chan_init_shm(PlsChanShm *shm)
{
	memset(shm, 0, sizeof(*shm));
	shm->magic = PLS_CHAN_MAGIC;
	shm->ring_size = PLS_CHAN_RING_SIZE;
}

/*
 * Attach to a mapped segment.  The worker calls this on the segment the
 * backend initialised; it starts from the positions found there, which are
 * zero (nothing is sent before the worker's HELLO).
 */
int
pls_chan_attach(PlsChan *chan, PlsChanShm *shm, int sock, PlsChanSide side)
{
	if (shm->magic != PLS_CHAN_MAGIC || shm->ring_size != PLS_CHAN_RING_SIZE)
		return PLS_CHAN_CORRUPT;
	chan->shm = shm;
	chan->sock = sock;
	chan->side = side;
	chan->send_head = 0;
	chan->send_tail = 0;
	chan->recv_tail = 0;
	chan->spin_ns = PLS_SPIN_START_NS;
	chan->spin_probe = 0;
	chan->spin_grown = 0;
	chan->spin_grow_ok = 1;
	return PLS_CHAN_OK;
}

/*
 * Has the peer gone?  Its end of the socketpair is closed when it exits (EOF),
 * and the worker writes on the socket only when it is about to die (its
 * SIGSYS report), so data counts as gone too; the report is left for the
 * launcher to read.
 */
int
pls_chan_peer_gone(const PlsChan *chan)
{
	char		b;
	ssize_t		n;

	n = recv(chan->sock, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n >= 0)
		return 1;
	return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

/*
 * Wait until *word differs from seen (the peer moved it), the deadline passes
 * or the peer is gone.  Spins on word, sleeps on the futex sleep_on (word
 * itself, or head for a consumer, whose word is a frame's sequence word);
 * flag is our *_waiting word, set while we sleep.  A consumer finding head
 * moved on while word has not: PLS_CHAN_CORRUPT (the producer stores
 * head after the sequence word).  Returns PLS_CHAN_OK when the word moved.
 */
static int
wait_for_change(PlsChan *chan, uint32_t *word, uint32_t seen,
				uint32_t *sleep_on, uint32_t *flag, int timeout_ms)
{
	int64_t		start = 0;
	int64_t		deadline;
	int64_t		spin_end = 0;
	int64_t		waited;
	int			i;

	/*
	 * Spin: poll the word, reading the clock every 64 rounds; the first
	 * reading, the wait's start, only after the first 64 (most answers of a
	 * spinning peer come before, and need no clock).
	 */
	for (;;)
	{
		int64_t		now;

		for (i = 0; i < 64; i++)
		{
			if (load_word(word) != seen)
			{
				chan->spin_ns = chan->spin_ns >= PLS_SPIN_MAX_NS / 2 ?
					PLS_SPIN_MAX_NS : chan->spin_ns * 2;
				chan->spin_grown = 0;
				chan->spin_grow_ok = 1;
				return PLS_CHAN_OK;
			}
			cpu_relax();
		}
		now = now_ns();
		if (start == 0)
		{
			start = now;
			spin_end = start + chan->spin_ns;
			if (chan->spin_ns <= PLS_SPIN_MIN_NS &&
				++chan->spin_probe % PLS_SPIN_PROBE == 0)
				spin_end = start + PLS_SPIN_MAX_NS;
		}
		if (now >= spin_end)
			break;
	}
	deadline = timeout_ms < 0 ? INT64_MAX :
		start + (int64_t) timeout_ms * 1000000;
	if (chan->spin_ns > PLS_SPIN_MIN_NS)
		chan->spin_ns /= 2;

	/* Sleep, in slices, checking the peer's socket between them. */
	for (;;)
	{
		int64_t		now;
		int64_t		slice;
		uint32_t	sleep_seen;

		store_word(flag, 1);
		sleep_seen = load_word(sleep_on);
		if (load_word(word) != seen)
			break;
		if (sleep_on != word && sleep_seen != chan->recv_tail)
		{
			store_word(flag, 0);
			return PLS_CHAN_CORRUPT;
		}
		now = now_ns();
		if (now >= deadline)
		{
			store_word(flag, 0);
			return PLS_CHAN_TIMEOUT;
		}
		slice = (int64_t) (chan->side == PLS_CHAN_BACKEND ?
						   PLS_LIVENESS_BACKEND_MS :
						   PLS_LIVENESS_WORKER_MS) * 1000000;
		if (deadline - now < slice)
			slice = deadline - now;
		if (futex_wait(sleep_on, sleep_seen, slice) != 0)
		{
			if (errno == EINTR)
			{
				store_word(flag, 0);
				return PLS_CHAN_INTR;
			}
			/* ETIMEDOUT or EAGAIN (the word moved): look again */
			if (errno == ETIMEDOUT && pls_chan_peer_gone(chan))
			{
				store_word(flag, 0);
				return PLS_CHAN_DEAD;
			}
		}
		if (load_word(word) != seen)
			break;
	}
	store_word(flag, 0);

	/*
	 * An answer that came within PLS_SPIN_MAX_NS after all, wake-up
	 * included, is waited for spinning next time: a peer whose work takes
	 * some microseconds (a call with a large argument) would otherwise
	 * find this side asleep every time, and pay its wake-up each call.
	 * But a peer that shares this side's CPU answers only once this side
	 * sleeps, however long it spins: if the budget so set did not catch
	 * the next answer, budgets are no longer set so until a spin catches
	 * one again.
	 */
	waited = now_ns() - start;
	if (chan->spin_grown)
		chan->spin_grow_ok = 0;
	chan->spin_grown = 0;
	if (chan->spin_grow_ok && waited <= PLS_SPIN_MAX_NS)
	{
		chan->spin_ns = waited * 2 >= PLS_SPIN_MAX_NS ? PLS_SPIN_MAX_NS :
			waited * 2 > PLS_SPIN_MIN_NS ? (uint32_t) waited * 2 :
			PLS_SPIN_MIN_NS;
		chan->spin_grown = 1;
	}
	return PLS_CHAN_OK;
}

/* Copy len bytes out of (or into) a ring at position pos, wrapping. */
static void
ring_copy_out(const unsigned char *ring, uint32_t pos, void *dst, uint32_t len)
{
	uint32_t	off = pos & RING_MASK;
	uint32_t	first = PLS_CHAN_RING_SIZE - off;

	if (first >= len)
		memcpy(dst, ring + off, len);
	else
	{
		memcpy(dst, ring + off, first);
		memcpy((char *) dst + first, ring, len - first);
	}
}

static void
ring_copy_in(unsigned char *ring, uint32_t pos, const void *src, uint32_t len)
{
	uint32_t	off = pos & RING_MASK;
	uint32_t	first = PLS_CHAN_RING_SIZE - off;

	if (first >= len)
		memcpy(ring + off, src, len);
	else
	{
		memcpy(ring + off, src, first);
		memcpy(ring, (const char *) src + first, len - first);
	}
}

/*
 * Send one message.  Waits up to timeout_ms for room (the peer consumes);
 * never writes outside the ring whatever the peer's tail says.  The tail
 * read last time is used as long as it leaves room: the peer only ever
 * moves it on, and reading it after each of its moves would take its cache
 * line from the peer every time (and make the peer's next store of it
 * wait for the line to come back).
 */
int
pls_chan_send(PlsChan *chan, uint32_t tag, const void *buf, uint32_t len,
			  int timeout_ms)
{
	int			r = chan->side == PLS_CHAN_BACKEND ? 0 : 1;
	PlsRingCtl *ctl = &chan->shm->ctl[r];
	unsigned char *ring = chan->shm->data[r];
	uint32_t	total;
	uint32_t	hdr[2];

	if (len > PLS_CHAN_MAX_PAYLOAD)
		return PLS_CHAN_TOOBIG;
	total = frame_size(len);

	/* room for the frame and the next one's header, zeroed */
	while (PLS_CHAN_RING_SIZE - (chan->send_head - chan->send_tail) <
		   total + PLS_CHAN_HDR_SIZE)
	{
		uint32_t	tail = load_word(&ctl->tail);
		uint32_t	used = chan->send_head - tail;
		int			rc;

		if (used > PLS_CHAN_RING_SIZE || (used & ALIGN_MASK) != 0)
			return PLS_CHAN_CORRUPT;
		chan->send_tail = tail;
		if (PLS_CHAN_RING_SIZE - used >= total + PLS_CHAN_HDR_SIZE)
			break;
		rc = wait_for_change(chan, &ctl->tail, tail, &ctl->tail,
							 &ctl->space_waiting, timeout_ms);
		if (rc != PLS_CHAN_OK)
			return rc;
	}

	/* positions are multiples of a line, so a header never wraps */
	if (len > 0)
		ring_copy_in(ring, chan->send_head + PLS_CHAN_HDR_SIZE, buf, len);
	hdr[0] = tag;
	hdr[1] = len;
	memcpy(ring + (chan->send_head & RING_MASK), hdr, sizeof(hdr));
	memset(ring + ((chan->send_head + total) & RING_MASK), 0,
		   PLS_CHAN_HDR_SIZE);
	/* ordered before head's store, which is a full barrier */
	__atomic_store_n((uint32_t *) (ring + (chan->send_head & RING_MASK) + 8),
					 chan->send_head + 1, __ATOMIC_RELEASE);
	chan->send_head += total;
	store_word(&ctl->head, chan->send_head);
	if (load_word(&ctl->data_waiting))
		futex_wake(&ctl->head);
	return PLS_CHAN_OK;
}

/*
 * Receive one message into buf (bufsize bytes): its tag and length come back
 * in *tag and *len.  The header and payload are copied out of the ring
 * before anything is decided on them; see channel.h.
 */
int
pls_chan_recv(PlsChan *chan, uint32_t *tag, void *buf, uint32_t bufsize,
			  uint32_t *len, int timeout_ms)
{
	int			r = chan->side == PLS_CHAN_BACKEND ? 1 : 0;
	PlsRingCtl *ctl = &chan->shm->ctl[r];
	unsigned char *ring = chan->shm->data[r];
	uint32_t   *seqword = (uint32_t *) (ring + (chan->recv_tail & RING_MASK) + 8);
	uint32_t	seq;
	uint32_t	hdr[2];
	uint32_t	total;

	/* 0 until the frame is there, then its position plus 1 */
	while ((seq = load_word(seqword)) == 0)
	{
		int			rc = wait_for_change(chan, seqword, 0, &ctl->head,
										 &ctl->data_waiting, timeout_ms);

		if (rc != PLS_CHAN_OK)
			return rc;
	}
	if (seq != chan->recv_tail + 1)
		return PLS_CHAN_CORRUPT;

	memcpy(hdr, ring + (chan->recv_tail & RING_MASK), sizeof(hdr));
	if (hdr[0] == 0 || hdr[0] >= PLS_MSG_END ||
		hdr[1] > PLS_CHAN_MAX_PAYLOAD)
		return PLS_CHAN_CORRUPT;
	total = frame_size(hdr[1]);
	if (hdr[1] > bufsize)
		return PLS_CHAN_TOOBIG;
	if (hdr[1] > 0)
		ring_copy_out(ring, chan->recv_tail + PLS_CHAN_HDR_SIZE, buf, hdr[1]);
	*tag = hdr[0];
	*len = hdr[1];

	chan->recv_tail += total;
	store_word(&ctl->tail, chan->recv_tail);
	if (load_word(&ctl->space_waiting))
		futex_wake(&ctl->tail);
	return PLS_CHAN_OK;
}

const char *
pls_chan_strerror(int rc)
{
	switch (rc)
	{
		case PLS_CHAN_OK:
			return "ok";
		case PLS_CHAN_TIMEOUT:
			return "timed out";
		case PLS_CHAN_DEAD:
			return "peer gone";
		case PLS_CHAN_CORRUPT:
			return "protocol violation";
		case PLS_CHAN_TOOBIG:
			return "message too long";
		case PLS_CHAN_INTR:
			return "interrupted";
	}
	return "unknown channel error";
}

/*
 * The worker's side of the start: the shared segment's descriptor, which
 * the backend passes on the socket (SCM_RIGHTS), or -1 if what came is not
 * exactly one descriptor.
 */
int
pls_chan_receive_fd(int sock)
{
	struct msghdr msg;
	struct iovec iov;
	char		byte;
	union
	{
		struct cmsghdr hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}			control;
	struct cmsghdr *cmsg;
	int			fd;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1 ||
		(msg.msg_flags & MSG_CTRUNC) != 0)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET ||
		cmsg->cmsg_type != SCM_RIGHTS ||
		cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}
