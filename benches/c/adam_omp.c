/*
 * Practical-ceiling baseline for one Adam optimizer step over float32 arrays.
 *
 * Usage: adam_omp N [MIN_MS]
 *   N       parameter count (accepts 1e6 style)
 *   MIN_MS  minimum total measuring time in milliseconds, default 2000
 *           (milliseconds to match the --budget of benches/optimizer-step.ts)
 *
 * Prints one JSON line:
 *   {"impl":"c-openmp"|"c-serial","n":N,"threads":T,"medianNs":X,"samples":K}
 * medianNs is the median per-step time over K samples; each sample is a batch
 * of steps long enough (>= ~1 ms) for clock_gettime resolution not to matter.
 *
 * Build with -fopenmp for "c-openmp"; with -DSERIAL or without -fopenmp for
 * "c-serial" (add -fopenmp-simd so the simd pragma still applies). Always
 * pass -fno-math-errno: with errno semantics gcc keeps sqrtf scalar.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(_OPENMP) && !defined(SERIAL)
#include <omp.h>
#define USE_OMP 1
#define IMPL_NAME "c-openmp"
#define PAR_SIMD _Pragma("omp parallel for simd schedule(static)")
#define PAR_FOR _Pragma("omp parallel for schedule(static)")
#else
#define USE_OMP 0
#define IMPL_NAME "c-serial"
#define PAR_SIMD _Pragma("omp simd")
#define PAR_FOR
#endif

#define WARMUP_NS 200000000.0
#define MIN_SAMPLE_NS 1000000.0
#define MIN_SAMPLES 10

typedef struct {
  float lr, beta1, beta2, eps;
  double beta1_pow, beta2_pow; /* double: t reaches ~1e6 for small N */
  uint64_t t;
} adam_state;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* restrict is what lets gcc vectorise without runtime alias checks. */
static void adam_step(size_t n, float *restrict p, const float *restrict g,
                      float *restrict m, float *restrict v, adam_state *s) {
  s->t++;
  s->beta1_pow *= s->beta1;
  s->beta2_pow *= s->beta2;
  /* Matches torch.optim.Adam (foreach=False, amsgrad=False, no weight decay). */
  const float step_size = (float)(s->lr / (1.0 - s->beta1_pow));
  const float bc2_sqrt = (float)sqrt(1.0 - s->beta2_pow);
  const float b1 = s->beta1, b2 = s->beta2, eps = s->eps;
  const float one_m_b1 = 1.0f - b1, one_m_b2 = 1.0f - b2;

  PAR_SIMD
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + one_m_b1 * gi;
    const float vi = b2 * v[i] + one_m_b2 * gi * gi;
    const float denom = sqrtf(vi) / bc2_sqrt + eps;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * (mi / denom);
  }
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static float *alloc_floats(size_t n) {
  /* 64-byte alignment keeps vector loads from splitting cache lines. */
  size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
  float *ptr = aligned_alloc(64, bytes);
  if (!ptr) {
    fprintf(stderr, "adam_omp: out of memory allocating %zu bytes\n", bytes);
    exit(1);
  }
  return ptr;
}

/* Index-seeded so the values do not depend on how threads split the range. */
static inline float lcg_unit(uint32_t seed) {
  uint32_t x = seed * 1664525u + 1013904223u;
  x = x * 1664525u + 1013904223u;
  /* +0.5 keeps the result off exactly 0.5, so gradients are never exactly 0:
     a zero gradient would let v decay into denormals and skew small-N timings. */
  return ((float)(x >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

static void usage(void) {
  fprintf(stderr, "usage: adam_omp N [MIN_MS]\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) usage();

  char *end;
  errno = 0;
  const double n_arg = strtod(argv[1], &end);
  if (errno || *end || !(n_arg >= 1) || n_arg > 4e9 || n_arg != floor(n_arg)) {
    fprintf(stderr, "adam_omp: N must be a positive integer, got '%s'\n", argv[1]);
    usage();
  }
  const size_t n = (size_t)n_arg;

  double min_ms = 2000.0;
  if (argc == 3) {
    errno = 0;
    min_ms = strtod(argv[2], &end);
    if (errno || *end || !(min_ms > 0)) {
      fprintf(stderr, "adam_omp: MIN_MS must be > 0, got '%s'\n", argv[2]);
      usage();
    }
  }

  float *p = alloc_floats(n), *g = alloc_floats(n);
  float *m = alloc_floats(n), *v = alloc_floats(n);

  /* Initialise with the same static split as the step loop so first-touch
     places each page near the thread that will use it. */
  PAR_FOR
  for (size_t i = 0; i < n; i++) {
    const uint32_t k = (uint32_t)i * 4u;
    p[i] = lcg_unit(k) - 0.5f;
    g[i] = 2.0f * lcg_unit(k + 1) - 1.0f;
    m[i] = 0.01f * (lcg_unit(k + 2) - 0.5f);
    v[i] = 0.01f * lcg_unit(k + 3);
  }

  adam_state s = {.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
                  .beta1_pow = 1.0, .beta2_pow = 1.0, .t = 0};

  /* Warm-up lets clocks ramp, spins up the thread pool and fills caches. */
  uint64_t warm_steps = 0;
  const double w0 = now_ns();
  do {
    adam_step(n, p, g, m, v, &s);
    warm_steps++;
  } while (now_ns() - w0 < WARMUP_NS || warm_steps < 3);

  /* Double the batch until one batch spans MIN_SAMPLE_NS. Each size is timed
     three times and the fastest kept, so a single preemption cannot stop the
     doubling early and leave samples too short to time reliably. */
  uint64_t batch = 1;
  for (;;) {
    double fastest = INFINITY;
    for (int r = 0; r < 3; r++) {
      const double a = now_ns();
      for (uint64_t k = 0; k < batch; k++) adam_step(n, p, g, m, v, &s);
      const double e = now_ns() - a;
      if (e < fastest) fastest = e;
    }
    if (fastest >= MIN_SAMPLE_NS) break;
    batch *= 2;
  }

  size_t cap = 256, count = 0;
  double *samples = malloc(cap * sizeof *samples);
  if (!samples) return 1;
  const double min_ns = min_ms * 1e6;
  const double t0 = now_ns();
  while (count < MIN_SAMPLES || now_ns() - t0 < min_ns) {
    const double a = now_ns();
    for (uint64_t k = 0; k < batch; k++) adam_step(n, p, g, m, v, &s);
    const double b = now_ns();
    if (count == cap) {
      cap *= 2;
      double *grown = realloc(samples, cap * sizeof *samples);
      if (!grown) return 1;
      samples = grown;
    }
    samples[count++] = (b - a) / (double)batch;
  }

  qsort(samples, count, sizeof *samples, cmp_double);
  const double median = (count % 2) ? samples[count / 2]
                                    : 0.5 * (samples[count / 2 - 1] + samples[count / 2]);

  /* Reading the results keeps the optimiser from treating the steps as dead. */
  volatile float sink = p[0] + p[n / 2] + p[n - 1] + m[n - 1] + v[n - 1];
  (void)sink;

#if USE_OMP
  const int threads = omp_get_max_threads();
#else
  const int threads = 1;
#endif
  printf("{\"impl\":\"%s\",\"n\":%zu,\"threads\":%d,\"medianNs\":%.1f,\"samples\":%zu}\n",
         IMPL_NAME, n, threads, median, count);

  free(samples);
  free(p);
  free(g);
  free(m);
  free(v);
  return 0;
}
