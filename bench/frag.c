// SPDX-License-Identifier: GPL-2.0
/*
 * frag - leave free memory only as single pages between locked ones.
 *
 * Usage: frag -m MB -r READY [-e EVERY]
 *
 * Faults in MB of anonymous memory (no THP), gives back one page of every
 * EVERY (default 4), locks the rest with mlock2(MLOCK_ONFAULT) so that
 * reclaim cannot swap it out (compaction may still move it), creates the
 * file READY and sleeps until it is killed. Its freed pages have locked
 * neighbours, so the buddy allocator cannot merge them: while it runs,
 * every allocation, a zsmalloc page included, lands on a single free page
 * somewhere in a movable pageblock, with less than half of that pageblock
 * free, so an unmovable allocation steals the page without claiming the
 * block. That is where zram allocates when a system swaps: in the gaps.
 * Benchmark tool for bench/bench.sh, not part of the series.
 *
 * Exit status: 2 on any error (it does not exit otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

static void die(const char *what)
{
	fprintf(stderr, "frag: %s: %s\n", what, strerror(errno));
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long mb = 0, every = 4, npages, i;
	const char *ready = NULL;
	long psz = sysconf(_SC_PAGESIZE);
	char *buf;
	int opt, fd;

	while ((opt = getopt(argc, argv, "m:r:e:")) != -1) {
		switch (opt) {
		case 'm': mb = strtoul(optarg, NULL, 0); break;
		case 'r': ready = optarg; break;
		case 'e': every = strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (!mb || !ready || every < 2 || optind != argc)
		goto usage;

	npages = (mb << 20) / psz;
	buf = mmap(NULL, npages * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	if (madvise(buf, npages * psz, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	/* Not zero: a zero page would be shared, not allocated. */
	for (i = 0; i < npages; i++)
		buf[i * psz] = 1 + i % 255;
	for (i = 0; i < npages; i += every)
		if (madvise(buf + i * psz, psz, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED)");
	if (mlock2(buf, npages * psz, MLOCK_ONFAULT))
		die("mlock2");
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(ready);
	close(fd);
	printf("frag: %lu MiB faulted in, 1 page in %lu given back\n", mb, every);
	fflush(stdout);
	for (;;)
		pause();
usage:
	fprintf(stderr, "usage: frag -m MB -r READY [-e EVERY]\n");
	return 2;
}
