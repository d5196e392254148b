/* attest-matcher.c: the face search index (see attest-matcher.h for what it promises).
 *
 * Layout: faces are rows 0..n-1 of contiguous arrays, so a search is one linear pass over
 * memory. Each row has the normalised float32 embedding (exact scores) and an int8 copy with
 * one scale per row (code = round (x * 127 / max|x|)), a quarter of the bytes: a search is
 * bound by how fast memory can be read, so the scan reads the int8 copy and only the best few
 * dozen rows are re-scored from float32. fp16 was measured too: twice the bytes, and gcc 12
 * does not vectorise its conversions on baseline x86-64 (~8x slower than int8 there).
 * Removal moves the last row into the hole; an open-addressing table maps face ids to rows.
 *
 * Rows are zero-padded to a multiple of the kernels' chunk and every inner loop is written so
 * gcc sees that its length is such a multiple: gcc -O2 (its "very cheap" vectoriser) only
 * vectorises loops that need no scalar tail. On x86-64 Linux the kernels are also built for
 * AVX2 and AVX-512 and picked at load time (target_clones): a distribution build targets
 * baseline x86-64, and the wider units keep the int8 scan at memory speed with cycles to spare
 * for a second search (bench/attest-bench-search.c has the figures).
 *
 * Large galleries are split across a small shared thread pool (MIN_ROWS_PER_THREAD rows per
 * thread at least): one core alone does not saturate memory bandwidth here (measured: reading
 * 205 MB takes ~13 ms with 2 threads, ~21 ms with one).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attest-matcher.h"

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) \
    && __GNUC__ >= 11
#define ATTEST_KERNEL __attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#else
#define ATTEST_KERNEL
#endif

#define CODE_CHUNK 64        /* int8 rows are padded to a multiple of this (one AVX-512 load) */
#define FLOAT_LANES 16       /* float rows are padded to a multiple of this; partial sums */
#define BLOCK_ROWS 256       /* rows scored per kernel call */
#define MIN_ROWS_PER_THREAD 16384
#define MAX_THREADS 4
#define NO_ROW G_MAXUINT32
#define COMPACT_PER_IDENTITY 4   /* faces per identity the compact scan keeps for re-ranking */
#define MAX_SCORED_PAIRS 2000000
#define SAMPLED_PROBES 1000
#define STATS_SEED 0x5eedfaceu

struct _AttestMatcher
{
  GRWLock  lock;
  guint    dim;
  guint    float_stride;     /* dim rounded up to FLOAT_LANES */
  guint    code_stride;      /* dim rounded up to CODE_CHUNK */
  guint    max_threads;      /* atomic */

  guint    n;
  guint    capacity;
  float   *vectors;          /* capacity x float_stride, L2-normalised, zero-padded */
  gint8   *codes;            /* capacity x code_stride */
  float   *scales;           /* code -> float, per row */
  gint64  *face_ids;
  gint64  *identity_ids;

  /* face id -> row. Linear probing, load <= 1/2, backward-shift deletion (no tombstones). */
  gint64  *slot_keys;
  guint32 *slot_rows;        /* NO_ROW = empty */
  guint    n_slots;          /* power of two */
};

G_DEFINE_QUARK (attest-matcher-error-quark, attest_matcher_error)

/* ---------------------------------------------------------------------------------------
 * Kernels
 */

/* Approximate scores of n rows: int8 dot products times each row's scale. The probe's own
 * scale is left out: it is the same for every row and only the order matters here.
 *
 * Shaped for gcc -O2 (measured, AVX-512 clone, rows in cache: 40 GMAC/s; a plain one-row
 * loop over int8 x int8: 12): the probe is widened to int16 once, so gcc sees a 16x16->32
 * bit dot product and uses pmaddwd (with both sides int8 it multiplies in 16 bits and
 * widens afterwards); four rows share each probe load; `len` tells it the length is a
 * multiple of the vector width, so no scalar tail is needed. */
ATTEST_KERNEL static void
score_codes (const gint8  *restrict codes,
             const float  *restrict scales,
             const gint16 *restrict probe,
             gsize                  stride,
             gsize                  n,
             float        *restrict out)
{
  gsize len = stride / CODE_CHUNK * CODE_CHUNK;
  gsize r = 0;

  for (; r + 4 <= n; r += 4)
    {
      const gint8 *a = codes + r * stride;
      const gint8 *b = a + stride;
      const gint8 *c = b + stride;
      const gint8 *d = c + stride;
      gint32 sa = 0, sb = 0, sc = 0, sd = 0;

      for (gsize i = 0; i < len; i++)
        {
          gint32 p = probe[i];

          sa += a[i] * p;
          sb += b[i] * p;
          sc += c[i] * p;
          sd += d[i] * p;
        }
      out[r] = (float) sa * scales[r];
      out[r + 1] = (float) sb * scales[r + 1];
      out[r + 2] = (float) sc * scales[r + 2];
      out[r + 3] = (float) sd * scales[r + 3];
    }
  for (; r < n; r++)
    {
      const gint8 *a = codes + r * stride;
      gint32 sa = 0;

      for (gsize i = 0; i < len; i++)
        sa += a[i] * (gint32) probe[i];
      out[r] = (float) sa * scales[r];
    }
}

