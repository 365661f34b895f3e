/*-------------------------------------------------------------------------
 *
 * channel.h
 *	  The channel between a backend and its plsafepy-worker: two rings of
 *	  framed messages in one shared-memory segment (a sealed memfd the
 *	  backend creates), futex wake-ups after a bounded adaptive spin, and a
 *	  SOCK_SEQPACKET socketpair that carries the memfd at start, serves as
 *	  liveness (EOF: the peer is gone) and carries the worker's one-shot
 *	  report of a denied system call (SIGSYS).
 *
 * Used by both sides: compiled into the worker and into the extension
 * library (worker_launch.c), so it includes no PostgreSQL header.
 *
 * Trust: everything the worker writes is hostile input to the backend.
 *	- Each side keeps its own positions privately (send_head of the ring it
 *	  produces, recv_tail of the ring it consumes) and never reads them back
 *	  from shared memory: the data it writes and reads lands at offsets
 *	  computed from its own copy, masked to the ring, so nothing the peer
 *	  writes can move a copy outside the ring.  The shared words it reads
 *	  are the sequence word of the frame it waits for (at its own recv_tail),
 *	  the peer's head of that ring while it sleeps, and the peer's tail of
 *	  the ring it produces when the tail it read last leaves too little
 *	  room; each is loaded once per check and checked before use: a
 *	  sequence word that is neither 0 (not yet) nor the frame's own
 *	  position, a head that moved while no frame is there, a tail beyond
 *	  the ring or unaligned are a protocol violation.
 *	- A message is copied out of the ring into private memory before the
 *	  caller sees it; the header is copied once, its tag validated against
 *	  the known tags and its length against the largest frame and the
 *	  caller's buffer.  A violation returns PLS_CHAN_CORRUPT and the caller
 *	  must end the peer.
 *	- A waiting side never waits without bound: each futex wait has a
 *	  timeout after which the socket is checked for EOF, and every receive
 *	  has a deadline, so a worker that stops answering or keeps the shared
 *	  words changing cannot hold the backend.
 *	- The segment is sealed (no shrink, no grow) before the worker gets it,
 *	  so the worker cannot truncate it under the backend's mapping (SIGBUS).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WORKER_CHANNEL_H
#define PLS_WORKER_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

/* The worker finds its end of the socketpair at this descriptor. */
#define PLS_CHAN_FD 3

/*
 * Bytes of each ring (a power of two).  A frame is a header (u32 tag, u32
 * length, u32 sequence word: the frame's position plus 1, u32 zero) and
 * the payload, padded to a cache line: a frame starts a line, so a small
 * message and the sequence word the consumer polls travel between the CPUs
 * as one line.  The producer also keeps the next frame's header room
 * zeroed (channel.c), so a frame takes that much more room while it is
 * written.
 */
#define PLS_CHAN_RING_SIZE (64 * 1024)
#define PLS_CHAN_HDR_SIZE 16
#define PLS_CHAN_FRAME_ALIGN 64
#define PLS_CHAN_MAX_PAYLOAD \
	(PLS_CHAN_RING_SIZE - PLS_CHAN_FRAME_ALIGN - PLS_CHAN_HDR_SIZE)

#define PLS_CHAN_MAGIC 0x70736302	/* "psc" 2: layout version 2 */

/*
 * Message tags.  The payloads of INIT, CALL, REQ, REP, RETURN, RAISE, FETCH,
 * CLOSE, ROWS and WHITELIST are the door's records (src/wire.h).  A message longer than one frame is sent
 * as PLS_MSG_MORE frames followed by one frame with the message's own tag
 * (src/wire.c reassembles, within a bound).
 */
typedef enum PlsMsgTag
{
	PLS_MSG_HELLO = 1,			/* W->B: locked in; PlsHello */
	PLS_MSG_ERROR,				/* W->B: text; start-up failure or refusal */
	PLS_MSG_PING,				/* B->W: any bytes, echoed */
	PLS_MSG_PONG,				/* W->B: the PING's bytes */
	PLS_MSG_EXEC,				/* B->W: source text; test-only worker */
	PLS_MSG_RESULT,				/* W->B: text; the EXEC's outcome */
	PLS_MSG_INIT,				/* B->W: before lock-down; PlsWireInit */
	PLS_MSG_CALL,				/* B->W: run a function; PlsWireCall */
	PLS_MSG_REQ,				/* W->B: a door request during a call */
	PLS_MSG_REP,				/* B->W: its reply */
	PLS_MSG_RETURN,				/* W->B: the call's result */
	PLS_MSG_RAISE,				/* W->B: the call's error; PlsWireError */
	PLS_MSG_MORE,				/* either way: a fragment of a long message */
	PLS_MSG_FETCH,				/* B->W: next rows of an open set; wire.h */
	PLS_MSG_CLOSE,				/* B->W: end an open set early; wire.h */
	PLS_MSG_ROWS,				/* W->B: rows of a set; wire.h */
	PLS_MSG_WHITELIST,			/* B->W: the whitelist view's rows; wire.h */
	PLS_MSG_END					/* one past the last tag */
} PlsMsgTag;

