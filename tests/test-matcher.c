/* test-matcher.c: the face search index, on embeddings of real photographs (Debian's
 * libdlib19.1 "johns": 5 people x 11 photos, through the real models) and on seeded random
 * galleries large enough for the compact scan and the thread split to matter.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/attest-matcher.h"
#include "vision/attest-vision.h"

#define DIM ATTEST_EMBEDDING_DIM
#define THRESHOLD ATTEST_MATCHER_DEFAULT_THRESHOLD
#define ENROLLED_PER_PERSON 5
#define IDENTITY_BASE 700   /* store-like ids that are not row numbers */
#define FACE_BASE 9000

typedef struct
{
  char  *person;
  guint  person_index;
  gint64 face_id;
  float  embedding[DIM];
} Photo;

static GPtrArray *johns_photos;  /* Photo, sorted by person then file name */

/* ---------------------------------------------------------------------------------------
 * Real embeddings
 */

static void
photo_free (Photo *p)
{
  g_free (p->person);
  g_free (p);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
sorted_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* The johns photos are tight 150x150 chips; the detector needs context around a face, so
 * each chip is padded by half its size on every side with its edge pixels repeated. */
static guint8 *
pad_replicate (const AttestImageView *src,
               int                    pad,
               AttestImageView       *out)
{
  int width = src->width + 2 * pad, height = src->height + 2 * pad, stride = width * 3;
  guint8 *data = g_malloc ((gsize) stride * height);

  g_assert_cmpint (src->format, ==, ATTEST_PIXELS_BGR);
  for (int y = 0; y < height; y++)
    {
      int sy = CLAMP (y - pad, 0, src->height - 1);
      for (int x = 0; x < width; x++)
        {
          int sx = CLAMP (x - pad, 0, src->width - 1);
          memcpy (data + y * stride + x * 3, src->data + sy * src->stride + sx * 3, 3);
        }
    }
  *out = (AttestImageView) { data, width, height, stride, ATTEST_PIXELS_BGR };
  return data;
}

static GPtrArray *
johns (void)
{
  const char *models = g_getenv ("ATTEST_MODELS_DIR");
  const char *examples = g_getenv ("ATTEST_DLIB_EXAMPLES");
  g_autofree char *root = NULL;
  g_autoptr(AttestVision) vision = NULL;
  g_autoptr(GPtrArray) people = NULL;
  g_autoptr(GError) error = NULL;

  if (johns_photos != NULL)
    return johns_photos;

  g_assert_nonnull (models);
  g_assert_nonnull (examples);
  vision = attest_vision_new (models, &error);
  g_assert_no_error (error);

  root = g_build_filename (examples, "johns", NULL);
  people = sorted_dir (root);
  g_assert_cmpuint (people->len, ==, 5);
  johns_photos = g_ptr_array_new_with_free_func ((GDestroyNotify) photo_free);
  for (guint p = 0; p < people->len; p++)
    {
      g_autofree char *person_dir = g_build_filename (root, people->pdata[p], NULL);
      g_autoptr(GPtrArray) files = sorted_dir (person_dir);

      g_assert_cmpuint (files->len, ==, 11);
      for (guint f = 0; f < files->len; f++)
        {
          g_autofree char *path = g_build_filename (person_dir, files->pdata[f], NULL);
          g_autoptr(AttestImage) chip = attest_image_load (path, &error);
          g_autofree guint8 *pixels = NULL;
          AttestImageView view;
          AttestBox box;
          Photo *photo = g_new0 (Photo, 1);

          g_assert_no_error (error);
          pixels = pad_replicate (attest_image_get_view (chip),
                                  attest_image_get_view (chip)->width / 2, &view);
          g_assert_cmpint (attest_vision_detect (vision, &view, &box, 1), ==, 1);
          attest_vision_embed (vision, &view, &box, photo->embedding, &error);
          g_assert_no_error (error);
          photo->person = g_strdup (people->pdata[p]);
          photo->person_index = p;
          photo->face_id = FACE_BASE + johns_photos->len;
          g_ptr_array_add (johns_photos, photo);
        }
    }
  return johns_photos;
}

static gint64
identity_of (const Photo *p)
{
  return IDENTITY_BASE + p->person_index;
}

static gboolean
is_enrolled (guint index)
{
  return index % 11 < ENROLLED_PER_PERSON;
}

/* The first 5 photos of each person (by file name) enrolled; the other 6 are probes. */
static AttestMatcher *
johns_gallery (void)
{
  GPtrArray *photos = johns ();
  AttestMatcher *m = attest_matcher_new (DIM);

  for (guint i = 0; i < photos->len; i++)
    if (is_enrolled (i))
      {
        Photo *p = photos->pdata[i];
        g_autoptr(GError) error = NULL;

        g_assert_true (attest_matcher_add (m, p->face_id, identity_of (p), p->embedding, &error));
        g_assert_no_error (error);
      }
  g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, 5 * ENROLLED_PER_PERSON);
  return m;
}