/* Exact float32 scores of n rows. FLOAT_LANES independent sums, so the loop vectorises
 * without reassociating (no -ffast-math); every exact score anywhere comes from here, so
 * equal inputs always give bit-identical scores. */
ATTEST_KERNEL static void
score_floats (const float *restrict vectors,
              const float *restrict probe,
              gsize                 stride,
              gsize                 n,
              float       *restrict out)
{
  for (gsize r = 0; r < n; r++)
    {
      const float *row = vectors + r * stride;
      float acc[FLOAT_LANES] = { 0 };
      float sum = 0;

      for (gsize c = 0; c < stride; c += FLOAT_LANES)
        for (gsize i = 0; i < FLOAT_LANES; i++)
          acc[i] += row[c + i] * probe[c + i];
      for (gsize i = 0; i < FLOAT_LANES; i++)
        sum += acc[i];
      out[r] = sum;
    }
}

static float
score_rows (AttestMatcher *self,
            guint          a,
            guint          b)
{
  float s;

  score_floats (self->vectors + (gsize) a * self->float_stride,
                self->vectors + (gsize) b * self->float_stride,
                self->float_stride, 1, &s);
  return s;
}

/* Normalises `in` into `out` (float_stride floats, zero-padded). FALSE if it cannot be.
 * Sums and maxima run in FLOAT_LANES independent lanes over the padded row, so gcc -O2
 * vectorises them (one serial chain of adds made adding a face ~3x slower). */
static gboolean
normalise (AttestMatcher *self,
           const float   *restrict in,
           float         *restrict out)
{
  gsize stride = self->float_stride / FLOAT_LANES * FLOAT_LANES;
  double acc[FLOAT_LANES] = { 0 };
  double sum = 0;
  float inv;

  memcpy (out, in, sizeof (float) * self->dim);
  memset (out + self->dim, 0, sizeof (float) * (stride - self->dim));
  for (gsize c = 0; c < stride; c += FLOAT_LANES)
    for (gsize i = 0; i < FLOAT_LANES; i++)
      acc[i] += (double) out[c + i] * out[c + i];
  for (gsize i = 0; i < FLOAT_LANES; i++)
    sum += acc[i];
  if (!isfinite (sum) || sum <= 0)
    return FALSE;
  inv = (float) (1.0 / sqrt (sum));
  for (gsize i = 0; i < stride; i++)
    out[i] *= inv;
  return TRUE;
}

/* int8 code of a normalised, padded vector; returns the scale that maps codes back. Codes
 * stay in -127..127 so products fit int16 and 2^31 is far away. Rounding is branch-free: a
 * branch on the sign mispredicts half the time. */
static float
quantise (AttestMatcher *self,
          const float   *restrict v,
          gint8         *restrict code)
{
  gsize stride = self->float_stride / FLOAT_LANES * FLOAT_LANES;
  float lanes[FLOAT_LANES] = { 0 };
  float max_abs = 0;
  float inv;

  memset (code, 0, self->code_stride);
  for (gsize c = 0; c < stride; c += FLOAT_LANES)
    for (gsize i = 0; i < FLOAT_LANES; i++)
      {
        float a = fabsf (v[c + i]);
        lanes[i] = a > lanes[i] ? a : lanes[i];
      }
  for (gsize i = 0; i < FLOAT_LANES; i++)
    max_abs = MAX (max_abs, lanes[i]);
  if (max_abs == 0)
    return 0;
  inv = 127.0f / max_abs;
  for (gsize i = 0; i < stride; i++)
    code[i] = (gint8) (v[i] * inv + copysignf (0.5f, v[i]));
  return max_abs / 127.0f;
}

/* ---------------------------------------------------------------------------------------
 * face id -> row
 */

static guint
slot_hash (gint64 key)
{
  guint64 x = (guint64) key;

  /* splitmix64 finaliser: store ids are sequential, which linear probing handles badly raw */
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return (guint) x;
}

/* The slot holding `key`, or the empty slot where it would go. */
static guint
slot_find (AttestMatcher *self,
           gint64         key)
{
  guint mask = self->n_slots - 1;
  guint i = slot_hash (key) & mask;

  while (self->slot_rows[i] != NO_ROW && self->slot_keys[i] != key)
    i = (i + 1) & mask;
  return i;
}

static void
slots_resize (AttestMatcher *self,
              guint          n_slots)
{
  gint64 *old_keys = self->slot_keys;
  guint32 *old_rows = self->slot_rows;
  guint old_n = self->n_slots;

  self->n_slots = n_slots;
  self->slot_keys = g_new (gint64, n_slots);
  self->slot_rows = g_new (guint32, n_slots);
  memset (self->slot_rows, 0xff, sizeof (guint32) * n_slots);
  for (guint i = 0; i < old_n; i++)
    if (old_rows[i] != NO_ROW)
      {
        guint s = slot_find (self, old_keys[i]);
        self->slot_keys[s] = old_keys[i];
        self->slot_rows[s] = old_rows[i];
      }
  g_free (old_keys);
  g_free (old_rows);
}