/* PLS_MSG_HELLO's payload: which walls the worker has put up. */
#define PLS_WALL_SECCOMP	0x01
#define PLS_WALL_USERNS		0x02
#define PLS_WALL_NETNS		0x04
#define PLS_WALL_IPCNS		0x08
#define PLS_WALL_MOUNTNS	0x10
#define PLS_WALL_LANDLOCK	0x20
#define PLS_WALL_EMPTYROOT	0x40	/* the mount namespace's root is empty */

typedef struct PlsHello
{
	uint32_t	walls;			/* PLS_WALL_* */
	uint32_t	landlock_abi;	/* 0 if Landlock is not in force */
} PlsHello;

/* What the SIGSYS handler writes on the socket before the worker dies. */
#define PLS_SIGSYS_MAGIC 0x53595331 /* "SYS1" */
typedef struct PlsSigsysReport
{
	uint32_t	magic;
	int32_t		syscall_nr;
	uint32_t	arch;			/* AUDIT_ARCH_* of the call */
	uint32_t	pad;
} PlsSigsysReport;

/*
 * One direction's control words, each on its own cache line.  A spinning
 * consumer polls the sequence word of the frame it waits for, not head:
 * the frame's cache line then carries both the news and the message.
 */
typedef struct PlsRingCtl
{
	uint32_t	head;			/* bytes published by the producer; futex */
	uint32_t	data_waiting;	/* the consumer sleeps on head */
	uint32_t	pad0[14];
	uint32_t	tail;			/* bytes consumed by the consumer; futex */
	uint32_t	space_waiting;	/* the producer sleeps on tail */
	uint32_t	pad1[14];
} PlsRingCtl;

/* Ring 0 carries requests (backend->worker), ring 1 replies. */
typedef struct PlsChanShm
{
	uint32_t	magic;
	uint32_t	ring_size;
	/*
	 * The backend's interrupt request: incremented (then FUTEX_WAKE) when a
	 * cancel or timeout reaches the backend during a call; the worker's
	 * watchdog thread waits on it and stops the running Python code.
	 */
	uint32_t	interrupt_seq;
	uint32_t	pad[13];
	PlsRingCtl	ctl[2];
	unsigned char data[2][PLS_CHAN_RING_SIZE];
} PlsChanShm;

typedef enum PlsChanSide
{
	PLS_CHAN_BACKEND = 0,		/* produces ring 0, consumes ring 1 */
	PLS_CHAN_WORKER = 1			/* produces ring 1, consumes ring 0 */
} PlsChanSide;

/* One side's private state. */
typedef struct PlsChan
{
	PlsChanShm *shm;
	int			sock;			/* this side's end of the socketpair */
	PlsChanSide side;
	uint32_t	send_head;		/* private: bytes this side produced */
	uint32_t	send_tail;		/* private: the peer's tail of that ring
								 * as last read (channel.c) */
	uint32_t	recv_tail;		/* private: bytes this side consumed */
	uint32_t	spin_ns;		/* adaptive spin budget before a futex wait */
	uint32_t	spin_probe;		/* waits at the least budget (channel.c) */
	uint8_t		spin_grown;		/* spin_ns was set from a short sleep */
	uint8_t		spin_grow_ok;	/* ... and may be (channel.c) */
} PlsChan;

/* Results of pls_chan_send and pls_chan_recv. */
#define PLS_CHAN_OK			0
#define PLS_CHAN_TIMEOUT	(-1)	/* deadline passed */
#define PLS_CHAN_DEAD		(-2)	/* the peer closed the socket or reported */
#define PLS_CHAN_CORRUPT	(-3)	/* the peer broke the protocol */
#define PLS_CHAN_TOOBIG		(-4)	/* message over PLS_CHAN_MAX_PAYLOAD */
#define PLS_CHAN_INTR		(-5)	/* a signal arrived while waiting */

/* Wait forever (still checking liveness); only the worker uses it. */
#define PLS_CHAN_NO_DEADLINE (-1)

extern void pls_chan_init_shm(PlsChanShm *shm);
extern int	pls_chan_attach(PlsChan *chan, PlsChanShm *shm, int sock,
							PlsChanSide side);
extern int	pls_chan_send(PlsChan *chan, uint32_t tag, const void *buf,
						  uint32_t len, int timeout_ms);
extern int	pls_chan_recv(PlsChan *chan, uint32_t *tag, void *buf,
						  uint32_t bufsize, uint32_t *len, int timeout_ms);
extern int	pls_chan_peer_gone(const PlsChan *chan);
extern const char *pls_chan_strerror(int rc);
/* The worker's side of the start: the segment's descriptor, or -1. */
extern int	pls_chan_receive_fd(int sock);

#endif							/* PLS_WORKER_CHANNEL_H */