/* The best cosine over the enrolled faces of `person`, computed without the matcher;
 * optionally which face gave it. */
static float
best_enrolled (const float *probe,
               guint        person,
               gint64       skip_face,
               gint64      *best_face)
{
  GPtrArray *photos = johns ();
  float best = -2;

  for (guint i = 0; i < photos->len; i++)
    {
      Photo *p = photos->pdata[i];
      float s;

      if (!is_enrolled (i) || p->person_index != person || p->face_id == skip_face)
        continue;
      s = attest_embedding_cosine (probe, p->embedding);
      if (s > best)
        {
          best = s;
          if (best_face != NULL)
            *best_face = p->face_id;
        }
    }
  return best;
}

static void
assert_same_candidates (const AttestCandidate *a,
                        guint                  n_a,
                        const AttestCandidate *b,
                        guint                  n_b)
{
  g_assert_cmpuint (n_a, ==, n_b);
  for (guint i = 0; i < n_a; i++)
    {
      g_assert_cmpint (a[i].identity_id, ==, b[i].identity_id);
      g_assert_cmpint (a[i].face_id, ==, b[i].face_id);
      g_assert_cmpfloat (a[i].score, ==, b[i].score);
      g_assert_cmpuint (a[i].rank, ==, b[i].rank);
    }
}

/* ---------------------------------------------------------------------------------------
 * Real photos
 */

static void
test_johns_held_out (void)
{
  GPtrArray *photos = johns ();
  g_autoptr(AttestMatcher) m = johns_gallery ();
  float worst_true = 2, best_false = -2;
  guint probes = 0;

  for (guint i = 0; i < photos->len; i++)
    {
      Photo *p = photos->pdata[i];
      AttestCandidate c[8], exact[8];
      guint n;

      if (is_enrolled (i))
        continue;
      probes++;
      n = attest_matcher_search (m, p->embedding, 8, NULL, 0, c);

      /* One entry per identity, all five, best first, ranks 1..n. */
      g_assert_cmpuint (n, ==, 5);
      for (guint r = 0; r < n; r++)
        {
          gint64 id = 0;
          gint64 face = 0;
          guint person = c[r].identity_id - IDENTITY_BASE;
          float best;

          g_assert_cmpuint (c[r].rank, ==, r + 1);
          if (r > 0)
            g_assert_cmpfloat (c[r].score, <=, c[r - 1].score);
          for (guint q = 0; q < r; q++)
            g_assert_cmpint (c[q].identity_id, !=, c[r].identity_id);
          g_assert_true (attest_matcher_lookup_face (m, c[r].face_id, &id));
          g_assert_cmpint (id, ==, c[r].identity_id);
          /* An identity scores as its best enrolled face, and says which one that is. */
          best = best_enrolled (p->embedding, person, -1, &face);
          g_assert_cmpfloat_with_epsilon (c[r].score, best, 1e-5);
          g_assert_cmpint (c[r].face_id, ==, face);
        }

      /* The right person comes first, above the threshold; everyone else is "No match". */
      if (c[0].identity_id != identity_of (p))
        g_test_message ("%s %" G_GINT64_FORMAT ": top-1 is %" G_GINT64_FORMAT,
                        p->person, p->face_id, c[0].identity_id);
      g_assert_cmpint (c[0].identity_id, ==, identity_of (p));
      g_assert_cmpfloat (c[0].score, >=, THRESHOLD);
      g_assert_cmpfloat (c[1].score, <, THRESHOLD);
      worst_true = MIN (worst_true, c[0].score);
      best_false = MAX (best_false, c[1].score);

      g_assert_cmpuint (attest_matcher_search_exact (m, p->embedding, 8, NULL, 0, exact), ==, n);
      assert_same_candidates (c, n, exact, n);
    }
  g_assert_cmpuint (probes, ==, 30);
  g_test_message ("30 held-out photos: right person first, lowest score %.3f; best other "
                  "person %.3f (threshold %.2f)", worst_true, best_false, THRESHOLD);
}

static void
test_johns_excluded (void)
{
  GPtrArray *photos = johns ();
  g_autoptr(AttestMatcher) m = johns_gallery ();
  const gint64 all[] = { IDENTITY_BASE + 4, 12345, IDENTITY_BASE, IDENTITY_BASE + 2,
                         IDENTITY_BASE + 1, IDENTITY_BASE + 3 };

  for (guint i = 0; i < photos->len; i++)
    {
      Photo *p = photos->pdata[i];
      gint64 rejected[2] = { identity_of (p), IDENTITY_BASE + (p->person_index + 1) % 5 };
      AttestCandidate c[5], exact[5];
      guint n;

      if (is_enrolled (i))
        continue;

      /* The reviewer rejected the right person (and one other): never offered again, and
       * nobody left reaches the threshold. */
      n = attest_matcher_search (m, p->embedding, 5, rejected, 2, c);
      g_assert_cmpuint (n, ==, 3);
      for (guint r = 0; r < n; r++)
        {
          g_assert_cmpint (c[r].identity_id, !=, rejected[0]);
          g_assert_cmpint (c[r].identity_id, !=, rejected[1]);
          g_assert_cmpfloat (c[r].score, <, THRESHOLD);
        }
      n = attest_matcher_search_exact (m, p->embedding, 5, rejected, 2, exact);
      g_assert_cmpuint (n, ==, 3);
      assert_same_candidates (c, n, exact, n);

      n = attest_matcher_search (m, p->embedding, 5, all, G_N_ELEMENTS (all), c);
      g_assert_cmpuint (n, ==, 0);
      n = attest_matcher_search_exact (m, p->embedding, 5, all, G_N_ELEMENTS (all), c);
      g_assert_cmpuint (n, ==, 0);
    }
}

