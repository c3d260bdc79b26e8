// Plain C loops for the indicator benchmark: the physical-limit peer. Same algorithms (TA-Lib's
// recurrences, running sums, block window extremes) and the same outputs as src/indicators.
// Built by bench/indicators.ts with gcc -O3; reads n bars of o,h,l,c,v float64 from argv[1]. Times are
// process CPU time (best of reps), so other processes on a shared machine do not count.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void sma(const double *x, int n, int p, double *out) {
  double s = 0;
  int i = 0;
  for (; i < p - 1 && i < n; i++) { s += x[i]; out[i] = NAN; }
  for (; i < n; i++) { s += x[i]; out[i] = s / p; s -= x[i - p + 1]; }
}

static void ema(const double *x, int n, int p, double *out) {
  double k = 2.0 / (p + 1), s = 0;
  int i = 0;
  for (; i < p && i < n; i++) { s += x[i]; out[i] = NAN; }
  if (n < p) return;
  double e = s / p;
  out[p - 1] = e;
  for (; i < n; i++) { e = (x[i] - e) * k + e; out[i] = e; }
}

static void rsi(const double *x, int n, int p, double *out) {
  for (int i = 0; i < p && i < n; i++) out[i] = NAN;
  if (n <= p) return;
  double g = 0, l = 0, prev = x[0];
  for (int i = 1; i <= p; i++) { double d = x[i] - prev; prev = x[i]; g += fmax(d, 0); l += fmax(-d, 0); }
  g /= p; l /= p;
  double s = g + l;
  out[p] = s != 0 ? 100 * (g / s) : 50;
  for (int i = p + 1; i < n; i++) {
    double d = x[i] - prev; prev = x[i];
    g = (g * (p - 1) + fmax(d, 0)) / p;
    l = (l * (p - 1) + fmax(-d, 0)) / p;
    s = g + l;
    out[i] = s != 0 ? 100 * (g / s) : 50;
  }
}

static void macd(const double *x, int n, int fast, int slow, int sig, double *line, double *sg, double *hist) {
  int start = slow - 1, ss = start + sig - 1;
  for (int i = 0; i < start; i++) line[i] = NAN;
  for (int i = 0; i < ss; i++) { sg[i] = NAN; hist[i] = NAN; }
  double a = 0, b = 0;
  for (int i = 0; i < slow; i++) a += x[i];
  for (int i = slow - fast; i < slow; i++) b += x[i];
  double es = a / slow, ef = b / fast, ks = 2.0 / (slow + 1), kf = 2.0 / (fast + 1), kg = 2.0 / (sig + 1);
  line[start] = ef - es;
  double gs = ef - es;
  for (int i = start + 1; i <= ss; i++) {
    ef = (x[i] - ef) * kf + ef; es = (x[i] - es) * ks + es;
    line[i] = ef - es; gs += ef - es;
  }
  double g = gs / sig;
  sg[ss] = g; hist[ss] = line[ss] - g;
  for (int i = ss + 1; i < n; i++) {
    ef = (x[i] - ef) * kf + ef; es = (x[i] - es) * ks + es;
    double m = ef - es;
    g = (m - g) * kg + g;
    line[i] = m; sg[i] = g; hist[i] = m - g;
  }
}

static void bollinger(const double *x, int n, int p, double k, double *up, double *mid, double *lo, double *pb, double *bw) {
  double s1 = 0, s2 = 0;
  int i = 0;
  for (; i < p - 1; i++) { s1 += x[i]; s2 += x[i] * x[i]; up[i] = mid[i] = lo[i] = pb[i] = bw[i] = NAN; }
  for (; i < n; i++) {
    double v0 = x[i];
    s1 += v0; s2 += v0 * v0;
    double m = s1 / p, v = s2 / p - m * m, t = x[i - p + 1];
    s1 -= t; s2 -= t * t;
    double d = (v > 1e-12 * m * m ? sqrt(v) : 0) * k, u = m + d, l = m - d, w = u - l;
    up[i] = u; mid[i] = m; lo[i] = l;
    pb[i] = w != 0 ? (v0 - l) / w : 0.5;
    bw[i] = m != 0 ? w / m : 0;
  }
}

static inline double tr(double h, double l, double pc) { return (h > pc ? h : pc) - (l < pc ? l : pc); }

static void atr(const double *h, const double *l, const double *c, int n, int p, double *out) {
  for (int i = 0; i < p; i++) out[i] = NAN;
  double s = 0;
  for (int i = 1; i <= p; i++) s += tr(h[i], l[i], c[i - 1]);
  double v = s / p;
  out[p] = v;
  for (int i = p + 1; i < n; i++) { v = (v * (p - 1) + tr(h[i], l[i], c[i - 1])) / p; out[i] = v; }
}

