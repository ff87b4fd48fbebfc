// SPDX-License-Identifier: GPL-2.0
/*
 * swapin - swap-in fault latency, alone and behind tasks that compress.
 *
 *   swapin reader -m MB -r FILE   fill MB of anonymous memory, push it to
 *                                 swap (MADV_PAGEOUT), create FILE, wait
 *                                 for SIGUSR1, then read one word of every
 *                                 page in a shuffled order, timing each
 *                                 read; print one JSON line
 *   swapin writer -m MB -t SEC    for SEC seconds, or until SIGTERM:
 *                                 rewrite MB of memory with new data and
 *                                 push it to swap, over and over; print
 *                                 the rounds done
 *
 * Every page is compressible text-like data, different in each round, so
 * that a writer keeps its CPU's compressor busy.  The reader checks the
 * word it reads in each page (its page number and seed): a page that comes
 * back wrong makes the exit status 1.  Other errors exit with 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE_SZ	4096UL

static volatile sig_atomic_t got_usr1, got_term;

static void die(const char *what)
{
	fprintf(stderr, "swapin: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t tag(uint64_t seed, size_t page)
{
	return mix(seed * 0x100000001b3ULL + page);
}

/* Words from a small vocabulary: compresses about 3:1, not for free. */
static void fill_page(unsigned char *p, uint64_t seed, size_t page)
{
	static const char *const words[] = {
		"swap ", "zram ", "page ", "fault ", "memory ", "compress ",
		"the ", "of ", "and ", "kernel ", "object ", "class ", "lock ",
		"stream ", "read ", "write ", "0x1f ", "42 ", "\n", "\t",
	};
	uint64_t r = tag(seed, page);
	size_t off = sizeof(uint64_t);

	memcpy(p, &r, sizeof(r));
	while (off < PAGE_SZ) {
		const char *w;
		size_t n;

		r = mix(r);
		if (!(r & 7)) {
			/* some noise */
			p[off++] = (unsigned char)(r >> 8);
			continue;
		}
		w = words[(r >> 16) % (sizeof(words) / sizeof(words[0]))];
		n = strlen(w);
		if (n > PAGE_SZ - off)
			n = PAGE_SZ - off;
		memcpy(p + off, w, n);
		off += n;
	}
}

static unsigned char *fill(size_t pages, unsigned char *mem, uint64_t seed)
{
	size_t i;

	if (!mem) {
		mem = mmap(NULL, pages * PAGE_SZ, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			die("mmap");
	}
	for (i = 0; i < pages; i++)
		fill_page(mem + i * PAGE_SZ, seed, i);
	if (madvise(mem, pages * PAGE_SZ, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)");
	return mem;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int reader(size_t pages, const char *ready)
{
	uint64_t *lat, sum = 0, t0, t1, want, got;
	size_t *order, i, j, bad = 0;
	volatile uint64_t *w;
	unsigned char *mem;
	sigset_t set, old;
	int fd;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);

	lat = calloc(pages, sizeof(*lat));
	order = calloc(pages, sizeof(*order));
	if (!lat || !order)
		die("calloc");
	for (i = 0; i < pages; i++)
		order[i] = i;
	for (i = pages - 1; i > 0; i--) {
		size_t t;

		j = mix(i) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	mem = fill(pages, NULL, 1);
	fd = open(ready, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		die(ready);
	close(fd);
	while (!got_usr1)
		sigsuspend(&old);

	for (i = 0; i < pages; i++) {
		w = (volatile uint64_t *)(mem + order[i] * PAGE_SZ);
		t0 = now_ns();
		got = *w;
		t1 = now_ns();
		want = tag(1, order[i]);
		if (got != want)
			bad++;
		lat[i] = t1 - t0;
		sum += lat[i];
	}
	qsort(lat, pages, sizeof(*lat), cmp_u64);
	printf("{\"pages\": %zu, \"bad\": %zu, \"mean_ns\": %llu, \"p50_ns\": %llu, \"p99_ns\": %llu, \"p999_ns\": %llu, \"max_ns\": %llu}\n",
	       pages, bad, (unsigned long long)(sum / pages),
	       (unsigned long long)lat[pages / 2],
	       (unsigned long long)lat[pages * 99 / 100],
	       (unsigned long long)lat[pages * 999 / 1000],
	       (unsigned long long)lat[pages - 1]);
	return bad ? 1 : 0;
}

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static int writer(size_t pages, unsigned int secs)
{
	uint64_t end = now_ns() + secs * 1000000000ULL, seed = getpid();
	unsigned char *mem = NULL;
	unsigned long rounds = 0;

	signal(SIGTERM, on_term);
	do {
		mem = fill(pages, mem, seed + rounds);
		rounds++;
	} while (now_ns() < end && !got_term);
	printf("swapin writer: %lu rounds of %zu pages\n", rounds, pages);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: swapin reader -m MB -r FILE | swapin writer -m MB -t SEC\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	unsigned long mb = 0, secs = 0;
	int opt;

	if (argc < 2)
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "m:r:t:")) != -1) {
		switch (opt) {
		case 'm':
			mb = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!mb)
		usage();
	if (!strcmp(argv[1], "reader") && ready)
		return reader(mb << 20 >> 12, ready);
	if (!strcmp(argv[1], "writer") && secs)
		return writer(mb << 20 >> 12, secs);
	usage();
	return 2;
}