static void
test_johns_remove (void)
{
  GPtrArray *photos = johns ();
  g_autoptr(AttestMatcher) m = johns_gallery ();
  Photo *probe = photos->pdata[11 + 7];  /* person 1, held out */
  guint person = probe->person_index;
  AttestCandidate c[5];
  gint64 best_face = 0, next_face = 0, id = 0;
  float next;

  g_assert_cmpuint (attest_matcher_search (m, probe->embedding, 5, NULL, 0, c), ==, 5);
  g_assert_cmpint (c[0].identity_id, ==, identity_of (probe));
  best_face = c[0].face_id;

  /* Without its best face the identity scores as its next best one. */
  g_assert_true (attest_matcher_remove_face (m, best_face));
  g_assert_false (attest_matcher_remove_face (m, best_face));
  g_assert_false (attest_matcher_lookup_face (m, best_face, &id));
  g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, 24);
  next = best_enrolled (probe->embedding, person, best_face, &next_face);
  g_assert_cmpuint (attest_matcher_search (m, probe->embedding, 5, NULL, 0, c), ==, 5);
  g_assert_cmpint (c[0].identity_id, ==, identity_of (probe));
  g_assert_cmpint (c[0].face_id, ==, next_face);
  g_assert_cmpint (c[0].face_id, !=, best_face);
  g_assert_cmpfloat_with_epsilon (c[0].score, next, 1e-5);

  /* Every other face is still where it was. */
  for (guint i = 0; i < photos->len; i++)
    {
      Photo *p = photos->pdata[i];
      gboolean expected = is_enrolled (i) && p->face_id != best_face;

      g_assert_cmpint (attest_matcher_lookup_face (m, p->face_id, &id), ==, expected);
      if (expected)
        g_assert_cmpint (id, ==, identity_of (p));
    }

  /* The whole identity goes: the probe now meets four strangers. */
  g_assert_cmpuint (attest_matcher_remove_identity (m, identity_of (probe)), ==, 4);
  g_assert_cmpuint (attest_matcher_remove_identity (m, identity_of (probe)), ==, 0);
  g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, 20);
  g_assert_cmpuint (attest_matcher_search (m, probe->embedding, 5, NULL, 0, c), ==, 4);
  for (guint r = 0; r < 4; r++)
    {
      g_assert_cmpint (c[r].identity_id, !=, identity_of (probe));
      g_assert_cmpfloat (c[r].score, <, THRESHOLD);
    }

  /* Enrolled again, found again. */
  for (guint i = 0; i < photos->len; i++)
    {
      Photo *p = photos->pdata[i];

      if (is_enrolled (i) && p->person_index == person)
        g_assert_true (attest_matcher_add (m, p->face_id, identity_of (p), p->embedding, NULL));
    }
  g_assert_cmpuint (attest_matcher_search (m, probe->embedding, 5, NULL, 0, c), ==, 5);
  g_assert_cmpint (c[0].identity_id, ==, identity_of (probe));
  g_assert_cmpint (c[0].face_id, ==, best_face);

  attest_matcher_clear (m);
  g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, 0);
  g_assert_cmpuint (attest_matcher_search (m, probe->embedding, 5, NULL, 0, c), ==, 0);
  g_assert_false (attest_matcher_lookup_face (m, best_face, NULL));
}

static void
assert_insufficient (AttestMatcher *m)
{
  AttestImpostorStats stats;

  g_assert_false (attest_matcher_impostor_stats (m, THRESHOLD, &stats));
  g_assert_true (isnan (stats.pair_fmr));
  g_assert_true (isnan (stats.gallery_fmr));
  g_assert_cmpuint (stats.n_pairs, ==, 0);
  g_assert_cmpuint (stats.n_probes, ==, 0);
}

