/* attest-bench-search.c: how fast one top-5 face search is against 10k, 100k and 1M stored
 * faces, beside the time to read the same number of bytes once from memory in the same run
 * (the memory-bandwidth floor a scan cannot beat), and how much the compact scan loses.
 *
 * Galleries are seeded random 512-d unit vectors with structure, so the top 5 is not trivial:
 * 64 clusters ("looks"), identities around cluster centres, faces around identity centres
 * (same identity ~0.67 cosine, same cluster ~0.2, others ~0). Probes are fresh noisy views
 * of random identities (a new photo of someone enrolled).
 *
 * Figures, not pass/fail:  meson test -C build --benchmark -v search
 * Options: --sizes=10000,100000  --queries=N  --sqlite-vec=/path/to/vec0.so (also measure
 * sqlite-vec 0.1.9's vec0 brute-force KNN on the same vectors, galleries up to 100k).
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/attest-matcher.h"
#include "vision/attest-vision.h"

#define DIM ATTEST_EMBEDDING_DIM
#define K 5
#define N_CLUSTERS 64
#define FLOOR_RUNS 15

/* ---------------------------------------------------------------------------------------
 * Seeded vectors: xoshiro256** (g_rand is ~10x slower, which matters for 1M x 512 values)
 */

typedef struct
{
  guint64 s[4];
} Rng;

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
rng_next (Rng *r)
{
  guint64 result = rotl (r->s[1] * 5, 7) * 9;
  guint64 t = r->s[1] << 17;

  r->s[2] ^= r->s[0];
  r->s[3] ^= r->s[1];
  r->s[1] ^= r->s[2];
  r->s[0] ^= r->s[3];
  r->s[2] ^= t;
  r->s[3] = rotl (r->s[3], 45);
  return result;
}

