/*
 * STREAM triad a[i] = b[i] + s*c[i] over three arrays of doubles far larger than the caches, with each
 * thread owning (and first touching) one contiguous slice. Bandwidth counts 24 bytes per element, as
 * STREAM does (the write-allocate read of `a` is not counted).
 * Usage: stream THREADS ELEMENTS. Prints one line: "<threads> <GB/s>" (best of 10 trials).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double *a, *b, *c;
static long n;
static int threads;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void range(long id, long *lo, long *hi) {
  *lo = n * id / threads;
  *hi = n * (id + 1) / threads;
}

static void *init(void *arg) {
  long lo, hi;
  range((long)arg, &lo, &hi);
  for (long i = lo; i < hi; i++) { a[i] = 1.0; b[i] = 2.0 + (double)(i & 7); c[i] = 0.5; }
  return NULL;
}

static void *triad(void *arg) {
  long lo, hi;
  range((long)arg, &lo, &hi);
  const double s = 3.0;
  for (long i = lo; i < hi; i++) a[i] = b[i] + s * c[i];
  return NULL;
}

static void parallel(void *(*fn)(void *)) {
  pthread_t ids[256];
  for (long i = 0; i < threads; i++) pthread_create(&ids[i], NULL, fn, (void *)i);
  for (long i = 0; i < threads; i++) pthread_join(ids[i], NULL);
}

int main(int argc, char **argv) {
  threads = argc > 1 ? atoi(argv[1]) : 1;
  n = argc > 2 ? atol(argv[2]) : 1L << 25;
  if (threads < 1 || threads > 256 || n < 1024) return 2;
  a = malloc(sizeof(double) * n);
  b = malloc(sizeof(double) * n);
  c = malloc(sizeof(double) * n);
  if (!a || !b || !c) return 3;
  parallel(init);
  double best = 1e30;
  for (int trial = 0; trial < 10; trial++) {
    double t0 = now();
    parallel(triad);
    double t = now() - t0;
    if (t < best) best = t;
  }
  double check = a[n / 2] + a[n - 1];
  printf("%d %.2f\n", threads, 24.0 * n / best / 1e9);
  return check > 0 ? 0 : 4;
}