// window extremes by blocks of p bars (prefix of the current block, suffix of the previous one), as
// src/indicators/stochastic.ts does; faster here too than TA-Lib's rescan (same outputs)
static void stoch(const double *h, const double *l, const double *c, int n, int p, int ks, int dp, double *ko,
                  double *dout) {
  double sh[p + 1], sl[p + 1], fk[64], ksum = 0, dsum = 0;
  int kp = 0, kc = 0, dpos = 0, dc = 0;
  for (int i = 0; i < n; i++) { ko[i] = NAN; dout[i] = NAN; }
  for (int j = 0; j <= p; j++) { sh[j] = -INFINITY; sl[j] = INFINITY; }
  for (int s = 0; s < n; s += p) {
    int e = s + p < n ? s + p : n;
    double ph = -INFINITY, pl = INFINITY;
    for (int i = s; i < e; i++) {
      ph = h[i] >= ph ? h[i] : ph; pl = l[i] <= pl ? l[i] : pl;
      double a = sh[i - s + 1], b = sl[i - s + 1];
      double hi = a >= ph ? a : ph, lo = b <= pl ? b : pl;
      if (i < p - 1) continue;
      double diff = (hi - lo) / 100;
      double f = diff != 0 ? (c[i] - lo) / diff : 50;
      fk[kp] = f; ksum += f; kp = kp + 1 == ks ? 0 : kp + 1;
      if (++kc < ks) continue;
      double k = ksum / ks; ksum -= fk[kp]; ko[i] = k;
      fk[ks + dpos] = k; dsum += k; dpos = dpos + 1 == dp ? 0 : dpos + 1;
      if (++dc < dp) continue;
      dout[i] = dsum / dp; dsum -= fk[ks + dpos];
    }
    double mh = -INFINITY, ml = INFINITY;
    for (int j = e - 1; j >= s; j--) {
      mh = h[j] >= mh ? h[j] : mh; ml = l[j] <= ml ? l[j] : ml;
      sh[j - s] = mh; sl[j - s] = ml;
    }
  }
}

static void adx(const double *h, const double *l, const double *c, int n, int p, double *ax, double *pdi, double *mdi) {
  for (int i = 0; i < p; i++) { pdi[i] = NAN; mdi[i] = NAN; }
  for (int i = 0; i < 2 * p - 1; i++) ax[i] = NAN;
  double pdm = 0, mdm = 0, str = 0, ph = h[0], pl = l[0], pc = c[0];
  for (int i = 1; i < p; i++) {
    double dp = h[i] - ph, dm = pl - l[i];
    mdm += dm * ((dm > 0) & (dp < dm)); pdm += dp * ((dp > 0) & (dp > dm));
    str += tr(h[i], l[i], pc);
    ph = h[i]; pl = l[i]; pc = c[i];
  }
  double sumDx = 0, a = 0;
  int end2 = 2 * p - 1;
  for (int i = p; i < n; i++) {
    double dp = h[i] - ph, dm = pl - l[i];
    mdm -= mdm / p; pdm -= pdm / p;
    mdm += dm * ((dm > 0) & (dp < dm)); pdm += dp * ((dp > 0) & (dp > dm));
    str = str - str / p + tr(h[i], l[i], pc);
    ph = h[i]; pl = l[i]; pc = c[i];
    double dx = -1;
    if (str != 0) {
      double md = 100 * (mdm / str), pd = 100 * (pdm / str), s = md + pd;
      pdi[i] = pd; mdi[i] = md;
      if (s != 0) dx = 100 * (fabs(md - pd) / s);
    } else { pdi[i] = 0; mdi[i] = 0; }
    if (i < end2) { if (dx != -1) sumDx += dx; }
    else if (i == end2) { if (dx != -1) sumDx += dx; a = sumDx / p; ax[i] = a; }
    else { if (dx != -1) a = (a * (p - 1) + dx) / p; ax[i] = a; }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: indicators FILE N [REPS] [CASE]\n"); return 2; }
  int n = atoi(argv[2]), reps = argc > 3 ? atoi(argv[3]) : 5, only = argc > 4 ? atoi(argv[4]) : -1;
  double *buf = malloc(sizeof(double) * 5 * n);
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(buf, sizeof(double), 5 * (size_t)n, f) != 5 * (size_t)n) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
  fclose(f);
  const double *h = buf + n, *l = buf + 2 * n, *c = buf + 3 * n;
  double *o[5];
  for (int j = 0; j < 5; j++) o[j] = malloc(sizeof(double) * n);
  double check = 0;
  for (int cs = 0; cs < 8; cs++) {
    if (only >= 0 && cs != only) continue;
    double best = 1e30;
    // run 0 is untimed: it faults in the output pages, as the JS side's warm-up runs do
    for (int r = 0; r <= reps; r++) {
      double t0 = now();
      switch (cs) {
        case 0: sma(c, n, 20, o[0]); break;
        case 1: ema(c, n, 20, o[0]); break;
        case 2: rsi(c, n, 14, o[0]); break;
        case 3: macd(c, n, 12, 26, 9, o[0], o[1], o[2]); break;
        case 4: bollinger(c, n, 20, 2, o[0], o[1], o[2], o[3], o[4]); break;
        case 5: atr(h, l, c, n, 14, o[0]); break;
        case 6: stoch(h, l, c, n, 14, 3, 3, o[0], o[1]); break;
        case 7: adx(h, l, c, n, 14, o[0], o[1], o[2]); break;
      }
      double dt = now() - t0;
      if (r > 0 && dt < best) best = dt;
      check += o[0][n - 1];
    }
    static const char *names[] = {"sma-20", "ema-20", "rsi-14", "macd-12-26-9", "bollinger-20-2", "atr-14", "stochastic-14-3-3", "adx-14"};
    printf("%s %.4f %.17g\n", names[cs], best * 1e9 / n, o[0][n - 1]);
  }
  fprintf(stderr, "checksum %g\n", check);
  return 0;
}