static void
test_johns_impostor_stats (void)
{
  GPtrArray *photos = johns ();
  g_autoptr(AttestMatcher) m = johns_gallery ();
  g_autoptr(AttestMatcher) one = attest_matcher_new (DIM);
  g_autoptr(AttestMatcher) few = attest_matcher_new (DIM);
  AttestImpostorStats strict, loose;
  guint64 in_bins = 0;

  /* 25 faces, 5 identities of 5: 300 pairs, 50 of them same-person. */
  g_assert_true (attest_matcher_impostor_stats (m, THRESHOLD, &strict));
  g_assert_cmpuint (strict.n_faces, ==, 25);
  g_assert_cmpuint (strict.n_identities, ==, 5);
  g_assert_cmpuint (strict.n_pairs, ==, 250);
  g_assert_false (strict.pairs_sampled);
  for (guint b = 0; b < ATTEST_IMPOSTOR_BINS; b++)
    in_bins += strict.histogram[b];
  g_assert_cmpuint (in_bins, ==, 250);
  g_assert_cmpuint (strict.n_pairs_at_threshold, ==, 0);
  g_assert_cmpfloat (strict.pair_fmr, ==, 0);
  g_assert_cmpfloat (strict.max, <, THRESHOLD);
  g_assert_cmpfloat (fabs (strict.mean), <, 0.2);
  g_assert_cmpfloat (strict.stddev, >, 0.01);
  g_assert_cmpuint (strict.n_probes, ==, 25);
  g_assert_cmpuint (strict.n_probes_matched, ==, 0);
  g_assert_cmpfloat (strict.gallery_fmr, ==, 0);
  /* 0 of 25 is not proof of 0: the bound says how little 25 probes show. */
  g_assert_cmpfloat (strict.gallery_fmr_upper95, >, 0.1);
  g_assert_cmpfloat (strict.gallery_fmr_upper95, <, 0.2);
  g_test_message ("johns gallery at %.2f: %" G_GUINT64_FORMAT " impostor pairs, mean %.3f, "
                  "sd %.3f, max %.3f; gallery FMR 0/25 (95%% upper bound %.3f)", THRESHOLD,
                  strict.n_pairs, strict.mean, strict.stddev, strict.max,
                  strict.gallery_fmr_upper95);

  /* A careless threshold lets strangers through, and a probe meets many strangers at once. */
  g_assert_true (attest_matcher_impostor_stats (m, 0.1, &loose));
  g_assert_cmpuint (loose.n_pairs, ==, 250);
  g_assert_cmpfloat (loose.pair_fmr, >, 0);
  g_assert_cmpfloat (loose.gallery_fmr, >, 0);
  g_assert_cmpfloat (loose.gallery_fmr, >=, loose.pair_fmr);
  g_assert_cmpfloat (loose.mean, ==, strict.mean);
  g_test_message ("at 0.10: pair FMR %.3f, gallery FMR %.3f (%u of %u probes)", loose.pair_fmr,
                  loose.gallery_fmr, loose.n_probes_matched, loose.n_probes);

  /* Too little to say anything: 9 faces, or one identity. */
  for (guint i = 0; i < 9; i++)
    {
      Photo *p = photos->pdata[i * 6];
      g_assert_true (attest_matcher_add (few, p->face_id, identity_of (p), p->embedding, NULL));
    }
  assert_insufficient (few);
  for (guint i = 0; i < 11; i++)
    {
      Photo *p = photos->pdata[i];
      g_assert_true (attest_matcher_add (one, p->face_id, identity_of (p), p->embedding, NULL));
    }
  assert_insufficient (one);
}