static void
slot_delete (AttestMatcher *self,
             guint          i)
{
  guint mask = self->n_slots - 1;
  guint j = i;

  /* Backward shift: pull later entries of the probe run into the hole when their home slot
   * does not lie (cyclically) between the hole and where they are. */
  self->slot_rows[i] = NO_ROW;
  for (;;)
    {
      guint home;

      j = (j + 1) & mask;
      if (self->slot_rows[j] == NO_ROW)
        return;
      home = slot_hash (self->slot_keys[j]) & mask;
      if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
        continue;
      self->slot_keys[i] = self->slot_keys[j];
      self->slot_rows[i] = self->slot_rows[j];
      self->slot_rows[j] = NO_ROW;
      i = j;
    }
}

/* ---------------------------------------------------------------------------------------
 * Rows (callers hold the writer lock)
 */

static void
ensure_capacity (AttestMatcher *self,
                 guint          n_rows)
{
  guint needed_slots = self->n_slots;

  if (n_rows > self->capacity)
    {
      guint cap = MAX (self->capacity, 256);

      while (cap < n_rows)
        cap = cap > G_MAXUINT / 2 ? n_rows : cap * 2;
      /* realloc, not aligned alloc + copy: glibc moves big blocks with mremap, no copying */
      self->vectors = g_realloc_n (self->vectors, (gsize) cap * self->float_stride, sizeof (float));
      self->codes = g_realloc_n (self->codes, (gsize) cap, self->code_stride);
      self->scales = g_realloc_n (self->scales, cap, sizeof (float));
      self->face_ids = g_realloc_n (self->face_ids, cap, sizeof (gint64));
      self->identity_ids = g_realloc_n (self->identity_ids, cap, sizeof (gint64));
      self->capacity = cap;
    }

  while (needed_slots < 2 * (gsize) n_rows)
    needed_slots = needed_slots ? needed_slots * 2 : 64;
  if (needed_slots != self->n_slots)
    slots_resize (self, needed_slots);
}

static void
write_row (AttestMatcher *self,
           guint          row,
           gint64         face_id,
           gint64         identity_id,
           const float   *normalised)
{
  float *v = self->vectors + (gsize) row * self->float_stride;

  memcpy (v, normalised, sizeof (float) * self->float_stride);
  self->scales[row] = quantise (self, v, self->codes + (gsize) row * self->code_stride);
  self->face_ids[row] = face_id;
  self->identity_ids[row] = identity_id;
}

/* Removes row `row` (whose slot is `slot`) by moving the last row into it. */
static void
remove_row (AttestMatcher *self,
            guint          row,
            guint          slot)
{
  guint last = self->n - 1;

  slot_delete (self, slot);
  if (row != last)
    {
      memcpy (self->vectors + (gsize) row * self->float_stride,
              self->vectors + (gsize) last * self->float_stride,
              sizeof (float) * self->float_stride);
      memcpy (self->codes + (gsize) row * self->code_stride,
              self->codes + (gsize) last * self->code_stride, self->code_stride);
      self->scales[row] = self->scales[last];
      self->face_ids[row] = self->face_ids[last];
      self->identity_ids[row] = self->identity_ids[last];
      self->slot_rows[slot_find (self, self->face_ids[row])] = row;
    }
  self->n--;
}

/* ---------------------------------------------------------------------------------------
 * Selection: the best `keep` rows by score, at most `per_identity` per identity
 */

typedef struct
{
  float   score;
  guint32 row;
} Hit;

typedef struct
{
  const gint64 *identity_ids;   /* the matcher's */
  const gint64 *excluded;       /* sorted */
  guint         n_excluded;
  guint         keep;
  guint         per_identity;
  guint         capacity;
  Hit          *hits;
  guint         n_hits;
  float         floor;          /* a score < floor cannot make the final list */
} Selector;

static void
selector_init (Selector      *sel,
               AttestMatcher *self,
               const gint64  *excluded,
               guint          n_excluded,
               guint          keep,
               guint          per_identity)
{
  sel->identity_ids = self->identity_ids;
  sel->excluded = excluded;
  sel->n_excluded = n_excluded;
  sel->keep = keep;
  sel->per_identity = per_identity;
  sel->capacity = MAX (2 * keep, 64);
  sel->hits = g_new (Hit, sel->capacity);
  sel->n_hits = 0;
  sel->floor = -INFINITY;
}

