/* attest-matcher.h: the in-memory face search index.
 *
 * Holds one L2-normalised embedding per enrolled face, tagged with the face's and its
 * identity's store ids, and answers "which identities look most like this face?". Pure C,
 * no GTK: the review queue, the CLI, the tests and bench/ use it directly.
 *
 * Scores are cosine similarities (-1..1) computed exactly in float32. An identity's score is
 * the best score over that identity's faces, not a mean: an identity enrolled with one good
 * photo and several poor ones (profile, blur, old scan) must still be found by the good one,
 * and the poor ones must not drown it.
 *
 * A score is only a candidate. Nothing here records a match: the reviewer confirms.
 *
 * Threads: any number of concurrent readers (search, stats) and writers (add, remove);
 * a GRWLock lets readers run together and gives writers exclusive access.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Below this a candidate is shown as "No match" (models.md: 0 of 8,092 different-person pairs
 * of real photos reached it). */
#define ATTEST_MATCHER_DEFAULT_THRESHOLD 0.45

/* Impostor scores histogram: ATTEST_IMPOSTOR_BINS bins of equal width over [-1, 1]. */
#define ATTEST_IMPOSTOR_BINS 40

#define ATTEST_MATCHER_ERROR (attest_matcher_error_quark ())

typedef enum
{
  ATTEST_MATCHER_ERROR_INVALID_EMBEDDING,  /* NaN/infinite values or all zeros */
  ATTEST_MATCHER_ERROR_FULL,               /* more faces than one index can address */
} AttestMatcherError;

typedef struct
{
  gint64 identity_id;
  gint64 face_id;      /* the identity's face that scored best */
  float  score;        /* exact cosine of the probe and that face */
  guint  rank;         /* 1 = best */
} AttestCandidate;

/* What a score means on this gallery: how often faces of *different* identities reach the
 * threshold. See attest_matcher_impostor_stats(). */
typedef struct
{
  double  threshold;
  guint   n_faces;
  guint   n_identities;

  /* Pairs of faces of different identities ("impostor pairs"). */
  guint64 n_pairs;             /* pairs scored */
  gboolean pairs_sampled;      /* TRUE: a random sample of all impostor pairs */
  guint64 n_pairs_at_threshold;/* pairs scoring >= threshold */
  double  pair_fmr;            /* n_pairs_at_threshold / n_pairs */
  double  mean;
  double  stddev;
  double  max;
  guint64 histogram[ATTEST_IMPOSTOR_BINS];

  /* One face of someone who is not in the gallery, searched against it: the estimated
   * probability that some identity scores >= threshold, i.e. a false candidate is offered. */
  guint   n_probes;            /* gallery faces used as such probes */
  guint   n_probes_matched;    /* ... whose best other identity scored >= threshold */
  double  gallery_fmr;         /* n_probes_matched / n_probes */
  double  gallery_fmr_upper95; /* Wilson 95% upper bound of gallery_fmr */
} AttestImpostorStats;

typedef struct _AttestMatcher AttestMatcher;

GQuark         attest_matcher_error_quark      (void);

/* An empty index for embeddings of `dim` floats (ATTEST_EMBEDDING_DIM for the app). */
AttestMatcher *attest_matcher_new              (guint                dim);
AttestMatcher *attest_matcher_ref              (AttestMatcher       *self);
void           attest_matcher_unref            (AttestMatcher       *self);

guint          attest_matcher_get_dim          (AttestMatcher       *self);
guint          attest_matcher_get_n_faces      (AttestMatcher       *self);
/* Memory the index holds per face (float32 copy, compact copy, ids, lookup table). */
gsize          attest_matcher_get_bytes_per_face (AttestMatcher     *self);

/* Room for n_faces without growing (loading a gallery of known size). */
void           attest_matcher_reserve          (AttestMatcher       *self,
                                                guint                n_faces);
/* Adds a face, or replaces the one with this face_id (re-embedding after a model change).
 * The embedding is L2-normalised here; one that cannot be (NaN, infinite, all zeros) is
 * refused with ATTEST_MATCHER_ERROR_INVALID_EMBEDDING and the index is unchanged. */
gboolean       attest_matcher_add              (AttestMatcher       *self,
                                                gint64               face_id,
                                                gint64               identity_id,
                                                const float         *embedding,
                                                GError             **error);
/* TRUE if the face was there. */
gboolean       attest_matcher_remove_face      (AttestMatcher       *self,
                                                gint64               face_id);
/* Removes every face of the identity; returns how many. */
guint          attest_matcher_remove_identity  (AttestMatcher       *self,
                                                gint64               identity_id);
void           attest_matcher_clear            (AttestMatcher       *self);
/* The identity a face is enrolled under; FALSE if the face is not in the index. */
gboolean       attest_matcher_lookup_face      (AttestMatcher       *self,
                                                gint64               face_id,
                                                gint64              *identity_id);

/* Threads one search may use (default: the number of processors, at most 4). Large
 * galleries are split across them; small ones are always scanned by the caller alone. */
void           attest_matcher_set_max_threads  (AttestMatcher       *self,
                                                guint                n_threads);

/* The k identities most like `probe`, best first, one entry per identity, none from
 * `excluded_identities` (e.g. identities the reviewer already rejected for this face).
 * Writes up to k entries to `out` and returns how many (fewer when the gallery has fewer
 * identities; 0 for a probe that cannot be normalised).
 *
 * How: a compact int8 copy of every embedding (one scale per face) is scanned for the best
 * 8k (at least 64) faces, at most 4 per identity; those are re-scored exactly from the
 * float32 copy. Scores in `out` are always exact; the compact scan can only, rarely, miss
 * an identity whose best face is within quantisation error (~0.001) of the k-th score. */
guint          attest_matcher_search           (AttestMatcher       *self,
                                                const float         *probe,
                                                guint                k,
                                                const gint64        *excluded_identities,
                                                guint                n_excluded,
                                                AttestCandidate     *out);
/* The same answer from a full float32 scan: the reference the compact search is measured
 * against (tests, bench/). Several times slower on large galleries. */
guint          attest_matcher_search_exact     (AttestMatcher       *self,
                                                const float         *probe,
                                                guint                k,
                                                const gint64        *excluded_identities,
                                                guint                n_excluded,
                                                AttestCandidate     *out);

/* Impostor score distribution of this gallery at `threshold`. Needs at least 2 identities
 * and 10 faces: otherwise returns FALSE and sets the rates and moments to NAN (counts 0).
 *
 * pair_fmr: over all pairs of faces of different identities (a seeded random sample of
 * 2,000,000 when there are more), the fraction scoring >= threshold.
 *
 * gallery_fmr, "one face searched against this gallery": each probe face (every face when
 * every pair is scored, else a seeded sample of 1,000) is searched against every other
 * identity, leaving its own out, as if its person had never been enrolled; it counts when
 * the best of them scores >= threshold. This direct leave-one-identity-out measurement is
 * used rather than 1 - (1 - pair_fmr)^n, which assumes independent faces and overstates the
 * rate when one identity's faces resemble each other. The probe sees the gallery minus its
 * own identity, slightly smaller than the real one; the upper bound covers small samples.
 *
 * Cost: ~0.1 s up to 2,000 faces; ~1-2 s at 100,000 faces (bench/). Call it off the main
 * thread; it holds the reader lock, so writers wait meanwhile. */
gboolean       attest_matcher_impostor_stats   (AttestMatcher       *self,
                                                double               threshold,
                                                AttestImpostorStats *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestMatcher, attest_matcher_unref)

G_END_DECLS