static void
test_bad_input (void)
{
  GPtrArray *photos = johns ();
  g_autoptr(AttestMatcher) m = attest_matcher_new (DIM);
  Photo *a = photos->pdata[0], *b = photos->pdata[30];
  float bad[DIM] = { 0 };
  float scaled[DIM];
  AttestCandidate c[3];
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  /* Nothing found in an empty index. */
  g_assert_cmpuint (attest_matcher_search (m, a->embedding, 3, NULL, 0, c), ==, 0);

  /* All zeros, NaN, infinity: refused with a message, nothing added. */
  g_assert_false (attest_matcher_add (m, 1, 1, bad, &error));
  g_assert_error (error, ATTEST_MATCHER_ERROR, ATTEST_MATCHER_ERROR_INVALID_EMBEDDING);
  g_assert_nonnull (strstr (error->message, "invalid values"));
  g_clear_error (&error);
  memcpy (bad, a->embedding, sizeof bad);
  bad[17] = NAN;
  g_assert_false (attest_matcher_add (m, 1, 1, bad, &error));
  g_assert_error (error, ATTEST_MATCHER_ERROR, ATTEST_MATCHER_ERROR_INVALID_EMBEDDING);
  g_clear_error (&error);
  bad[17] = INFINITY;
  g_assert_false (attest_matcher_add (m, 1, 1, bad, &error));
  g_clear_error (&error);
  g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, 0);

  /* Embeddings are normalised on the way in: scale does not change a score. */
  for (guint i = 0; i < DIM; i++)
    scaled[i] = a->embedding[i] * 40.0f;
  g_assert_true (attest_matcher_add (m, 1, 10, scaled, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (attest_matcher_search (m, a->embedding, 3, NULL, 0, c), ==, 1);
  g_assert_cmpint (c[0].face_id, ==, 1);
  g_assert_cmpfloat_with_epsilon (c[0].score, 1.0, 1e-5);

  /* A bad probe matches nothing; k = 0 asks for nothing. */
  g_assert_cmpuint (attest_matcher_search (m, bad, 3, NULL, 0, c), ==, 0);
  g_assert_cmpuint (attest_matcher_search_exact (m, bad, 3, NULL, 0, c), ==, 0);
  g_assert_cmpuint (attest_matcher_search (m, a->embedding, 0, NULL, 0, NULL), ==, 0);

  /* The same face id again replaces the face (re-embedding, or moved to another identity). */
  g_assert_true (attest_matcher_add (m, 1, 20, b->embedding, NULL));
  g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, 1);
  g_assert_true (attest_matcher_lookup_face (m, 1, &id));
  g_assert_cmpint (id, ==, 20);
  g_assert_cmpuint (attest_matcher_search (m, b->embedding, 3, NULL, 0, c), ==, 1);
  g_assert_cmpint (c[0].identity_id, ==, 20);
  g_assert_cmpfloat_with_epsilon (c[0].score, 1.0, 1e-5);

  /* Another dimension works the same (dimension not a multiple of the kernel chunks). */
  {
    g_autoptr(AttestMatcher) small = attest_matcher_new (3);
    const float x[3] = { 1, 0, 0 }, y[3] = { 0.6f, 0.8f, 0 }, q[3] = { 0.8f, 0.6f, 0 };

    g_assert_true (attest_matcher_add (small, 1, 1, x, NULL));
    g_assert_true (attest_matcher_add (small, 2, 2, y, NULL));
    g_assert_cmpuint (attest_matcher_search (small, q, 5, NULL, 0, c), ==, 2);
    g_assert_cmpint (c[0].identity_id, ==, 2);
    g_assert_cmpfloat_with_epsilon (c[0].score, 0.96, 1e-6);
    g_assert_cmpint (c[1].identity_id, ==, 1);
    g_assert_cmpfloat_with_epsilon (c[1].score, 0.8, 1e-6);
  }
}

/* ---------------------------------------------------------------------------------------
 * Seeded random galleries
 */