static void
selector_clear (Selector *sel)
{
  g_clear_pointer (&sel->hits, g_free);
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Best first; equal scores by row so the result does not depend on the thread split. */
static int
compare_hits (const void *a,
              const void *b)
{
  const Hit *x = a;
  const Hit *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return (x->row > y->row) - (x->row < y->row);
}

/* Sorts the hits and keeps the best `keep`, dropping an identity's faces beyond its best
 * `per_identity`. Such a face cannot raise its identity's score (its better faces are kept),
 * and without the cap a person enrolled with many near-identical photos would fill every
 * place and push the other identities out of the top k. */
static void
selector_compact (Selector *sel)
{
  guint kept = 0;

  qsort (sel->hits, sel->n_hits, sizeof (Hit), compare_hits);
  for (guint i = 0; i < sel->n_hits && kept < sel->keep; i++)
    {
      gint64 id = sel->identity_ids[sel->hits[i].row];
      guint same = 0;

      for (guint j = 0; j < kept && same < sel->per_identity; j++)
        if (sel->identity_ids[sel->hits[j].row] == id)
          same++;
      if (same < sel->per_identity)
        sel->hits[kept++] = sel->hits[i];
    }
  sel->n_hits = kept;
  if (kept == sel->keep)
    sel->floor = sel->hits[kept - 1].score;
}

/* Ties with the floor are let in: compaction breaks them by row, so the answer does not
 * depend on scan order or thread split even for duplicate embeddings. */
static inline gboolean
selector_wants (const Selector *sel,
                float           score)
{
  return score >= sel->floor;
}

static inline void
selector_offer (Selector *sel,
                guint     row,
                float     score)
{
  if (!selector_wants (sel, score))
    return;
  if (sel->n_excluded > 0
      && bsearch (&sel->identity_ids[row], sel->excluded, sel->n_excluded, sizeof (gint64),
                  compare_gint64) != NULL)
    return;
  sel->hits[sel->n_hits].score = score;
  sel->hits[sel->n_hits].row = row;
  if (++sel->n_hits == sel->capacity)
    selector_compact (sel);
}

/* ---------------------------------------------------------------------------------------
 * Scans, split across threads for large galleries
 */

typedef struct
{
  GMutex mutex;
  GCond  cond;
  guint  pending;
} Join;

typedef struct _Job Job;
struct _Job
{
  void (*run) (Job *job);
  Join  *join;
};

static void
pool_run (gpointer data,
          gpointer user_data)
{
  Job *job = data;
  Join *join = job->join;

  job->run (job);
  g_mutex_lock (&join->mutex);
  join->pending--;
  g_cond_signal (&join->cond);
  g_mutex_unlock (&join->mutex);
}

/* Shared by every matcher. Its jobs never wait on other jobs and the caller always runs
 * one job itself, so concurrent searches queue but cannot deadlock. */
static GThreadPool *
shared_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (pool_run, NULL, MAX_THREADS - 1, FALSE, NULL));
  return pool;
}

/* Runs jobs[0] here and the others on the pool; returns when all are done. */
static void
run_jobs (Job   **jobs,
          guint   n_jobs)
{
  Join join;

  if (n_jobs == 1)
    {
      jobs[0]->run (jobs[0]);
      return;
    }

  g_mutex_init (&join.mutex);
  g_cond_init (&join.cond);
  join.pending = n_jobs - 1;
  for (guint i = 1; i < n_jobs; i++)
    {
      jobs[i]->join = &join;
      g_thread_pool_push (shared_pool (), jobs[i], NULL);
    }
  jobs[0]->run (jobs[0]);

  g_mutex_lock (&join.mutex);
  while (join.pending > 0)
    g_cond_wait (&join.cond, &join.mutex);
  g_mutex_unlock (&join.mutex);
  g_mutex_clear (&join.mutex);
  g_cond_clear (&join.cond);
}

static guint
n_parts_for (AttestMatcher *self,
             guint          n_rows)
{
  guint max_threads = (guint) g_atomic_int_get (&self->max_threads);

  return CLAMP (MIN (max_threads, n_rows / MIN_ROWS_PER_THREAD), 1, MAX_THREADS);
}

/* One probe against rows [start, end). */
typedef struct
{
  Job            job;
  AttestMatcher *matcher;
  gboolean       compact;
  const float   *probe;        /* normalised, float_stride */
  const gint16  *probe_code;   /* code_stride, widened (see score_codes) */
  guint          start;
  guint          end;
  Selector       sel;
} Part;

static void
part_run (Job *job)
{
  Part *part = (Part *) job;
  AttestMatcher *self = part->matcher;
  float block[BLOCK_ROWS];

  for (guint first = part->start; first < part->end; first += BLOCK_ROWS)
    {
      guint n = MIN (BLOCK_ROWS, part->end - first);

      if (part->compact)
        score_codes (self->codes + (gsize) first * self->code_stride, self->scales + first,
                     part->probe_code, self->code_stride, n, block);
      else
        score_floats (self->vectors + (gsize) first * self->float_stride, part->probe,
                      self->float_stride, n, block);
      for (guint i = 0; i < n; i++)
        if (selector_wants (&part->sel, block[i]))
          selector_offer (&part->sel, first + i, block[i]);
    }
}

