// Reference for the canonical sweep (bench/sweep.ts): SMA crossover, fast 5..50 step 1, slow 10..200
// step 10, fast < slow, long-only all-in, fills at the next open, fee per side, spot cash cap.
// The same execution model as src/backtest, written as the plain per-bar loop.
// Build: gcc -O3 -ffp-contract=off -pthread -o sweep sweep.c -lm
// Run:   ./sweep INPUT THREADS OUTPUT [FEE] [SLIPPAGE]
//   INPUT: int64 n, then n doubles each of open, high, low, close (little endian)
//   OUTPUT: per combination (in order fast-major) total return, Sharpe, max drawdown (doubles)
//   stdout: one JSON line {"threads":T,"combos":C,"bars":n,"seconds":S,"cpu_seconds":U,"ns_per_bar_combo":X}
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t n;
static double *open_, *high_, *low_, *close_;
static double *smas[201];
static int ncombo, combo_fast[1000], combo_slow[1000];
static double *results;
static double fee = 0.001, slip = 0.0;
static const double cash0 = 10000.0, bars_per_year = 8760.0;
static atomic_int next_combo;

// a fill price never lies outside its bar (execution model point 3)
static inline double clamp_bar(double x, double lo, double hi) { return x < lo ? lo : (x < hi ? x : hi); }

// the same running sum, in the same order, as src/indicators/sma.ts; it multiplies by 1/period where
// ours divides by period (at most an ulp apart: every crossover and result still matches to 3e-14)
static void sma(const double *src, int period, double *out) {
  double sum = 0;
  int64_t warm = period - 1 < n ? period - 1 : n;
  for (int64_t i = 0; i < warm; i++) { sum += src[i]; out[i] = NAN; }
  double inv = 1.0 / period;
  for (int64_t i = warm; i < n; i++) {
    sum += src[i];
    out[i] = sum * inv;
    sum -= src[i - period + 1];
  }
}

static void run_combo(int j) {
  const double *f = smas[combo_fast[j]], *s = smas[combo_slow[j]];
  double cash = cash0, q = 0, prevE = cash0, peak = cash0, maxdd = 0, s1 = 0, s2 = 0;
  double target = 0, delta = 0;
  for (int64_t t = 0; t < n; t++) {
    if (delta != 0) {
      if (delta > 0) {
        double fp = clamp_bar(open_[t] * (1 + slip), low_[t], high_[t]);
        double cap = cash / (fp * (1 + fee));
        double buy = delta < cap ? delta : cap;
        if (buy > 0) { cash -= buy * fp + fee * buy * fp; q += buy; }
      } else {
        double fp = clamp_bar(open_[t] * (1 - slip), low_[t], high_[t]);
        double sell = -delta < q ? -delta : q;
        cash -= -sell * fp + fee * sell * fp;
        q = q - sell <= 1e-12 * (q > 1 ? q : 1) ? 0 : q - sell;
      }
      delta = 0;
    }
    double c = close_[t];
    double e = cash + q * c;
    if (t > 0) { double r = e / prevE - 1; s1 += r; s2 += r * r; }
    if (e > peak) peak = e;
    else { double dd = (peak - e) / peak; if (dd > maxdd) maxdd = dd; }
    double x = f[t] > s[t] ? 1.0 : 0.0;
    if (x != target) { target = x; if (t + 1 < n) delta = x * e / c - q; }
    prevE = e;
  }
  int64_t m = n - 1;
  double sharpe = 0;
  if (m >= 2) {
    double mean = s1 / m, v = (s2 - s1 * mean) / (m - 1);
    sharpe = v > 0 ? mean / sqrt(v) * sqrt(bars_per_year) : 0;
  }
  results[3 * j] = prevE / cash0 - 1;
  results[3 * j + 1] = sharpe;
  results[3 * j + 2] = maxdd;
}

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    int j = atomic_fetch_add(&next_combo, 1);
    if (j >= ncombo) return NULL;
    run_combo(j);
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: sweep INPUT THREADS OUTPUT [FEE] [SLIPPAGE]\n"); return 2; }
  int threads = atoi(argv[2]);
  if (argc > 4) fee = atof(argv[4]);
  if (argc > 5) slip = atof(argv[5]);
  FILE *in = fopen(argv[1], "rb");
  if (!in || fread(&n, 8, 1, in) != 1) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
  open_ = malloc(n * 8); high_ = malloc(n * 8); low_ = malloc(n * 8); close_ = malloc(n * 8);
  if (fread(open_, 8, n, in) != (size_t)n || fread(high_, 8, n, in) != (size_t)n ||
      fread(low_, 8, n, in) != (size_t)n || fread(close_, 8, n, in) != (size_t)n) {
    fprintf(stderr, "short input\n");
    return 1;
  }
  fclose(in);
  for (int f = 5; f <= 50; f++)
    for (int s = 10; s <= 200; s += 10)
      if (f < s) { combo_fast[ncombo] = f; combo_slow[ncombo] = s; ncombo++; }
  results = malloc(sizeof(double) * 3 * ncombo);
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  // indicators are part of the timed work, as they are on our side
  for (int p = 5; p <= 200; p++) {
    if (p > 50 && p % 10 != 0) continue;
    smas[p] = malloc(n * 8);
    sma(close_, p, smas[p]);
  }
  atomic_store(&next_combo, 0);
  pthread_t th[64];
  for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, NULL);
  for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  double cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) * 1e-9;
  FILE *out = fopen(argv[3], "wb");
  fwrite(results, sizeof(double), 3 * ncombo, out);
  fclose(out);
  printf("{\"threads\":%d,\"combos\":%d,\"bars\":%lld,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"ns_per_bar_combo\":%.4f}\n",
         threads, ncombo, (long long)n, secs, cpu, secs * 1e9 / ((double)n * ncombo));
  return 0;
}