static double
gaussian (GRand *rand)
{
  double u = g_rand_double_range (rand, 1e-12, 1.0), v = g_rand_double (rand);

  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

static void
random_unit (GRand *rand,
             float *v)
{
  double sum = 0;

  for (guint i = 0; i < DIM; i++)
    {
      v[i] = gaussian (rand);
      sum += (double) v[i] * v[i];
    }
  for (guint i = 0; i < DIM; i++)
    v[i] /= sqrt (sum);
}

/* `out` = normalise (`v` + noise): with noise 0.7 the copy scores ~0.82 with `v`, like a
 * new photo of an enrolled person (models.md: same person 0.46..1.00, mean 0.80). */
static void
noisy_copy (GRand       *rand,
            const float *v,
            double       noise,
            float       *out)
{
  float n[DIM];
  double sum = 0;

  random_unit (rand, n);
  for (guint i = 0; i < DIM; i++)
    {
      out[i] = v[i] + noise * n[i];
      sum += (double) out[i] * out[i];
    }
  for (guint i = 0; i < DIM; i++)
    out[i] /= sqrt (sum);
}

typedef struct
{
  AttestMatcher *matcher;
  float         *vectors;  /* n x DIM, as added */
  guint          n;
} RandomGallery;

/* n faces, 5 per identity, each a noisy copy of its identity's centre. */
static void
random_gallery (RandomGallery *g,
                GRand         *rand,
                guint          n)
{
  float centre[DIM];

  g->matcher = attest_matcher_new (DIM);
  g->vectors = g_new (float, (gsize) n * DIM);
  g->n = n;
  attest_matcher_reserve (g->matcher, n);
  for (guint i = 0; i < n; i++)
    {
      float *v = g->vectors + (gsize) i * DIM;

      if (i % 5 == 0)
        random_unit (rand, centre);
      noisy_copy (rand, centre, 0.7, v);
      g_assert_true (attest_matcher_add (g->matcher, 100000 + i, i / 5, v, NULL));
    }
}

static void
random_gallery_clear (RandomGallery *g)
{
  g_clear_pointer (&g->matcher, attest_matcher_unref);
  g_clear_pointer (&g->vectors, g_free);
}

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

static guint
overlap (const AttestCandidate *a,
         guint                  n_a,
         const AttestCandidate *b,
         guint                  n_b)
{
  guint same = 0;

  for (guint i = 0; i < n_a; i++)
    for (guint j = 0; j < n_b; j++)
      same += a[i].identity_id == b[j].identity_id;
  return same;
}

static void
test_random_compact_vs_exact (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  RandomGallery g;
  guint found = 0, wanted = 0, same_top1 = 0, right_top1 = 0;
  double worst_gap = 0;
  const guint n_probes = 200;

  random_gallery (&g, rand, 20000);
  for (guint q = 0; q < n_probes; q++)
    {
      guint row = g_rand_int_range (rand, 0, g.n);
      float probe[DIM];
      AttestCandidate compact[5], exact[5];
      guint n_compact, n_exact;

      noisy_copy (rand, g.vectors + (gsize) row * DIM, 0.5, probe);
      n_compact = attest_matcher_search (g.matcher, probe, 5, NULL, 0, compact);
      n_exact = attest_matcher_search_exact (g.matcher, probe, 5, NULL, 0, exact);
      g_assert_cmpuint (n_compact, ==, 5);
      g_assert_cmpuint (n_exact, ==, 5);

      right_top1 += exact[0].identity_id == row / 5;
      if (compact[0].identity_id == exact[0].identity_id && compact[0].face_id == exact[0].face_id
          && compact[0].score == exact[0].score)
        same_top1++;
      found += overlap (compact, 5, exact, 5);
      wanted += 5;
      /* Whatever the compact scan returns carries its exact score, so a miss can only be a
       * near-tie: the 5th compact score is at most a hair under the 5th exact one. */
      worst_gap = MAX (worst_gap, exact[4].score - compact[4].score);
      for (guint r = 0; r < 5; r++)
        g_assert_cmpfloat (compact[r].score, <=, exact[r].score + 1e-6);
    }
  g_test_message ("20k random faces, %u probes: top-1 identical %u/%u, recall@5 %.4f, "
                  "worst 5th-score gap %.5f", n_probes, same_top1, n_probes,
                  (double) found / wanted, worst_gap);
  g_assert_cmpuint (right_top1, ==, n_probes);
  g_assert_cmpuint (same_top1, ==, n_probes);
  g_assert_cmpfloat ((double) found / wanted, >=, 0.99);
  g_assert_cmpfloat (worst_gap, <, 0.01);
  random_gallery_clear (&g);
}

/* Above MIN_ROWS_PER_THREAD x 2 rows a search is split across threads: the answer must be
 * exactly the one-thread answer, compact and exact. */
static void
test_random_threads_agree (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  RandomGallery g;

  random_gallery (&g, rand, 40000);
  /* The same photo enrolled under 30 identities (a mistake the app must survive): exact
   * ties, which must be broken the same way whatever the split. */
  for (guint i = 0; i < 30; i++)
    g_assert_true (attest_matcher_add (g.matcher, 900000 + i, 900000 + i, g.vectors, NULL));

  for (guint q = 0; q < 40; q++)
    {
      float probe[DIM];
      AttestCandidate one[10], many[10], compact[10];
      guint n_one, n_many;
      gint64 excluded[1] = { g_rand_int_range (rand, 0, g.n / 5) };

      if (q == 0)
        memcpy (probe, g.vectors, sizeof probe);
      else
        noisy_copy (rand, g.vectors + (gsize) g_rand_int_range (rand, 0, g.n) * DIM, 0.5, probe);
      for (int exact = 0; exact < 2; exact++)
        {
          guint (*search) (AttestMatcher *, const float *, guint, const gint64 *, guint,
                           AttestCandidate *) = exact ? attest_matcher_search_exact
                                                      : attest_matcher_search;

          attest_matcher_set_max_threads (g.matcher, 1);
          n_one = search (g.matcher, probe, 10, excluded, q % 2, one);
          attest_matcher_set_max_threads (g.matcher, 4);
          n_many = search (g.matcher, probe, 10, excluded, q % 2, many);
          g_assert_cmpuint (n_one, ==, 10);
          assert_same_candidates (one, n_one, many, n_many);
          if (!exact)
            memcpy (compact, one, sizeof compact);
        }
      /* The compact and the exact search agree on the order, ties included. */
      assert_same_candidates (compact, 10, one, 10);
      if (q == 0)
        for (guint r = 0; r < 10; r++)
          g_assert_cmpfloat_with_epsilon (one[r].score, 1.0, 1e-5);
    }
  random_gallery_clear (&g);
}

/* One person enrolled with 300 near-identical photos must not push everyone else out of the
 * top 5: the compact scan keeps at most a few faces per identity. */
static void
test_random_crowded_identity (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  RandomGallery g;
  float crowd_centre[DIM], probe[DIM], v[DIM];
  AttestCandidate compact[5], exact[5];

  random_gallery (&g, rand, 5000);
  random_unit (rand, crowd_centre);
  for (guint i = 0; i < 300; i++)
    {
      noisy_copy (rand, crowd_centre, 0.05, v);
      g_assert_true (attest_matcher_add (g.matcher, 1 + i, -1, v, NULL));
    }
  /* A probe near the crowd and, less so, near 5 gallery identities. */
  for (guint i = 0; i < DIM; i++)
    probe[i] = crowd_centre[i];
  for (guint id = 0; id < 5; id++)
    for (guint i = 0; i < DIM; i++)
      probe[i] += 0.4f * g.vectors[(gsize) id * 5 * DIM + i];

  g_assert_cmpuint (attest_matcher_search_exact (g.matcher, probe, 5, NULL, 0, exact), ==, 5);
  g_assert_cmpuint (attest_matcher_search (g.matcher, probe, 5, NULL, 0, compact), ==, 5);
  g_assert_cmpint (exact[0].identity_id, ==, -1);
  assert_same_candidates (compact, 5, exact, 5);
  random_gallery_clear (&g);
}

/* Random adds, replacements and removals against a plain hash table: every face the table
 * holds is in the index under the right identity, finds itself, and nothing else is there. */
static void
test_random_churn (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autoptr(AttestMatcher) m = attest_matcher_new (DIM);
  g_autoptr(GHashTable) truth = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree float *vectors = g_new (float, 600 * DIM);

  for (guint i = 0; i < 600; i++)
    random_unit (rand, vectors + (gsize) i * DIM);

  for (guint step = 0; step < 6000; step++)
    {
      gint64 face = g_rand_int_range (rand, 0, 600);
      gint64 identity = face % 37 + (step % 3 == 0 ? 1000 : 0);
      guint op = g_rand_int_range (rand, 0, 10);

      if (op < 6)
        {
          g_assert_true (attest_matcher_add (m, face, identity, vectors + face * DIM, NULL));
          g_hash_table_insert (truth, g_memdup2 (&face, sizeof face),
                               GINT_TO_POINTER ((int) identity));
        }
      else if (op < 9)
        {
          gboolean known = g_hash_table_remove (truth, &face);

          g_assert_cmpint (attest_matcher_remove_face (m, face), ==, known);
        }
      else if (step % 50 == 0)
        {
          GHashTableIter iter;
          gpointer key, value;
          guint expected = 0;

          g_hash_table_iter_init (&iter, truth);
          while (g_hash_table_iter_next (&iter, &key, &value))
            if (GPOINTER_TO_INT (value) == identity)
              {
                g_hash_table_iter_remove (&iter);
                expected++;
              }
          g_assert_cmpuint (attest_matcher_remove_identity (m, identity), ==, expected);
        }
      g_assert_cmpuint (attest_matcher_get_n_faces (m), ==, g_hash_table_size (truth));
    }

  for (gint64 face = 0; face < 600; face++)
    {
      gint64 id = -7;
      gpointer value;
      gboolean present = g_hash_table_lookup_extended (truth, &face, NULL, &value);
      AttestCandidate c[1];

      g_assert_cmpint (attest_matcher_lookup_face (m, face, &id), ==, present);
      if (!present)
        continue;
      g_assert_cmpint (id, ==, GPOINTER_TO_INT (value));
      g_assert_cmpuint (attest_matcher_search (m, vectors + face * DIM, 1, NULL, 0, c), ==, 1);
      g_assert_cmpint (c[0].face_id, ==, face);
      g_assert_cmpfloat_with_epsilon (c[0].score, 1.0, 1e-5);
    }
}

/* A gallery with more than 2,000,000 impostor pairs is sampled: the estimates must agree
 * with the truth computed here over every pair. */
static void
test_random_impostor_sampled (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  RandomGallery g;
  g_autofree float *best_other = NULL;
  g_autofree float *sorted_best = NULL;
  g_autofree float *scores = g_new (float, 3118750);
  AttestImpostorStats stats;
  guint64 n_pairs = 0, at = 0, in_bins = 0;
  double sum = 0, threshold, true_pair_fmr, true_gallery_fmr, sigma;
  guint matched = 0;

  random_gallery (&g, rand, 2500);  /* 500 identities of 5: 3,118,750 impostor pairs */
  best_other = g_new (float, g.n);
  for (guint i = 0; i < g.n; i++)
    best_other[i] = -2;
  for (guint i = 0; i < g.n; i++)
    for (guint j = i + 1; j < g.n; j++)
      if (i / 5 != j / 5)
        {
          float s = attest_embedding_cosine (g.vectors + (gsize) i * DIM,
                                             g.vectors + (gsize) j * DIM);

          best_other[i] = MAX (best_other[i], s);
          best_other[j] = MAX (best_other[j], s);
          g_assert_cmpuint (n_pairs, <, 3118750);
          scores[n_pairs++] = s;
          sum += s;
        }
  g_assert_cmpuint (n_pairs, ==, 3118750);

  /* A threshold that half the faces' best stranger reaches: the hardest rate to estimate. */
  sorted_best = g_memdup2 (best_other, sizeof (float) * g.n);
  qsort (sorted_best, g.n, sizeof (float), compare_floats);
  threshold = sorted_best[g.n / 2];
  for (guint i = 0; i < g.n; i++)
    matched += best_other[i] >= threshold;
  true_gallery_fmr = (double) matched / g.n;
  for (guint64 p = 0; p < n_pairs; p++)
    at += scores[p] >= threshold;
  true_pair_fmr = (double) at / n_pairs;

  g_assert_true (attest_matcher_impostor_stats (g.matcher, threshold, &stats));
  g_assert_true (stats.pairs_sampled);
  g_assert_cmpuint (stats.n_faces, ==, 2500);
  g_assert_cmpuint (stats.n_identities, ==, 500);
  g_assert_cmpuint (stats.n_pairs, ==, 2000000);
  for (guint b = 0; b < ATTEST_IMPOSTOR_BINS; b++)
    in_bins += stats.histogram[b];
  g_assert_cmpuint (in_bins, ==, stats.n_pairs);
  sigma = sqrt (true_pair_fmr * (1 - true_pair_fmr) / stats.n_pairs);
  g_test_message ("2500 faces at %.3f: pair FMR %.5f (truth %.5f), gallery FMR %.3f (truth %.3f, "
                  "%u probes), mean %.4f (truth %.4f)", threshold, stats.pair_fmr, true_pair_fmr,
                  stats.gallery_fmr, true_gallery_fmr, stats.n_probes, stats.mean, sum / n_pairs);
  g_assert_cmpfloat (true_pair_fmr, >, 0);
  g_assert_cmpfloat (fabs (stats.pair_fmr - true_pair_fmr), <, 5 * sigma);
  g_assert_cmpfloat (fabs (stats.mean - sum / n_pairs), <, 0.002);
  /* 1000 of 2500 faces sampled without replacement: sd ~0.012 */
  g_assert_cmpuint (stats.n_probes, ==, 1000);
  g_assert_cmpfloat (fabs (stats.gallery_fmr - true_gallery_fmr), <, 0.06);
  g_assert_cmpfloat (stats.gallery_fmr_upper95, >, stats.gallery_fmr);
  random_gallery_clear (&g);
}

typedef struct
{
  AttestMatcher *matcher;
  const float   *vectors;
  guint          n;
  gint          *stop;
  guint          searches;
} Reader;

static gpointer
reader_run (gpointer data)
{
  Reader *r = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (r->n);

  while (!g_atomic_int_get (r->stop) || r->searches < 20)
    {
      guint row = g_rand_int_range (rand, 0, r->n);
      gint64 excluded = row / 5 + 1;
      AttestCandidate c[5];
      guint n = attest_matcher_search (r->matcher, r->vectors + (gsize) row * DIM, 5,
                                       &excluded, 1, c);

      /* Whatever the writer is doing, an answer is well formed. */
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpint (c[i].identity_id, !=, excluded);
          g_assert_cmpuint (c[i].rank, ==, i + 1);
          g_assert_cmpfloat (c[i].score, <=, 1.0001);
          if (i > 0)
            g_assert_cmpfloat (c[i].score, <=, c[i - 1].score);
        }
      r->searches++;
    }
  return NULL;
}