/* Scans every row into one selector (initialised by the caller, keep/per_identity set). */
static void
scan (AttestMatcher *self,
      gboolean       compact,
      const float   *probe,
      const gint16  *probe_code,
      Selector      *result)
{
  guint n_parts = n_parts_for (self, self->n);
  Part parts[MAX_THREADS];
  Job *jobs[MAX_THREADS];

  for (guint p = 0; p < n_parts; p++)
    {
      parts[p] = (Part) { { part_run, NULL }, self, compact, probe, probe_code,
                          (guint) ((guint64) self->n * p / n_parts),
                          (guint) ((guint64) self->n * (p + 1) / n_parts), { 0 } };
      if (n_parts == 1)
        parts[p].sel = *result;
      else
        selector_init (&parts[p].sel, self, result->excluded, result->n_excluded,
                       result->keep, result->per_identity);
      jobs[p] = &parts[p].job;
    }
  run_jobs (jobs, n_parts);

  if (n_parts == 1)
    {
      *result = parts[0].sel;
      return;
    }
  for (guint p = 0; p < n_parts; p++)
    {
      for (guint i = 0; i < parts[p].sel.n_hits; i++)
        selector_offer (result, parts[p].sel.hits[i].row, parts[p].sel.hits[i].score);
      selector_clear (&parts[p].sel);
    }
}

/* Many gallery faces as probes at once, each against every other identity (impostor
 * statistics). One pass over the rows serves PROBE_CHUNK probes while a block of rows is in
 * cache: ~5x faster than one search per probe, which is bound by reading memory. */
typedef struct
{
  Job            job;
  AttestMatcher *matcher;
  const guint   *rows;    /* probe rows */
  guint          n_rows;
  float         *best;    /* out: per probe, best exact score of another identity */
} ProbeBatch;

#define PROBE_CHUNK 32

static void
probe_batch_run (Job *job)
{
  ProbeBatch *batch = (ProbeBatch *) job;
  AttestMatcher *self = batch->matcher;
  g_autofree gint16 *wide = g_new (gint16, (gsize) PROBE_CHUNK * self->code_stride);
  float block[BLOCK_ROWS];

  for (guint c = 0; c < batch->n_rows; c += PROBE_CHUNK)
    {
      guint n_probes = MIN (PROBE_CHUNK, batch->n_rows - c);
      const guint *rows = batch->rows + c;
      Selector sels[PROBE_CHUNK];

      for (guint p = 0; p < n_probes; p++)
        for (guint i = 0; i < self->code_stride; i++)
          wide[p * self->code_stride + i] = self->codes[(gsize) rows[p] * self->code_stride + i];

      /* As attest_matcher_search with k = 1, the probe's own identity excluded. */
      for (guint p = 0; p < n_probes; p++)
        selector_init (&sels[p], self, &self->identity_ids[rows[p]], 1, 64, COMPACT_PER_IDENTITY);
      for (guint first = 0; first < self->n; first += BLOCK_ROWS)
        {
          guint n = MIN (BLOCK_ROWS, self->n - first);

          for (guint p = 0; p < n_probes; p++)
            {
              score_codes (self->codes + (gsize) first * self->code_stride, self->scales + first,
                           wide + (gsize) p * self->code_stride, self->code_stride, n, block);
              for (guint i = 0; i < n; i++)
                if (selector_wants (&sels[p], block[i]))
                  selector_offer (&sels[p], first + i, block[i]);
            }
        }
      for (guint p = 0; p < n_probes; p++)
        {
          float best = -INFINITY;

          for (guint i = 0; i < sels[p].n_hits; i++)
            best = MAX (best, score_rows (self, rows[p], sels[p].hits[i].row));
          batch->best[c + p] = best;
          selector_clear (&sels[p]);
        }
    }
}

static void
best_other_identity (AttestMatcher *self,
                     const guint   *rows,
                     guint          n_rows,
                     float         *best)
{
  guint n_parts = CLAMP ((guint) g_atomic_int_get (&self->max_threads), 1, MAX_THREADS);
  ProbeBatch batches[MAX_THREADS];
  Job *jobs[MAX_THREADS];

  n_parts = MIN (n_parts, n_rows);
  for (guint p = 0; p < n_parts; p++)
    {
      guint start = (guint) ((guint64) n_rows * p / n_parts);
      guint end = (guint) ((guint64) n_rows * (p + 1) / n_parts);

      batches[p] = (ProbeBatch) { { probe_batch_run, NULL }, self, rows + start, end - start,
                                  best + start };
      jobs[p] = &batches[p].job;
    }
  run_jobs (jobs, n_parts);
}

/* The final list: hits re-scored exactly if needed, best face per identity, top k. */
static guint
emit (AttestMatcher   *self,
      Selector        *sel,
      const float     *probe,
      gboolean         rescore,
      guint            k,
      AttestCandidate *out)
{
  guint n_out = 0;

  if (rescore)
    for (guint i = 0; i < sel->n_hits; i++)
      score_floats (self->vectors + (gsize) sel->hits[i].row * self->float_stride, probe,
                    self->float_stride, 1, &sel->hits[i].score);
  qsort (sel->hits, sel->n_hits, sizeof (Hit), compare_hits);

  for (guint i = 0; i < sel->n_hits && n_out < k; i++)
    {
      guint row = sel->hits[i].row;
      gboolean seen = FALSE;

      for (guint j = 0; j < n_out && !seen; j++)
        seen = out[j].identity_id == self->identity_ids[row];
      if (seen)
        continue;
      out[n_out].identity_id = self->identity_ids[row];
      out[n_out].face_id = self->face_ids[row];
      out[n_out].score = sel->hits[i].score;
      out[n_out].rank = n_out + 1;
      n_out++;
    }
  return n_out;
}

