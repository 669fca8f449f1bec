// The round trip of one cache line between the first two CPUs this process may run on: two threads, each pinned to
// one, hand a counter back and forth. On a virtual machine it tells where the host has put the two virtual CPUs at
// this moment: ~80 ns when they share a last-level cache, ~400 ns when they do not (measured on a 2-vCPU EPYC guest,
// where the same guest moved between the two within minutes). Two-thread work that shares data between its threads
// (a matrix product's packed panels, a thread pool's hand-offs) slows down in the second state, Ablate's and
// PyTorch's alike, so the comparison scripts record it beside each run. Prints one JSON line. For measuring only;
// nothing in the build runs it.
//   gcc -O2 -pthread bench/core-latency.c -o bench/target/core-latency && bench/target/core-latency
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TRIPS 200000L
#define REPS 5

static _Atomic long ball __attribute__((aligned(64)));
static int cpus[2];

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *partner(void *arg) {
    (void) arg;
    pin(cpus[1]);
    for (long i = 0; i < (long) REPS * TRIPS; i++) {
        while (atomic_load_explicit(&ball, memory_order_acquire) != 2 * i + 1) {
        }
        atomic_store_explicit(&ball, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e9 * t.tv_sec + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(void) {
    cpu_set_t mine;
    sched_getaffinity(0, sizeof mine, &mine);
    int found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
        if (CPU_ISSET(c, &mine)) cpus[found++] = c;
    }
    if (found < 2) {
        fprintf(stderr, "core-latency: this process may run on one CPU only; it needs two\n");
        return 1;
    }
    pin(cpus[0]);
    pthread_t t;
    pthread_create(&t, NULL, partner, NULL);
    double ns[REPS];
    long i = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double start = now_ns();
        for (long end = i + TRIPS; i < end; i++) {
            atomic_store_explicit(&ball, 2 * i + 1, memory_order_release);
            while (atomic_load_explicit(&ball, memory_order_acquire) != 2 * i + 2) {
            }
        }
        ns[rep] = (now_ns() - start) / TRIPS;
    }
    pthread_join(t, NULL);
    qsort(ns, REPS, sizeof ns[0], by_value);
    printf("{\"workload\": \"host-core-latency\", \"cpus\": [%d, %d], \"round_trip_ns\": {\"median\": %.1f, \"min\": %.1f, "
           "\"max\": %.1f, \"n\": %d}}\n", cpus[0], cpus[1], ns[REPS / 2], ns[0], ns[REPS - 1], REPS);
    return 0;
}
