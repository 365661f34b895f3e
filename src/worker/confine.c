/*-------------------------------------------------------------------------
 *
 * confine.c
 *	  The worker's walls other than seccomp: namespaces (before Python
 *	  starts), and at lock-down resource limits, no new privileges, not
 *	  dumpable, no capabilities, and a Landlock ruleset that grants no
 *	  filesystem access.
 *
 * What each defends, should the seccomp filter ever let a call through:
 *	- user namespace: the worker's ids are unmapped (it acts as nobody
 *	  toward anything outside) and the other namespaces belong to it, so
 *	  they need no privilege;
 *	- network namespace: no interface but a down loopback: no route to the
 *	  server's port or anywhere else;
 *	- IPC namespace: the server's System V shared memory and semaphores are
 *	  not visible;
 *	- mount namespace: its root becomes an empty read-only tmpfs at
 *	  lock-down (after the imports), and the host's filesystem is no
 *	  longer mounted in it: a path names nothing, whatever call reached
 *	  the kernel; mount changes stay inside;
 *	- Landlock: every filesystem access right the kernel knows is handled
 *	  and none granted: no file can be opened, created, executed, listed;
 *	- RLIMIT_AS: the worker's memory (the backend passes the limit);
 *	  RLIMIT_NPROC 0: no new process (it counts the postgres user's
 *	  processes, so it only stops new ones); RLIMIT_FSIZE 0, RLIMIT_CORE 0,
 *	  RLIMIT_NOFILE just above the channel, RLIMIT_MEMLOCK 0,
 *	  RLIMIT_MSGQUEUE 0; hard limits too, and without CAP_SYS_RESOURCE they
 *	  cannot be raised again;
 *	- capabilities: all dropped (a user namespace grants a full set inside
 *	  it; in CI the tests run as root), bounding and ambient sets too;
 *	- PR_SET_NO_NEW_PRIVS: exec could never gain privileges (and seccomp and
 *	  Landlock need it); PR_SET_DUMPABLE 0: no ptrace attach and no
 *	  /proc/<pid>/mem by another process of the same user, no core.
 * Namespaces and Landlock are extra: where the kernel refuses them the
 * worker goes on and says so in its HELLO.  The limits, privileges and the
 * seccomp filter are required: a failure ends the worker.
 *
 *-------------------------------------------------------------------------
 */
#include "worker/worker.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/*
 * Enter new user, network, IPC and mount namespaces, all at once where the
 * kernel allows, else as many as it allows one by one (a privileged process
 * needs no user namespace for the others).  Returns the PLS_WALL_* bits.
 */
uint32_t
pls_confine_namespaces(void)
{
	static const struct
	{
		int			flag;
		uint32_t	wall;
	}			ns[] = {
		{CLONE_NEWUSER, PLS_WALL_USERNS},
		{CLONE_NEWNET, PLS_WALL_NETNS},
		{CLONE_NEWIPC, PLS_WALL_IPCNS},
		{CLONE_NEWNS, PLS_WALL_MOUNTNS},
	};
	uint32_t	walls = 0;
	int			all = 0;
	size_t		i;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		all |= ns[i].flag;
	if (unshare(all) == 0)
	{
		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			walls |= ns[i].wall;
		return walls;
	}
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
	{
		if (unshare(ns[i].flag) == 0)
			walls |= ns[i].wall;
	}
	return walls;
}

/*
 * In the worker's own mount namespace (walls has PLS_WALL_MOUNTNS), make
 * the root an empty tmpfs and drop the host's tree: a tmpfs is mounted on
 * /tmp, pivot_root(".", ".") from inside it stacks the old root on top of
 * it, and detaching that leaves the tmpfs alone as "/", then remounted
 * read-only.  Needs CAP_SYS_ADMIN in the namespace's user namespace, so it
 * runs before the capabilities are dropped; where any step is refused the
 * worker goes on (Landlock and seccomp still close the filesystem) and
 * the wall is not reported.  Returns PLS_WALL_EMPTYROOT or 0.
 */
uint32_t
pls_confine_empty_root(uint32_t walls)
{
	if ((walls & PLS_WALL_MOUNTNS) == 0)
		return 0;
	/* no mount event of ours reaches the host's namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		mount("plsafepy", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=4k,nr_inodes=1,mode=0555") != 0 ||
		chdir("/tmp") != 0)
		return 0;
	if (syscall(SYS_pivot_root, ".", ".") != 0 ||
		umount2(".", MNT_DETACH) != 0 ||
		chdir("/") != 0)
		return 0;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
			  MS_NOEXEC, NULL) != 0)
		return 0;
	return PLS_WALL_EMPTYROOT;
}

static int
set_limit(int resource, rlim_t value, const char *name, char *err,
		  size_t errlen)
{
	struct rlimit rl;

	rl.rlim_cur = value;
	rl.rlim_max = value;
	if (setrlimit(resource, &rl) == 0)
		return 0;
	snprintf(err, errlen, "could not set %s: %s", name, strerror(errno));
	return -1;
}

int
pls_confine_limits(uint64_t memory_limit, char *err, size_t errlen)
{
	if (memory_limit > 0 &&
		set_limit(RLIMIT_AS, (rlim_t) memory_limit, "RLIMIT_AS", err, errlen))
		return -1;
	if (set_limit(RLIMIT_NPROC, 0, "RLIMIT_NPROC", err, errlen) ||
		set_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE", err, errlen) ||
		set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", err, errlen) ||
		set_limit(RLIMIT_NOFILE, PLS_CHAN_FD + 1, "RLIMIT_NOFILE", err,
				  errlen) ||
		set_limit(RLIMIT_MEMLOCK, 0, "RLIMIT_MEMLOCK", err, errlen) ||
		set_limit(RLIMIT_MSGQUEUE, 0, "RLIMIT_MSGQUEUE", err, errlen))
		return -1;
	return 0;
}

/* No capabilities (bounding, ambient, effective, permitted, inheritable). */
int
pls_confine_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int			cap;

	/* needs CAP_SETPCAP, which an unprivileged worker does not have */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		(void) prctl(PR_CAPBSET_DROP, cap);
	(void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capset, &hdr, data) != 0)
	{
		snprintf(err, errlen, "could not drop capabilities: %s",
				 strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
	{
		snprintf(err, errlen, "could not set no_new_privs: %s",
				 strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
	{
		snprintf(err, errlen, "could not clear the dumpable flag: %s",
				 strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Landlock, by raw system calls (glibc has no wrappers): handle every
 * filesystem right of the kernel's ABI (as far as these headers know them)
 * and add no rule, so none is granted.  Returns PLS_WALL_LANDLOCK and the
 * ABI in *abi, or 0 where the kernel has no Landlock.  Needs no_new_privs.
 */
uint32_t
pls_confine_landlock(uint32_t *abi)
{
	struct landlock_ruleset_attr attr;
	long		version;
	int			fd;

	*abi = 0;
	version = syscall(SYS_landlock_create_ruleset, NULL, 0,
					  LANDLOCK_CREATE_RULESET_VERSION);
	if (version < 1)
		return 0;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs =
		LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
		LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (version >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (version >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif

	fd = (int) syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return 0;
	if (syscall(SYS_landlock_restrict_self, fd, 0) != 0)
	{
		close(fd);
		return 0;
	}
	close(fd);
	*abi = (uint32_t) version;
	return PLS_WALL_LANDLOCK;
}