/* Caller holds the reader lock; `probe` is normalised and padded. */
static guint
search_locked (AttestMatcher   *self,
               const float     *probe,
               gboolean         compact,
               guint            k,
               const gint64    *excluded,
               guint            n_excluded,
               AttestCandidate *out)
{
  Selector sel;
  guint n_out;

  if (self->n == 0)
    return 0;

  if (compact)
    {
      g_autofree gint8 *code = g_malloc (self->code_stride);
      g_autofree gint16 *wide = g_new (gint16, self->code_stride);

      quantise (self, probe, code);
      for (guint i = 0; i < self->code_stride; i++)
        wide[i] = code[i];
      /* 8 faces per wanted identity: room for the quantisation error (~0.001 on a cosine)
       * to reorder near-ties without losing the identity that exact scores put first. */
      selector_init (&sel, self, excluded, n_excluded, MAX (64, 8 * k), COMPACT_PER_IDENTITY);
      scan (self, TRUE, probe, wide, &sel);
      selector_compact (&sel);
      n_out = emit (self, &sel, probe, TRUE, k, out);
    }
  else
    {
      selector_init (&sel, self, excluded, n_excluded, k, 1);
      scan (self, FALSE, probe, NULL, &sel);
      selector_compact (&sel);
      n_out = emit (self, &sel, probe, FALSE, k, out);
    }
  selector_clear (&sel);
  return n_out;
}

static guint
search (AttestMatcher   *self,
        const float     *probe,
        gboolean         compact,
        guint            k,
        const gint64    *excluded_identities,
        guint            n_excluded,
        AttestCandidate *out)
{
  g_autofree float *normalised = g_new (float, self->float_stride);
  g_autofree gint64 *excluded = NULL;
  guint n_out;

  if (k == 0 || !normalise (self, probe, normalised))
    return 0;
  if (n_excluded > 0)
    {
      excluded = g_memdup2 (excluded_identities, sizeof (gint64) * n_excluded);
      qsort (excluded, n_excluded, sizeof (gint64), compare_gint64);
    }

  g_rw_lock_reader_lock (&self->lock);
  n_out = search_locked (self, normalised, compact, k, excluded, n_excluded, out);
  g_rw_lock_reader_unlock (&self->lock);
  return n_out;
}

/* ---------------------------------------------------------------------------------------
 * Public
 */

AttestMatcher *
attest_matcher_new (guint dim)
{
  AttestMatcher *self;

  g_return_val_if_fail (dim > 0 && dim <= 65536, NULL);

  self = g_atomic_rc_box_new0 (AttestMatcher);
  g_rw_lock_init (&self->lock);
  self->dim = dim;
  self->float_stride = (dim + FLOAT_LANES - 1) / FLOAT_LANES * FLOAT_LANES;
  self->code_stride = (dim + CODE_CHUNK - 1) / CODE_CHUNK * CODE_CHUNK;
  self->max_threads = CLAMP (g_get_num_processors (), 1, MAX_THREADS);
  slots_resize (self, 64);
  return self;
}

AttestMatcher *
attest_matcher_ref (AttestMatcher *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
matcher_free (gpointer data)
{
  AttestMatcher *self = data;

  g_free (self->vectors);
  g_free (self->codes);
  g_free (self->scales);
  g_free (self->face_ids);
  g_free (self->identity_ids);
  g_free (self->slot_keys);
  g_free (self->slot_rows);
  g_rw_lock_clear (&self->lock);
}

void
attest_matcher_unref (AttestMatcher *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, matcher_free);
}

guint
attest_matcher_get_dim (AttestMatcher *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->dim;
}

guint
attest_matcher_get_n_faces (AttestMatcher *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_rw_lock_reader_lock (&self->lock);
  n = self->n;
  g_rw_lock_reader_unlock (&self->lock);
  return n;
}

gsize
attest_matcher_get_bytes_per_face (AttestMatcher *self)
{
  gsize row, slots;

  g_return_val_if_fail (self != NULL, 0);

  g_rw_lock_reader_lock (&self->lock);
  row = sizeof (float) * self->float_stride + self->code_stride + sizeof (float)
        + 2 * sizeof (gint64);
  slots = self->n > 0
          ? (gsize) self->n_slots * (sizeof (gint64) + sizeof (guint32)) / self->n
          : 0;
  g_rw_lock_reader_unlock (&self->lock);
  return row + slots;
}

void
attest_matcher_reserve (AttestMatcher *self,
                        guint          n_faces)
{
  g_return_if_fail (self != NULL);

  g_rw_lock_writer_lock (&self->lock);
  ensure_capacity (self, MAX (n_faces, self->n));
  g_rw_lock_writer_unlock (&self->lock);
}