static void
test_random_readers_and_writer (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  RandomGallery g;
  Reader readers[2];
  GThread *threads[2];
  gint stop = 0;

  random_gallery (&g, rand, 3000);
  for (guint t = 0; t < 2; t++)
    {
      readers[t] = (Reader) { g.matcher, g.vectors, g.n, &stop, 0 };
      threads[t] = g_thread_new ("reader", reader_run, &readers[t]);
    }
  /* The writer removes and re-adds faces while both readers search. */
  for (guint i = 0; i < 3000; i++)
    {
      guint row = (i * 7919) % g.n;

      g_assert_true (attest_matcher_remove_face (g.matcher, 100000 + row));
      g_assert_true (attest_matcher_add (g.matcher, 100000 + row, row / 5,
                                         g.vectors + (gsize) row * DIM, NULL));
    }
  g_atomic_int_set (&stop, 1);
  for (guint t = 0; t < 2; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpuint (readers[t].searches, >=, 20);
    }
  g_assert_cmpuint (attest_matcher_get_n_faces (g.matcher), ==, 3000);
  random_gallery_clear (&g);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/matcher/johns/held-out", test_johns_held_out);
  g_test_add_func ("/matcher/johns/excluded", test_johns_excluded);
  g_test_add_func ("/matcher/johns/remove", test_johns_remove);
  g_test_add_func ("/matcher/johns/impostor-stats", test_johns_impostor_stats);
  g_test_add_func ("/matcher/bad-input", test_bad_input);
  g_test_add_func ("/matcher/random/compact-vs-exact", test_random_compact_vs_exact);
  g_test_add_func ("/matcher/random/threads-agree", test_random_threads_agree);
  g_test_add_func ("/matcher/random/crowded-identity", test_random_crowded_identity);
  g_test_add_func ("/matcher/random/impostor-sampled", test_random_impostor_sampled);
  g_test_add_func ("/matcher/random/churn", test_random_churn);
  g_test_add_func ("/matcher/random/readers-and-writer", test_random_readers_and_writer);

  ret = g_test_run ();
  g_clear_pointer (&johns_photos, g_ptr_array_unref);
  return ret;
}