static void
rng_seed (Rng *r, guint64 seed)
{
  for (int i = 0; i < 4; i++)
    {
      /* splitmix64 */
      guint64 z = (seed += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      r->s[i] = z ^ (z >> 31);
    }
}

/* Uniform in [-1, 1): a random direction once normalised is close enough to isotropic in
 * 512 dimensions for these scores, and much cheaper than Gaussian draws. */
static inline float
rng_sym (Rng *r)
{
  return (float) ((rng_next (r) >> 40) * (2.0 / (1 << 24)) - 1.0);
}

static void
normalise (float *v)
{
  double sum = 0;

  for (int i = 0; i < DIM; i++)
    sum += (double) v[i] * v[i];
  for (int i = 0; i < DIM; i++)
    v[i] = (float) (v[i] / sqrt (sum));
}

static void
random_unit (Rng *r, float *v)
{
  for (int i = 0; i < DIM; i++)
    v[i] = rng_sym (r);
  normalise (v);
}

/* normalise (centre + noise * random unit vector) */
static void
around (Rng *r, const float *centre, float noise, float *out)
{
  float d[DIM];

  random_unit (r, d);
  for (int i = 0; i < DIM; i++)
    out[i] = centre[i] + noise * d[i];
  normalise (out);
}

typedef struct
{
  guint    n;
  guint    n_identities;
  float   *faces;        /* n x DIM */
  gint64  *identity;     /* per face */
  float   *centres;      /* n_identities x DIM */
} Gallery;

static void
gallery_make (Gallery *g, guint n, guint64 seed)
{
  g_autofree float *clusters = g_new (float, N_CLUSTERS * DIM);
  Rng r;

  rng_seed (&r, seed);
  g->n = n;
  g->n_identities = CLAMP (n / 20, 500, 5000);
  g->faces = g_new (float, (gsize) n * DIM);
  g->identity = g_new (gint64, n);
  g->centres = g_new (float, (gsize) g->n_identities * DIM);
  for (guint c = 0; c < N_CLUSTERS; c++)
    random_unit (&r, clusters + c * DIM);
  for (guint i = 0; i < g->n_identities; i++)
    around (&r, clusters + (i % N_CLUSTERS) * DIM, 2.0f, g->centres + (gsize) i * DIM);
  for (guint f = 0; f < n; f++)
    {
      guint id = (guint) (rng_next (&r) % g->n_identities);

      g->identity[f] = id;
      around (&r, g->centres + (gsize) id * DIM, 0.7f, g->faces + (gsize) f * DIM);
    }
}

static void
gallery_clear (Gallery *g)
{
  g_clear_pointer (&g->faces, g_free);
  g_clear_pointer (&g->identity, g_free);
  g_clear_pointer (&g->centres, g_free);
}

/* ---------------------------------------------------------------------------------------
 * Timing
 */

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Other programs competing for the 2 cores skew every figure: print what they were doing. */
static void
print_load (const char *when)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("load average %s: %s", when, load);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof (double), compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The floor: sum a buffer as 64-bit words, 8 independent sums (vectorised at -O2), built
 * for the same instruction sets as the matcher's kernels so arithmetic never limits it. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) \
    && __GNUC__ >= 11
__attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#endif
static guint64
sum_words (const guint64 *restrict w, gsize n)
{
  guint64 s[8] = { 0 };

  for (gsize i = 0; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++)
      s[j] += w[i + j];
  return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

typedef struct
{
  const guint64 *words;
  gsize          n;
  guint64        sum;
} SumJob;

static gpointer
sum_job (gpointer data)
{
  SumJob *j = data;

  j->sum = sum_words (j->words, j->n);
  return NULL;
}

static volatile guint64 sink;

/* Median time to read `bytes` once with one thread, and with two (the search's split);
 * the floor is the faster of the two. */
static double
read_floor_ms (const void *buffer, gsize bytes, double *one_ms, double *two_ms)
{
  const guint64 *w = buffer;
  gsize n = bytes / 8;
  double one[FLOOR_RUNS], two[FLOOR_RUNS];

  sink += sum_words (w, n);  /* warm: pages mapped, caches as for the search */
  for (int run = 0; run < FLOOR_RUNS; run++)
    {
      SumJob jobs[2] = { { w, n / 2, 0 }, { w + n / 2, n - n / 2, 0 } };
      GThread *t;
      double start = now_ms ();

      sink += sum_words (w, n);
      one[run] = now_ms () - start;

      start = now_ms ();
      t = g_thread_new ("floor", sum_job, &jobs[1]);
      sum_job (&jobs[0]);
      g_thread_join (t);
      two[run] = now_ms () - start;
      sink += jobs[0].sum + jobs[1].sum;
    }
  *one_ms = median (one, FLOOR_RUNS);
  *two_ms = median (two, FLOOR_RUNS);
  return MIN (*one_ms, *two_ms);
}

/* ---------------------------------------------------------------------------------------
 * sqlite-vec (optional)
 */

static void
bench_sqlite_vec (const char *vec0, const Gallery *g, float *const *probes, guint n_queries)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL, *query = NULL;
  char *err = NULL;
  double start, build_ms, times[256];
  guint n_times = 0;

  if (sqlite3_open (":memory:", &db) != SQLITE_OK
      || sqlite3_enable_load_extension (db, 1) != SQLITE_OK
      || sqlite3_load_extension (db, vec0, NULL, &err) != SQLITE_OK)
    {
      printf ("  sqlite-vec: cannot load %s: %s\n", vec0, err ? err : sqlite3_errmsg (db));
      sqlite3_free (err);
      sqlite3_close (db);
      return;
    }
  if (sqlite3_exec (db, "CREATE VIRTUAL TABLE faces USING vec0(embedding float[512] "
                        "distance_metric=cosine)", NULL, NULL, &err) != SQLITE_OK)
    {
      printf ("  sqlite-vec: %s\n", err);
      sqlite3_free (err);
      sqlite3_close (db);
      return;
    }

  start = now_ms ();
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO faces(rowid, embedding) VALUES (?, ?)", -1, &insert, NULL);
  for (guint f = 0; f < g->n; f++)
    {
      sqlite3_bind_int64 (insert, 1, f + 1);
      sqlite3_bind_blob (insert, 2, g->faces + (gsize) f * DIM, DIM * sizeof (float),
                         SQLITE_STATIC);
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          printf ("  sqlite-vec insert: %s\n", sqlite3_errmsg (db));
          break;
        }
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  build_ms = now_ms () - start;

  /* k = 64 faces, like the candidates the compact scan keeps before grouping identities.
   * (SQLite 3.40 needs "AND k = N"; LIMIT only works from 3.41.) */
  sqlite3_prepare_v2 (db, "SELECT rowid, distance FROM faces WHERE embedding MATCH ? AND k = 64",
                      -1, &query, NULL);
  for (guint q = 0; q < n_queries + 2 && n_times < G_N_ELEMENTS (times); q++)
    {
      int rows = 0;

      sqlite3_bind_blob (query, 1, probes[q % n_queries], DIM * sizeof (float), SQLITE_STATIC);
      start = now_ms ();
      while (sqlite3_step (query) == SQLITE_ROW)
        rows++;
      if (q >= 2)  /* first two warm up */
        times[n_times++] = now_ms () - start;
      sqlite3_reset (query);
      g_assert (rows == 64);
    }
  sqlite3_finalize (query);
  sqlite3_close (db);
  printf ("  sqlite-vec 0.1.9 vec0 float[512] cosine, k=64: median %.2f ms per query; "
          "insert %u rows %.0f ms\n", median (times, n_times), g->n, build_ms);
}

/* ---------------------------------------------------------------------------------------
 * One gallery size
 */

static guint
overlap (const AttestCandidate *a, guint n_a, const AttestCandidate *b, guint n_b)
{
  guint same = 0;

  for (guint i = 0; i < n_a; i++)
    for (guint j = 0; j < n_b; j++)
      same += a[i].identity_id == b[j].identity_id;
  return same;
}

static void
bench_size (guint n, guint n_queries, const char *vec0)
{
  Gallery g = { 0 };
  g_autoptr(AttestMatcher) m = attest_matcher_new (DIM);
  g_autofree double *compact_ms = g_new (double, n_queries);
  g_autofree double *compact1_ms = g_new (double, n_queries);
  g_autofree double *exact_ms = g_new (double, n_queries);
  g_autofree float **probes = g_new (float *, n_queries);
  g_autofree AttestCandidate *compact = g_new (AttestCandidate, (gsize) n_queries * K);
  g_autofree guint *n_compact = g_new (guint, n_queries);
  g_autofree gint64 *probe_identity = g_new (gint64, n_queries);
  AttestCandidate exact[K];
  g_autofree guint8 *compact_copy = NULL;
  gsize compact_bytes = (gsize) n * DIM, float_bytes = compact_bytes * sizeof (float);
  double gen_ms, build_ms, t, c_med, c1_med, e_med, floor_c, floor_f, one, two;
  guint found = 0, same_top1 = 0, right_top1 = 0;
  Rng r;

  t = now_ms ();
  gallery_make (&g, n, 0xa77e57 + n);
  gen_ms = now_ms () - t;

  t = now_ms ();
  for (guint f = 0; f < n; f++)
    if (!attest_matcher_add (m, f + 1, g.identity[f], g.faces + (gsize) f * DIM, NULL))
      g_error ("add failed");
  build_ms = now_ms () - t;

  rng_seed (&r, 42 + n);
  for (guint q = 0; q < n_queries; q++)
    {
      probes[q] = g_new (float, DIM);
      probe_identity[q] = (gint64) (rng_next (&r) % g.n_identities);
      around (&r, g.centres + (gsize) probe_identity[q] * DIM, 0.7f, probes[q]);
    }

  /* Each kind of query back to back, as the floor is measured: warm up (pages, caches, the
   * thread pool), then time each query. */
  for (guint q = 0; q < 3; q++)
    attest_matcher_search (m, probes[q], K, NULL, 0, compact + q * K);
  for (guint q = 0; q < n_queries; q++)
    {
      t = now_ms ();
      n_compact[q] = attest_matcher_search (m, probes[q], K, NULL, 0, compact + q * K);
      compact_ms[q] = now_ms () - t;
    }
  attest_matcher_set_max_threads (m, 1);
  for (guint q = 0; q < n_queries; q++)
    {
      AttestCandidate c[K];

      t = now_ms ();
      attest_matcher_search (m, probes[q], K, NULL, 0, c);
      compact1_ms[q] = now_ms () - t;
    }
  attest_matcher_set_max_threads (m, 4);
  attest_matcher_search_exact (m, probes[0], K, NULL, 0, exact);
  for (guint q = 0; q < n_queries; q++)
    {
      guint n_exact;

      t = now_ms ();
      n_exact = attest_matcher_search_exact (m, probes[q], K, NULL, 0, exact);
      exact_ms[q] = now_ms () - t;

      found += overlap (compact + q * K, n_compact[q], exact, n_exact);
      same_top1 += n_compact[q] > 0 && n_exact > 0 && compact[q * K].face_id == exact[0].face_id;
      right_top1 += n_exact > 0 && exact[0].identity_id == probe_identity[q]
                    && exact[0].score >= ATTEST_MATCHER_DEFAULT_THRESHOLD;
    }

  c_med = median (compact_ms, n_queries);
  c1_med = median (compact1_ms, n_queries);
  e_med = median (exact_ms, n_queries);

  /* Floors: a buffer the size of the compact matrix, and the generator's float32 faces
   * (exactly the size of the float32 matrix). */
  compact_copy = g_malloc (compact_bytes);
  memset (compact_copy, 1, compact_bytes);
  floor_c = read_floor_ms (compact_copy, compact_bytes, &one, &two);
  printf ("\n%u faces, %u identities (generated in %.0f ms)\n", n, g.n_identities, gen_ms);
  printf ("  read %.0f MB (int8 matrix size) once: %.2f ms (1 thread %.2f, 2 threads %.2f) "
          "= %.1f GB/s\n", compact_bytes / 1e6, floor_c, one, two, compact_bytes / floor_c / 1e6);
  floor_f = read_floor_ms (g.faces, float_bytes, &one, &two);
  printf ("  read %.0f MB (float32 matrix size) once: %.2f ms (1 thread %.2f, 2 threads %.2f) "
          "= %.1f GB/s\n", float_bytes / 1e6, floor_f, one, two, float_bytes / floor_f / 1e6);
  printf ("  compact search (int8 scan + exact re-rank of 64), top-%d identities: median %.2f ms "
          "= %.2fx the time to read its bytes (1 thread: %.2f ms)\n",
          K, c_med, c_med / floor_c, c1_med);
  printf ("  exact float32 full scan: median %.2f ms = %.2fx the time to read its bytes; "
          "compact is %.1fx faster\n", e_med, e_med / floor_f, e_med / c_med);
  printf ("  recall@5 of compact vs exact: %.4f (%u/%u identities); same top-1 face %u/%u; "
          "right person first, >= %.2f: %u/%u\n", (double) found / (K * n_queries), found,
          K * n_queries, same_top1, n_queries, ATTEST_MATCHER_DEFAULT_THRESHOLD, right_top1,
          n_queries);
  printf ("  build: insert %u faces %.0f ms (%.2f us per face); %zu bytes per face, %.0f MB in "
          "all\n", n, build_ms, build_ms * 1000 / n, attest_matcher_get_bytes_per_face (m),
          (double) attest_matcher_get_bytes_per_face (m) * n / 1e6);
  printf ("  RESULT %u: compact %.2f ms, floor %.2f ms, ratio %.2f; exact %.2f ms; recall@5 %.4f\n",
          n, c_med, floor_c, c_med / floor_c, e_med, (double) found / (K * n_queries));

  if (vec0 != NULL && n <= 100000)
    bench_sqlite_vec (vec0, &g, probes, n_queries);

  for (guint q = 0; q < n_queries; q++)
    g_free (probes[q]);
  gallery_clear (&g);
}

/* Impostor statistics cost on the middle gallery, since the app computes them on demand. */
static void
bench_stats (guint n)
{
  Gallery g = { 0 };
  g_autoptr(AttestMatcher) m = attest_matcher_new (DIM);
  AttestImpostorStats s;
  double t;

  gallery_make (&g, n, 7);
  for (guint f = 0; f < n; f++)
    attest_matcher_add (m, f + 1, g.identity[f], g.faces + (gsize) f * DIM, NULL);
  t = now_ms ();
  attest_matcher_impostor_stats (m, ATTEST_MATCHER_DEFAULT_THRESHOLD, &s);
  printf ("\nimpostor stats, %u faces: %.0f ms; %" G_GUINT64_FORMAT " pairs%s, mean %.3f sd %.3f "
          "max %.3f, pair FMR %.2g, gallery FMR %u/%u (upper95 %.3f)\n", n, now_ms () - t,
          s.n_pairs, s.pairs_sampled ? " (sampled)" : "", s.mean, s.stddev, s.max, s.pair_fmr,
          s.n_probes_matched, s.n_probes, s.gallery_fmr_upper95);
  gallery_clear (&g);
}

int
main (int argc, char **argv)
{
  g_autofree char *sizes = NULL;
  g_autofree char *vec0 = NULL;
  int queries = 50;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes,
      "Gallery sizes (default 10000,100000,1000000)", "N,N" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &queries, "Queries per size (default 50)", "N" },
    { "sqlite-vec", 0, 0, G_OPTION_ARG_FILENAME, &vec0,
      "Also measure sqlite-vec (path of vec0.so)", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- face search benchmark");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) list = NULL;
  double start = now_ms ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (vec0 == NULL && g_getenv ("ATTEST_SQLITE_VEC") != NULL)
    vec0 = g_strdup (g_getenv ("ATTEST_SQLITE_VEC"));
  queries = CLAMP (queries, 5, 200);
  list = g_strsplit (sizes ? sizes : "10000,100000,1000000", ",", -1);

  printf ("face search: %d-d embeddings, top-%d identities, %d queries per size, %u processors\n",
          DIM, K, queries, g_get_num_processors ());
  print_load ("at start");
  for (guint i = 0; list[i] != NULL; i++)
    bench_size ((guint) g_ascii_strtoull (list[i], NULL, 10), queries, vec0);
  bench_stats (100000);
  printf ("\ntotal %.1f s\n", (now_ms () - start) / 1000);
  print_load ("at end");
  return 0;
}