gboolean
attest_matcher_add (AttestMatcher  *self,
                    gint64          face_id,
                    gint64          identity_id,
                    const float    *embedding,
                    GError        **error)
{
  g_autofree float *normalised = NULL;
  guint slot;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (embedding != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  normalised = g_new (float, self->float_stride);
  if (!normalise (self, embedding, normalised))
    {
      g_set_error (error, ATTEST_MATCHER_ERROR, ATTEST_MATCHER_ERROR_INVALID_EMBEDDING,
                   _("Face %" G_GINT64_FORMAT " was not added to the search index: its "
                     "embedding holds invalid values (not a number, infinite or all zeros)."),
                   face_id);
      return FALSE;
    }

  g_rw_lock_writer_lock (&self->lock);
  slot = slot_find (self, face_id);
  if (self->slot_rows[slot] != NO_ROW)
    {
      write_row (self, self->slot_rows[slot], face_id, identity_id, normalised);
    }
  else if (self->n >= NO_ROW - 1)
    {
      g_rw_lock_writer_unlock (&self->lock);
      g_set_error (error, ATTEST_MATCHER_ERROR, ATTEST_MATCHER_ERROR_FULL,
                   _("Face %" G_GINT64_FORMAT " was not added: the search index is full."),
                   face_id);
      return FALSE;
    }
  else
    {
      ensure_capacity (self, self->n + 1);
      slot = slot_find (self, face_id);  /* the table may have grown */
      self->slot_keys[slot] = face_id;
      self->slot_rows[slot] = self->n;
      write_row (self, self->n, face_id, identity_id, normalised);
      self->n++;
    }
  g_rw_lock_writer_unlock (&self->lock);
  return TRUE;
}

gboolean
attest_matcher_remove_face (AttestMatcher *self,
                            gint64         face_id)
{
  gboolean found;
  guint slot;

  g_return_val_if_fail (self != NULL, FALSE);

  g_rw_lock_writer_lock (&self->lock);
  slot = slot_find (self, face_id);
  found = self->slot_rows[slot] != NO_ROW;
  if (found)
    remove_row (self, self->slot_rows[slot], slot);
  g_rw_lock_writer_unlock (&self->lock);
  return found;
}

guint
attest_matcher_remove_identity (AttestMatcher *self,
                                gint64         identity_id)
{
  guint removed = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_rw_lock_writer_lock (&self->lock);
  /* Downwards: the row moved into a hole comes from the end, which is already checked. */
  for (guint row = self->n; row-- > 0;)
    if (self->identity_ids[row] == identity_id)
      {
        remove_row (self, row, slot_find (self, self->face_ids[row]));
        removed++;
      }
  g_rw_lock_writer_unlock (&self->lock);
  return removed;
}

void
attest_matcher_clear (AttestMatcher *self)
{
  g_return_if_fail (self != NULL);

  g_rw_lock_writer_lock (&self->lock);
  self->n = 0;
  memset (self->slot_rows, 0xff, sizeof (guint32) * self->n_slots);
  g_rw_lock_writer_unlock (&self->lock);
}

gboolean
attest_matcher_lookup_face (AttestMatcher *self,
                            gint64         face_id,
                            gint64        *identity_id)
{
  guint slot;
  gboolean found;

  g_return_val_if_fail (self != NULL, FALSE);

  g_rw_lock_reader_lock (&self->lock);
  slot = slot_find (self, face_id);
  found = self->slot_rows[slot] != NO_ROW;
  if (found && identity_id != NULL)
    *identity_id = self->identity_ids[self->slot_rows[slot]];
  g_rw_lock_reader_unlock (&self->lock);
  return found;
}

void
attest_matcher_set_max_threads (AttestMatcher *self,
                                guint          n_threads)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->max_threads, CLAMP (n_threads, 1, MAX_THREADS));
}

guint
attest_matcher_search (AttestMatcher   *self,
                       const float     *probe,
                       guint            k,
                       const gint64    *excluded_identities,
                       guint            n_excluded,
                       AttestCandidate *out)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (probe != NULL, 0);
  g_return_val_if_fail (out != NULL || k == 0, 0);
  g_return_val_if_fail (excluded_identities != NULL || n_excluded == 0, 0);

  return search (self, probe, TRUE, k, excluded_identities, n_excluded, out);
}

guint
attest_matcher_search_exact (AttestMatcher   *self,
                             const float     *probe,
                             guint            k,
                             const gint64    *excluded_identities,
                             guint            n_excluded,
                             AttestCandidate *out)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (probe != NULL, 0);
  g_return_val_if_fail (out != NULL || k == 0, 0);
  g_return_val_if_fail (excluded_identities != NULL || n_excluded == 0, 0);

  return search (self, probe, FALSE, k, excluded_identities, n_excluded, out);
}

/* ---------------------------------------------------------------------------------------
 * Impostor statistics
 */

typedef struct
{
  guint64 n;
  guint64 at_threshold;
  double  sum;
  double  sum_sq;
  double  max;
  guint64 histogram[ATTEST_IMPOSTOR_BINS];
} PairTally;

static inline void
tally_add (PairTally *t,
           double     threshold,
           float      s)
{
  int bin = (int) floor ((s + 1.0) * 0.5 * ATTEST_IMPOSTOR_BINS);

  t->n++;
  t->at_threshold += s >= threshold;
  t->sum += s;
  t->sum_sq += (double) s * s;
  t->max = MAX (t->max, s);
  t->histogram[CLAMP (bin, 0, ATTEST_IMPOSTOR_BINS - 1)]++;
}

static double
wilson_upper95 (guint x,
                guint n)
{
  const double z = 1.959964;
  double p = (double) x / n;
  double denom = 1 + z * z / n;
  double centre = p + z * z / (2.0 * n);
  double margin = z * sqrt (p * (1 - p) / n + z * z / (4.0 * n * n));

  return MIN (1.0, (centre + margin) / denom);
}

static int
compare_rows_by_identity (const void *a,
                          const void *b,
                          void       *data)
{
  const gint64 *ids = data;
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  if (ids[x] != ids[y])
    return ids[x] < ids[y] ? -1 : 1;
  return (x > y) - (x < y);
}

gboolean
attest_matcher_impostor_stats (AttestMatcher       *self,
                               double               threshold,
                               AttestImpostorStats *out)
{
  g_autofree guint *order = NULL;
  g_autofree guint *group_end = NULL;
  g_autofree float *best_other = NULL;
  PairTally tally = { 0, 0, 0, 0, -INFINITY, { 0 } };
  guint64 same_pairs = 0, impostor_pairs;
  guint n, n_identities = 0, n_probes = 0, n_matched = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->threshold = threshold;
  out->pair_fmr = out->mean = out->stddev = out->max = NAN;
  out->gallery_fmr = out->gallery_fmr_upper95 = NAN;

  g_rw_lock_reader_lock (&self->lock);
  n = self->n;

  /* Rows grouped by identity: group_end[i] = first position after row order[i]'s group. */
  order = g_new (guint, MAX (n, 1));
  group_end = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, n, sizeof (guint), compare_rows_by_identity, self->identity_ids);
  for (guint i = 0; i < n;)
    {
      guint j = i;

      while (j < n && self->identity_ids[order[j]] == self->identity_ids[order[i]])
        j++;
      for (guint x = i; x < j; x++)
        group_end[x] = j;
      same_pairs += (guint64) (j - i) * (j - i - 1) / 2;
      n_identities++;
      i = j;
    }
  out->n_faces = n;
  out->n_identities = n_identities;
  if (n < 10 || n_identities < 2)
    {
      g_rw_lock_reader_unlock (&self->lock);
      return FALSE;
    }
  impostor_pairs = (guint64) n * (n - 1) / 2 - same_pairs;

  if (impostor_pairs <= MAX_SCORED_PAIRS)
    {
      /* Every pair, each once; the same pass gives every face its best other identity. */
      best_other = g_new (float, n);
      for (guint i = 0; i < n; i++)
        best_other[i] = -INFINITY;
      for (guint a = 0; a < n; a++)
        for (guint b = group_end[a]; b < n; b++)
          {
            float s = score_rows (self, order[a], order[b]);

            tally_add (&tally, threshold, s);
            best_other[a] = MAX (best_other[a], s);
            best_other[b] = MAX (best_other[b], s);
          }
      n_probes = n;
      for (guint i = 0; i < n; i++)
        n_matched += best_other[i] >= threshold;
    }
  else
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (STATS_SEED);
      guint64 attempts = 0;

      /* Uniform over impostor pairs: uniform ordered pairs, same identity rejected. The cap
       * only matters for a gallery that is almost all one identity. */
      while (tally.n < MAX_SCORED_PAIRS && attempts++ < 50 * (guint64) MAX_SCORED_PAIRS)
        {
          guint a = g_rand_int_range (rand, 0, n);
          guint b = g_rand_int_range (rand, 0, n);

          if (self->identity_ids[a] != self->identity_ids[b])
            tally_add (&tally, threshold, score_rows (self, a, b));
        }

      /* Probes: a sample of faces, each against every identity but its own. */
      for (guint i = 0; i < SAMPLED_PROBES; i++)
        {
          guint j = g_rand_int_range (rand, i, n);
          guint row = order[j];

          order[j] = order[i];
          order[i] = row;
        }
      best_other = g_new (float, SAMPLED_PROBES);
      best_other_identity (self, order, SAMPLED_PROBES, best_other);
      n_probes = SAMPLED_PROBES;
      for (guint i = 0; i < n_probes; i++)
        n_matched += best_other[i] >= threshold;
      out->pairs_sampled = TRUE;
    }
  g_rw_lock_reader_unlock (&self->lock);

  out->n_pairs = tally.n;
  out->n_pairs_at_threshold = tally.at_threshold;
  memcpy (out->histogram, tally.histogram, sizeof tally.histogram);
  if (tally.n > 0)
    {
      double mean = tally.sum / tally.n;

      out->pair_fmr = (double) tally.at_threshold / tally.n;
      out->mean = mean;
      out->stddev = sqrt (MAX (0.0, tally.sum_sq / tally.n - mean * mean));
      out->max = tally.max;
    }
  out->n_probes = n_probes;
  out->n_probes_matched = n_matched;
  out->gallery_fmr = (double) n_matched / n_probes;
  out->gallery_fmr_upper95 = wilson_upper95 (n_matched, n_probes);
  return TRUE;
}
