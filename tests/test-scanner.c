/* test-scanner.c: scanning a video into the review queue (attest-scanner.h) and the store
 * calls it relies on (attest-store-scan.h, attest-review.h).
 *
 * Real models, a real gallery enrolled from the dlib johns photos the sample video does NOT
 * use, the real sample video and its ground truth: the queue must hold one item per
 * appearance of an enrolled person, at the right time, naming that person; none for the
 * people of the group photo nor for a person left out of the gallery; never a match. A
 * rejection keeps that identity off the same track and off a probe like it. A cancelled scan
 * resumes where it stopped and ends with exactly the items of one uninterrupted scan. Bad
 * files give their clear error and write nothing. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <fcntl.h>

#include "media/attest-pipeline.h"
#include "review/attest-importer.h"
#include "review/attest-scanner.h"
#include "review/attest-search.h"
#include "analysis/attest-rejections.h"
#include "store/attest-gallery.h"
#include "store/attest-review.h"
#include "store/attest-store-scan.h"
#include "test-sample-gallery.h"
#include "test-slideshow.h"

#define REVIEWER "Test Reviewer"
/* An item's span may start or end a little inside its appearance: the face slides in cut by
 * the frame edge, and the tracker gives up a second after the last sighting. */
#define SPAN_SLACK_MS 1500

typedef struct
{
  char          *db;      /* a closed database file to copy */
  AttestMatcher *matcher;
  GHashTable    *names;
} Gallery;

static AttestVision *vision;
static SampleTruth *truth;
static char *tmp_dir;
static char *sample;
static Gallery everyone;     /* all five johns */
static Gallery without_simm; /* everyone but John_Simm */
static char *sample_db;      /* the database /scanner/sample scanned into */
static GPtrArray *reference; /* char*: one uninterrupted scan's items, summarised */

/* ---- helpers ---------------------------------------------------------------------- */

static gint64
query_int (const char *db_path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
build_gallery (Gallery    *gallery,
               const char *name,
               const char *leave_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *folder = g_build_filename (tmp_dir, name, NULL);
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  g_autoptr (GListStore) identities = NULL;
  g_autoptr (GDir) people = NULL;
  const char *person;
  guint photos, enrolled = 0;

  photos = sample_gallery_folder (truth, folder, leave_out);
  gallery->db = g_strconcat (folder, ".db", NULL);
  store = attest_store_open (gallery->db, &error);
  g_assert_no_error (error);
  importer = attest_importer_new (store, vision, REVIEWER, "dlib example photos, by folder");
  people = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);
  while ((person = g_dir_read_name (people)) != NULL)
    {
      g_autofree char *dir = g_build_filename (folder, person, NULL);
      g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
      const char *file;

      g_assert_no_error (error);
      while ((file = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, file, NULL);
          AttestImportResult result = { 0 };

          g_assert_true (attest_importer_import_file (importer, path, person, &result, &error));
          g_assert_no_error (error);
          if (result.status == ATTEST_IMPORT_ENROLLED)
            enrolled++;
          attest_import_result_clear (&result);
        }
    }
  g_test_message ("gallery %s: %u of %u photos enrolled", name, enrolled, photos);
  g_assert_cmpuint (enrolled, >=, 10);

  gallery->matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  g_assert_cmpint (attest_matcher_load_from_store (gallery->matcher, store,
                                                   attest_vision_get_model_id (vision), &error),
                   ==, enrolled);
  g_assert_no_error (error);
  gallery->names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  identities = attest_store_list_identities (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (identities)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (identities), i);
      gint64 id = attest_identity_get_id (identity);

      g_hash_table_insert (gallery->names, g_memdup2 (&id, sizeof id),
                           g_strdup (attest_identity_get_name (identity)));
    }
  /* Closing the last connection folds the WAL into the file: it can be copied alone. */
}

static void
gallery_clear (Gallery *gallery)
{
  g_free (gallery->db);
  g_clear_pointer (&gallery->matcher, attest_matcher_unref);
  g_clear_pointer (&gallery->names, g_hash_table_unref);
}

static gint64
identity_id (Gallery    *gallery,
             const char *name)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, gallery->names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (value, name))
      return *(gint64 *) key;
  g_assert_not_reached ();
}

/* A fresh database holding the gallery, at tmp_dir/<name>.db. */
static char *
copy_gallery (const Gallery *gallery,
              const char    *name)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  char *path = g_build_filename (tmp_dir, file, NULL);
  g_autoptr (GFile) from = g_file_new_for_path (gallery->db);
  g_autoptr (GFile) to = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;

  g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return path;
}

static AttestStore *
open_store (const char *path)
{
  g_autoptr (GError) error = NULL;
  AttestStore *store = attest_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

typedef struct
{
  GArray       *item_ids;     /* gint64, in signal order */
  GArray       *fractions;    /* double */
  GCancellable *cancellable;
  guint         cancel_after_items;  /* 0: never */
  double        cancel_at_fraction;  /* > 1: never */
} Watch;

static void
watch_init (Watch *w)
{
  w->item_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  w->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  w->cancellable = g_cancellable_new ();
  w->cancel_at_fraction = 2;
}

static void
watch_clear (Watch *w)
{
  g_array_unref (w->item_ids);
  g_array_unref (w->fractions);
  g_object_unref (w->cancellable);
}

static void
item_added_cb (AttestScanner *scanner,
               gint64         item_id,
               Watch         *w)
{
  g_array_append_val (w->item_ids, item_id);
  if (w->cancel_after_items > 0 && w->item_ids->len >= w->cancel_after_items)
    g_cancellable_cancel (w->cancellable);
}

static void
progress_cb (AttestScanner *scanner,
             double         fraction,
             Watch         *w)
{
  g_array_append_val (w->fractions, fraction);
  if (fraction >= w->cancel_at_fraction)
    g_cancellable_cancel (w->cancellable);
}

static AttestScanner *
new_scanner (AttestStore *store,
             Gallery     *gallery,
             Watch       *w)
{
  AttestScanner *scanner = attest_scanner_new (store, vision, gallery->matcher, gallery->names);

  g_assert_cmpfloat (attest_scanner_get_threshold (scanner), ==, ATTEST_MATCHER_DEFAULT_THRESHOLD);
  g_assert_cmpuint (attest_scanner_get_every (scanner), ==, ATTEST_SCANNER_DEFAULT_EVERY);
  if (w != NULL)
    {
      g_signal_connect (scanner, "item-added", G_CALLBACK (item_added_cb), w);
      g_signal_connect (scanner, "progress", G_CALLBACK (progress_cb), w);
    }
  return scanner;
}

static AttestScanResult *
scan (AttestStore  *store,
      Gallery      *gallery,
      const char   *path,
      Watch        *w,
      GError      **error)
{
  g_autoptr (AttestScanner) scanner = new_scanner (store, gallery, w);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  gint64 start = g_get_monotonic_time ();
  AttestScanResult *result;

  result = attest_scanner_scan (scanner, file, w != NULL ? w->cancellable : NULL, error);
  g_test_message ("scan of %s: %.1f s wall", path,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return result;
}

static GPtrArray *
list_items (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *items = attest_store_list_review_items (store, NULL, &error);

  g_assert_no_error (error);
  return items;
}

/* g_ptr_array_sort hands the comparator pointers to the elements. */
static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* "track start..end best-candidate": what makes two scans' items the same. */
static GPtrArray *
summarise (GPtrArray *items)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < items->len; i++)
    {
      AttestReviewItem *item = g_ptr_array_index (items, i);

      g_ptr_array_add (out, g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "..%"
                                             G_GINT64_FORMAT " %s", item->track, item->start_ms,
                                             item->end_ms, item->candidates[0].name));
    }
  g_ptr_array_sort (out, compare_strings);
  return out;
}

static gboolean
is_png (GBytes *bytes)
{
  static const guint8 magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  return bytes != NULL && g_bytes_get_size (bytes) > sizeof magic &&
         memcmp (g_bytes_get_data (bytes, NULL), magic, sizeof magic) == 0;
}

/* Everything a reviewer needs is there: probe crop and embedding, candidates at or above the
 * threshold, best first, with names and gallery faces, and a few more frames of the track. */
static void
assert_item_whole (AttestStore      *store,
                   AttestReviewItem *item,
                   const char       *sha)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) frames = attest_store_list_review_frames (store, item->id, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (item->status, ==, "pending");
  g_assert_cmpstr (item->source_sha256, ==, sha);
  g_assert_true (g_str_has_prefix (item->source_uri, "file:///"));
  g_assert_cmpstr (item->model_id, ==, attest_vision_get_model_id (vision));
  g_assert_cmpfloat (item->threshold, ==, ATTEST_MATCHER_DEFAULT_THRESHOLD);
  g_assert_cmpint (item->track, >, 0);
  g_assert_cmpint (item->start_ms, <=, item->best_ms);
  g_assert_cmpint (item->best_ms, <=, item->end_ms);
  g_assert_cmpint (item->best_frame, >=, 0);
  /* 25 fps: the frame is the time. */
  g_assert_cmpint (item->best_frame * 40, ==, item->best_ms);
  g_assert_cmpfloat (item->box_w, >=, 40);
  g_assert_true (is_png (item->probe_png));
  g_assert_nonnull (item->probe_embedding);
  g_assert_cmpuint (g_bytes_get_size (item->probe_embedding), ==, ATTEST_EMBEDDING_DIM * 4);
  g_assert_cmpuint (item->n_candidates, >=, 1);
  g_assert_cmpuint (item->n_candidates, <=, ATTEST_FACE_MAX_CANDIDATES);
  for (guint c = 0; c < item->n_candidates; c++)
    {
      g_assert_cmpfloat (item->candidates[c].score, >=, item->threshold);
      if (c > 0)
        g_assert_cmpfloat (item->candidates[c].score, <=, item->candidates[c - 1].score);
      g_assert_nonnull (item->candidates[c].name);
      g_assert_cmpint (item->candidates[c].face_id, >, 0);
    }
  g_assert_cmpuint (frames->len, >=, 1);
  g_assert_cmpuint (frames->len, <=, ATTEST_SCANNER_EXTRA_FRAMES);
  for (guint f = 0; f < frames->len; f++)
    {
      AttestReviewFrame *frame = g_ptr_array_index (frames, f);

      g_assert_true (is_png (frame->png));
      g_assert_cmpint (frame->ms, >=, item->start_ms);
      g_assert_cmpint (frame->ms, <=, item->end_ms);
      g_assert_cmpint (frame->ms, !=, item->best_ms);
      if (f > 0)
        g_assert_cmpint (frame->ms, >, ((AttestReviewFrame *) g_ptr_array_index (frames, f - 1))->ms);
    }
}

/* The queue against the ground truth: every item is a real face of an enrolled person,
 * named as its first candidate, within that appearance's time; one item per appearance;
 * every appearance the scan is held to has its item; nobody else gets one. */
static void
assert_items_match_truth (AttestStore *store,
                          GPtrArray   *items,
                          const char  *sha,
                          const char  *left_out)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint expected = 0;

  for (guint i = 0; i < items->len; i++)
    {
      AttestReviewItem *item = g_ptr_array_index (items, i);
      AttestBox box = { item->box_x, item->box_y, item->box_w, item->box_h, 1 };
      SampleAppearance *a = sample_truth_at (truth, item->best_frame, &box);

      assert_item_whole (store, item, sha);
      g_assert_nonnull (a);
      g_test_message ("item %" G_GINT64_FORMAT ": %s %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                      " ms (truth %s %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ") %s %.3f",
                      item->id, item->candidates[0].name, item->start_ms, item->end_ms, a->id,
                      a->first_ms, a->last_ms, item->candidates[0].name,
                      item->candidates[0].score);
      g_assert_cmpstr (a->person, !=, "group");
      g_assert_cmpstr (a->person, !=, left_out);
      g_assert_cmpstr (item->candidates[0].name, ==, a->person);
      g_assert_cmpint (item->start_ms, >=, a->first_ms);
      g_assert_cmpint (item->end_ms, <=, a->last_ms);
      g_assert_cmpint (item->start_ms, <=, a->first_ms + SPAN_SLACK_MS);
      g_assert_cmpint (item->end_ms, >=, a->last_ms - SPAN_SLACK_MS);
      /* One item per appearance. */
      g_assert_false (g_hash_table_contains (seen, a->id));
      g_hash_table_add (seen, a->id);
    }

  for (guint i = 0; i < truth->appearances->len; i++)
    {
      SampleAppearance *a = g_ptr_array_index (truth->appearances, i);

      if (!sample_appearance_counts (a) || g_str_equal (a->person, "group") ||
          g_strcmp0 (a->person, left_out) == 0)
        continue;
      expected++;
      if (!g_hash_table_contains (seen, a->id))
        g_error ("no item for %s (%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " ms)", a->id,
                 a->first_ms, a->last_ms);
    }
  g_test_message ("%u items; %u appearances of enrolled people expected", items->len, expected);
}

static char *
sha_of (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  char *sha = attest_file_sha256 (file, NULL, &error);

  g_assert_no_error (error);
  return sha;
}

/* ---- store: checkpoints, frames, negative evidence ---------------------------------- */

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* A unit vector along axis `axis`, tilted towards axis + 1 by `tilt` (cosine with the plain
 * one: cos (tilt)). */
static void
unit_vector (float  *v,
             guint   axis,
             double  tilt)
{
  memset (v, 0, sizeof (float) * ATTEST_EMBEDDING_DIM);
  v[axis] = cos (tilt);
  v[axis + 1] = sin (tilt);
}

static AttestReviewItemSpec
spec_for (const float                 *embedding,
          gint64                       track,
          gint64                       start_ms,
          const AttestReviewCandidate *candidates,
          guint                        n_candidates)
{
  AttestReviewItemSpec spec = {
    .source_sha256 = SHA_A,
    .track = track,
    .start_ms = start_ms,
    .end_ms = start_ms + 2000,
    .best_ms = start_ms + 1000,
    .best_frame = (start_ms + 1000) / 40,
    .box_x = 10, .box_y = 20, .box_w = 100, .box_h = 120,
    .probe_embedding = embedding,
    .embedding_dim = ATTEST_EMBEDDING_DIM,
    .model_id = "test-model",
    .threshold = 0.45,
    .candidates = candidates,
    .n_candidates = n_candidates,
  };

  return spec;
}

static gboolean
contains_id (GArray *ids,
             gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static void
test_store_checkpoint (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = copy_gallery (&everyone, "store");
  g_autoptr (AttestStore) store = open_store (path);
  g_autoptr (AttestScanProgress) progress = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) frames = NULL;
  g_autoptr (GBytes) png1 = g_bytes_new_static ("\x89PNG first", 10);
  g_autoptr (GBytes) png2 = g_bytes_new_static ("\x89PNG second", 11);
  GBytes *pngs[] = { png2, png1 };
  gint64 frame_ms[] = { 1500, 1200 };
  AttestReviewCandidate cand[] = { { identity_id (&everyone, "John_Savage"), "John_Savage", 0.8, 1 } };
  AttestScanProgress p = { .model_id = "test-model", .threshold = 0.45, .every = 5,
                           .scanned_to_ms = 3000, .duration_ms = 10000 };
  float e1[ATTEST_EMBEDDING_DIM], e_near[ATTEST_EMBEDDING_DIM], e_far[ATTEST_EMBEDDING_DIM];
  AttestReviewItemSpec good, bad, again, other;
  const AttestReviewItemSpec *two[2];
  const AttestReviewItemSpec *one[1];
  gint64 audit_before = query_int (path, "SELECT count (*) FROM audit");

  unit_vector (e1, 0, 0);
  unit_vector (e_near, 0, acos (0.9));   /* cosine 0.9 with e1: the same face */
  unit_vector (e_far, 0, acos (0.3));    /* cosine 0.3: someone else */

  g_assert_null (attest_store_get_scan_progress (store, SHA_A, &error));
  g_assert_no_error (error);

  /* One bad item spoils the checkpoint: nothing of it is stored, not even the source. */
  good = spec_for (e1, 7, 1000, cand, 1);
  good.frame_pngs = pngs;
  good.frame_ms = frame_ms;
  good.n_frames = 2;
  bad = spec_for (e_far, 8, 1000, cand, 1);
  bad.box_w = 0;
  two[0] = &good;
  two[1] = &bad;
  g_assert_false (attest_store_save_scan_checkpoint (store, "file:///x.mp4", SHA_A, &p, two, 2,
                                                     ids, &error));
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM review_items"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM scans"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM sources WHERE sha256 = '" SHA_A "'"),
                   ==, 0);

  /* A frame without a picture is refused the same way. */
  {
    GBytes *none[] = { NULL };
    AttestReviewItemSpec no_png = good;

    no_png.frame_pngs = none;
    no_png.n_frames = 1;
    one[0] = &no_png;
    g_assert_false (attest_store_save_scan_checkpoint (store, NULL, SHA_A, &p, one, 1, ids,
                                                       &error));
    g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* A good checkpoint: the item, its frames in time order, the progress. */
  one[0] = &good;
  g_assert_true (attest_store_save_scan_checkpoint (store, "file:///x.mp4", SHA_A, &p, one, 1,
                                                    ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), >, 0);
  frames = attest_store_list_review_frames (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpint (((AttestReviewFrame *) g_ptr_array_index (frames, 0))->ms, ==, 1200);
  g_assert_true (g_bytes_equal (((AttestReviewFrame *) g_ptr_array_index (frames, 0))->png, png1));
  g_assert_cmpint (((AttestReviewFrame *) g_ptr_array_index (frames, 1))->ms, ==, 1500);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = attest_store_list_review_frames (store, 9999, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frames->len, ==, 0);

  progress = attest_store_get_scan_progress (store, SHA_A, &error);
  g_assert_no_error (error);
  g_assert_nonnull (progress);
  g_assert_cmpstr (progress->model_id, ==, "test-model");
  g_assert_cmpuint (progress->every, ==, 5);
  g_assert_cmpint (progress->scanned_to_ms, ==, 3000);
  g_assert_cmpint (progress->duration_ms, ==, 10000);
  g_assert_false (progress->completed);
  g_clear_pointer (&progress, attest_scan_progress_free);

  /* The same face again (a scan repeated with another frame step): not queued twice; a
   * different face at the same time is. */
  again = spec_for (e_near, 70, 1400, cand, 1);
  other = spec_for (e_far, 71, 1400, cand, 1);
  two[0] = &again;
  two[1] = &other;
  p.scanned_to_ms = 10000;
  p.completed = TRUE;
  g_array_set_size (ids, 0);
  g_assert_true (attest_store_save_scan_checkpoint (store, NULL, SHA_A, &p, two, 2, ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, -1);
  g_assert_cmpint (g_array_index (ids, gint64, 1), >, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM review_items"), ==, 2);
  progress = attest_store_get_scan_progress (store, SHA_A, &error);
  g_assert_true (progress->completed);
  g_clear_pointer (&progress, attest_scan_progress_free);

  /* Reset: the file counts as never scanned; its items stay. */
  g_assert_true (attest_store_reset_scan_progress (store, SHA_A, &error));
  g_assert_no_error (error);
  g_assert_null (attest_store_get_scan_progress (store, SHA_A, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM review_items"), ==, 2);

  /* Proposals are not decisions: nothing audited, no match. */
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM audit"), ==, audit_before);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM matches"), ==, 0);

  /* add_review_item stores the frames too, and refuses an empty one. */
  {
    AttestReviewItemSpec s = spec_for (e_far, 9, 5000, cand, 1);
    GBytes *pics[] = { png1 };
    gint64 ms[] = { 5100 };
    g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
    GBytes *empties[] = { empty };
    gint64 id = -1;

    s.frame_pngs = pics;
    s.frame_ms = ms;
    s.n_frames = 1;
    g_assert_true (attest_store_add_review_item (store, &s, &id, &error));
    g_assert_no_error (error);
    g_clear_pointer (&frames, g_ptr_array_unref);
    frames = attest_store_list_review_frames (store, id, &error);
    g_assert_cmpuint (frames->len, ==, 1);
    g_assert_cmpint (((AttestReviewFrame *) g_ptr_array_index (frames, 0))->ms, ==, 5100);

    s.frame_pngs = empties;
    g_assert_false (attest_store_add_review_item (store, &s, &id, &error));
    g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpint (query_int (path, "SELECT count (*) FROM review_items"), ==, 3);
  }
}

static void
test_store_rejections (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = copy_gallery (&everyone, "rejections");
  g_autoptr (AttestStore) store = open_store (path);
  g_autoptr (AttestRejections) none = NULL;
  g_autoptr (AttestRejections) one = NULL;
  g_autoptr (AttestRejections) two = NULL;
  g_autoptr (AttestRejections) after_undo = NULL;
  gint64 savage = identity_id (&everyone, "John_Savage");
  gint64 simm = identity_id (&everyone, "John_Simm");
  AttestReviewCandidate cand[] = {
    { savage, "John_Savage", 0.8, 1 },
    { simm, "John_Simm", 0.6, 2 },
  };
  float e1[ATTEST_EMBEDDING_DIM], e_near[ATTEST_EMBEDDING_DIM], e_edge[ATTEST_EMBEDDING_DIM];
  float e_far[ATTEST_EMBEDDING_DIM], e_same[ATTEST_EMBEDDING_DIM];
  /* The rejected item spans 1000..3000 ms of SHA_A. */
  AttestSighting same_time = { NULL, SHA_A, 1500, 2500 };
  AttestSighting same_time_upper = { NULL, NULL, 1500, 2500 };
  AttestSighting later = { NULL, SHA_A, 9000, 9500 };
  AttestSighting elsewhere = { NULL, SHA_B, 1500, 2500 };
  AttestSighting by_uri = { "file:///footage/a.mp4", NULL, 2000, 2100 };
  g_autofree char *upper = g_ascii_strup (SHA_A, -1);
  const AttestRejection *r;
  AttestReviewItemSpec s;
  gint64 item = -1;
  float similarity;

  unit_vector (e1, 10, 0);
  unit_vector (e_near, 10, acos (0.9));
  unit_vector (e_same, 10, acos (ATTEST_REJECTION_SAME_FACE + 0.02));
  unit_vector (e_edge, 10, acos (ATTEST_REJECTION_SAME_PERSON - 0.05));
  unit_vector (e_far, 10, acos (0.2));
  same_time_upper.source_sha256 = upper;

  s = spec_for (e1, 42, 1000, cand, 2);
  s.source_uri = "file:///footage/a.mp4";
  g_assert_true (attest_store_add_review_item (store, &s, &item, &error));
  g_assert_no_error (error);

  /* Nothing rejected yet. */
  none = attest_rejections_load_from_store (store, "test-model", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attest_rejections_get_n (none), ==, 0);
  g_assert_null (attest_rejections_lookup (none, savage, e1, &same_time, NULL));

  g_assert_true (attest_store_reject_review_item (store, item, savage, REVIEWER, "not him",
                                                  &error));
  g_assert_no_error (error);
  one = attest_rejections_load_from_store (store, "test-model", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attest_rejections_get_n (one), ==, 1);
  /* Another model's probes are not comparable: none. */
  g_clear_pointer (&none, attest_rejections_unref);
  none = attest_rejections_load_from_store (store, "other-model", &error);
  g_assert_cmpuint (attest_rejections_get_n (none), ==, 0);

  /* The same appearance (same source, overlapping time), the same person: hidden, with who
   * rejected it, when and where, for the "hidden: rejected by NAME at 0:02" line. */
  r = attest_rejections_lookup (one, savage, e_near, &same_time, &similarity);
  g_assert_nonnull (r);
  g_assert_cmpint (r->identity_id, ==, savage);
  g_assert_cmpstr (r->reviewer, ==, REVIEWER);
  g_assert_cmpint (r->best_ms, ==, 2000);
  g_assert_cmpint (r->start_ms, ==, 1000);
  g_assert_cmpint (r->end_ms, ==, 3000);
  g_assert_cmpstr (r->source_uri, ==, "file:///footage/a.mp4");
  g_assert_cmpstr (r->source_sha256, ==, SHA_A);
  g_assert_cmpint (r->decided_at_us, >, 0);
  g_assert_cmpfloat_with_epsilon (similarity, 0.9, 1e-4);
  /* The hash is matched ignoring case; without one, the URI. */
  g_assert_nonnull (attest_rejections_lookup (one, savage, e_near, &same_time_upper, NULL));
  g_assert_nonnull (attest_rejections_lookup (one, savage, e_near, &by_uri, NULL));
  /* Only for that identity. */
  g_assert_null (attest_rejections_lookup (one, simm, e_near, &same_time, NULL));
  /* Someone else on screen at the same time (unlike the rejected face): not hidden. */
  g_assert_null (attest_rejections_lookup (one, savage, e_far, &same_time, NULL));
  g_assert_null (attest_rejections_lookup (one, savage, e_edge, &same_time, NULL));
  /* The same man at another moment, or in other footage: a new question, suggested again. */
  g_assert_null (attest_rejections_lookup (one, savage, e_near, &later, NULL));
  g_assert_null (attest_rejections_lookup (one, savage, e_near, &elsewhere, NULL));
  g_assert_null (attest_rejections_lookup (one, savage, e_near, NULL, NULL));
  /* The same face seen again (a copy of the footage): hidden anywhere. */
  g_assert_nonnull (attest_rejections_lookup (one, savage, e_same, &elsewhere, NULL));
  g_assert_nonnull (attest_rejections_lookup (one, savage, e_same, NULL, NULL));
  g_assert_nonnull (attest_rejections_lookup (one, savage, e1, &later, NULL));

  /* Two rejections, both loaded. */
  g_assert_true (attest_store_reject_review_item (store, item, simm, REVIEWER, NULL, &error));
  g_assert_no_error (error);
  two = attest_rejections_load_from_store (store, "test-model", &error);
  g_assert_cmpuint (attest_rejections_get_n (two), ==, 2);
  g_assert_nonnull (attest_rejections_lookup (two, simm, e1, &same_time, NULL));

  /* An undone rejection is no longer evidence. */
  g_assert_true (attest_store_undo_last_decision (store, REVIEWER, NULL, &error));
  g_assert_no_error (error);
  after_undo = attest_rejections_load_from_store (store, "test-model", &error);
  g_assert_cmpuint (attest_rejections_get_n (after_undo), ==, 1);
  g_assert_null (attest_rejections_lookup (after_undo, simm, e1, &same_time, NULL));
  g_assert_nonnull (attest_rejections_lookup (after_undo, savage, e1, &same_time, NULL));
}

/* ---- the sample video --------------------------------------------------------------- */

static void
test_sample (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestScanResult) result = NULL;
  g_autoptr (AttestScanResult) again = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *sha = sha_of (sample);
  gint64 audit_before;
  gint64 start;
  double wall;
  Watch w;

  sample_db = copy_gallery (&everyone, "sample");
  audit_before = query_int (sample_db, "SELECT count (*) FROM audit");
  store = open_store (sample_db);
  watch_init (&w);

  start = g_get_monotonic_time ();
  result = scan (store, &everyone, sample, &w, &error);
  wall = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_test_message ("scan: %.1f s for %.1f s of video: %.2f of real time (every %u frames)",
                  wall, result->duration_ms / 1000.0, wall / (result->duration_ms / 1000.0),
                  ATTEST_SCANNER_DEFAULT_EVERY);

  g_assert_true (result->completed);
  g_assert_false (result->resumed);
  g_assert_cmpstr (result->source_sha256, ==, sha);
  g_assert_true (g_str_has_prefix (result->source_uri, "file:///"));
  g_assert_cmpint (result->duration_ms, ==, truth->duration_ms);
  g_assert_cmpint (result->scanned_to_ms, >=, result->duration_ms);

  items = list_items (store);
  g_assert_cmpuint (result->n_items, ==, items->len);
  g_assert_cmpuint (w.item_ids->len, ==, items->len);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (contains_id (w.item_ids, ((AttestReviewItem *) g_ptr_array_index (items, i))->id));
  assert_items_match_truth (store, items, sha, NULL);

  /* Progress: rising, throttled (at most every 1% or 100 ms), ending at 1. */
  g_assert_cmpuint (w.fractions->len, >=, 10);
  g_assert_cmpuint (w.fractions->len, <=, 102 + (guint) (wall * 10));
  for (guint i = 1; i < w.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (w.fractions, double, i), >=,
                       g_array_index (w.fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (w.fractions, double, w.fractions->len - 1), ==, 1.0);

  /* Scanning proposes: no match, nothing audited. */
  g_assert_cmpint (query_int (sample_db, "SELECT count (*) FROM matches"), ==, 0);
  g_assert_cmpint (query_int (sample_db, "SELECT count (*) FROM audit"), ==, audit_before);
  g_assert_cmpint (query_int (sample_db, "SELECT count (*) FROM scans WHERE completed = 1"), ==, 1);

  reference = summarise (items);

  /* The same file again: done already, nothing added. */
  watch_clear (&w);
  watch_init (&w);
  again = scan (store, &everyone, sample, &w, &error);
  g_assert_no_error (error);
  g_assert_true (again->completed);
  g_assert_false (again->resumed);
  g_assert_cmpuint (again->n_items, ==, 0);
  g_assert_cmpuint (w.item_ids->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = list_items (store);
  g_assert_cmpuint (items->len, ==, reference->len);
  watch_clear (&w);

  /* With another threshold the file is scanned again from the start, but the faces already
   * queued are not queued twice. */
  {
    g_autoptr (AttestScanner) scanner = new_scanner (store, &everyone, NULL);
    g_autoptr (GFile) file = g_file_new_for_path (sample);
    g_autoptr (AttestScanResult) other = NULL;
    g_autoptr (AttestScanProgress) progress = NULL;

    attest_scanner_set_threshold (scanner, 0.5);
    other = attest_scanner_scan (scanner, file, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (other->completed);
    g_assert_false (other->resumed);
    g_assert_cmpuint (other->n_items, ==, 0);
    g_clear_pointer (&items, g_ptr_array_unref);
    items = list_items (store);
    g_assert_cmpuint (items->len, ==, reference->len);
    progress = attest_store_get_scan_progress (store, sha, &error);
    g_assert_cmpfloat (progress->threshold, ==, 0.5);
    g_assert_true (progress->completed);
  }
}

/* A gallery without John_Simm: his three appearances get no item, and nobody else is offered
 * in his place; everyone else is still found. */
static void
test_not_enrolled (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = copy_gallery (&without_simm, "without-simm");
  g_autoptr (AttestStore) store = open_store (path);
  g_autoptr (AttestScanResult) result = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *sha = sha_of (sample);

  result = scan (store, &without_simm, sample, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result->completed);
  items = list_items (store);
  assert_items_match_truth (store, items, sha, "John_Simm");
  g_assert_cmpuint (items->len, <, reference->len);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM matches"), ==, 0);
}

static gboolean
has_candidate (AttestReviewItem *item,
               gint64            identity)
{
  for (guint c = 0; c < item->n_candidates; c++)
    if (item->candidates[c].identity_id == identity)
      return TRUE;
  return FALSE;
}

/* The same frames in other bytes: the sample remuxed (no re-encoding). */
static char *
remux_sample (void)
{
  g_autoptr (GError) error = NULL;
  char *copy = g_build_filename (tmp_dir, "copy.mp4", NULL);
  g_autofree char *launch = g_strdup_printf ("filesrc location=\"%s\" ! qtdemux ! h264parse !"
                                             " mp4mux ! filesink location=\"%s\"", sample, copy);
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;
  g_autofree char *a = NULL, *b = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  a = sha_of (sample);
  b = sha_of (copy);
  g_assert_cmpstr (a, !=, b);
  return copy;
}

/* Reject an item's candidate: that identity is not offered again for that track (store rule)
 * nor for the same faces in another file (the scanner searches without it). */
static void
test_rejected (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (AttestScanResult) result = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *copy_sha = NULL;
  AttestReviewItem *rejected = NULL;
  SampleAppearance *appearance = NULL;
  gint64 savage = identity_id (&everyone, "John_Savage");
  guint others_before = 0, others_after = 0, savage_elsewhere = 0;

  if (sample_db == NULL)
    {
      g_test_skip ("needs /scanner/sample");
      return;
    }
  store = open_store (sample_db);
  before = list_items (store);

  /* John_Savage's second appearance. */
  for (guint i = 0; i < before->len; i++)
    {
      AttestReviewItem *item = g_ptr_array_index (before, i);
      AttestBox box = { item->box_x, item->box_y, item->box_w, item->box_h, 1 };
      SampleAppearance *a = sample_truth_at (truth, item->best_frame, &box);

      if (g_str_equal (a->id, "John_Savage#1"))
        {
          rejected = item;
          appearance = a;
        }
      else if (!g_str_equal (a->person, "John_Savage"))
        others_before++;
    }
  g_assert_nonnull (rejected);
  g_assert_true (has_candidate (rejected, savage));
  g_assert_true (attest_store_reject_review_item (store, rejected->id, savage, REVIEWER,
                                                  "the reviewer says it is not him", &error));
  g_assert_no_error (error);

  /* The same faces in other bytes: another source, other tracks; only "the same face seen
   * again" holds there (attest-rejections.h). */
  copy = remux_sample ();
  copy_sha = sha_of (copy);
  result = scan (store, &everyone, copy, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result->completed);
  g_assert_false (result->resumed);

  after = list_items (store);
  for (guint i = 0; i < after->len; i++)
    {
      AttestReviewItem *item = g_ptr_array_index (after, i);
      AttestBox box = { item->box_x, item->box_y, item->box_w, item->box_h, 1 };
      SampleAppearance *a;

      if (g_strcmp0 (item->source_sha256, copy_sha) != 0)
        continue;
      a = sample_truth_at (truth, item->best_frame, &box);
      g_assert_nonnull (a);
      g_test_message ("copy: item %" G_GINT64_FORMAT " for %s: %s %.3f%s", item->id, a->id,
                      item->candidates[0].name, item->candidates[0].score,
                      item->n_candidates > 1 ? " (and more)" : "");
      /* That appearance: John_Savage is never suggested for it again, nor for the same face
       * seen again. His other appearance is a new question: still suggested. */
      if (a == appearance)
        g_assert_false (has_candidate (item, savage));
      if (has_candidate (item, savage))
        {
          float cosine = attest_embedding_cosine (g_bytes_get_data (item->probe_embedding, NULL),
                                                  g_bytes_get_data (rejected->probe_embedding,
                                                                    NULL));

          g_test_message ("copy: John_Savage still suggested for %s (cosine %.3f with the"
                          " rejected face)", a->id, cosine);
          g_assert_cmpfloat (cosine, <, ATTEST_REJECTION_SAME_FACE);
          g_assert_cmpstr (a->person, ==, "John_Savage");
          savage_elsewhere++;
        }
      else if (!g_str_equal (a->person, "John_Savage"))
        {
          others_after++;
          g_assert_cmpstr (item->candidates[0].name, ==, a->person);
        }
    }
  /* Everyone else is found in the copy as in the original, and John_Savage's other
   * appearance too (a rejection does not erase a true match elsewhere). */
  g_assert_cmpuint (others_after, ==, others_before);
  g_assert_cmpuint (savage_elsewhere, ==, 1);
  g_assert_cmpint (query_int (sample_db, "SELECT count (*) FROM matches"), ==, 0);
}

static void
scan_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

/* Interrupted twice (from the progress signal of a background scan, then from item-added of
 * a blocking one), then scanned to the end: resumed, and the items are exactly those of one
 * uninterrupted scan. */
static void
test_resume (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = copy_gallery (&everyone, "resume");
  g_autoptr (AttestStore) store = open_store (path);
  g_autoptr (AttestScanResult) result = NULL;
  g_autoptr (AttestScanProgress) progress = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) summary = NULL;
  g_autofree char *sha = sha_of (sample);
  guint after_first, after_second;
  Watch w;

  if (reference == NULL)
    {
      g_test_skip ("needs /scanner/sample");
      return;
    }

  /* 1. In the background, cancelled at 45%. */
  {
    g_autoptr (AttestScanner) scanner = NULL;
    g_autoptr (GFile) file = g_file_new_for_path (sample);
    g_autoptr (GAsyncResult) res = NULL;

    watch_init (&w);
    w.cancel_at_fraction = 0.45;
    scanner = new_scanner (store, &everyone, &w);
    attest_scanner_scan_async (scanner, file, w.cancellable, scan_done_cb, &res);
    while (res == NULL)
      g_main_context_iteration (NULL, TRUE);
    result = attest_scanner_scan_finish (scanner, res, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (result);
    g_clear_error (&error);
    /* Every item it announced is stored, and nothing else. */
    items = list_items (store);
    g_assert_cmpuint (items->len, ==, w.item_ids->len);
    after_first = items->len;
    g_clear_pointer (&items, g_ptr_array_unref);
    watch_clear (&w);
  }
  progress = attest_store_get_scan_progress (store, sha, &error);
  g_assert_no_error (error);
  g_assert_nonnull (progress);
  g_assert_false (progress->completed);
  g_assert_cmpint (progress->scanned_to_ms, >, 0);
  g_assert_cmpint (progress->scanned_to_ms, <, truth->duration_ms * 0.5);
  g_test_message ("first stop: %u items, resumes at %" G_GINT64_FORMAT " ms", after_first,
                  progress->scanned_to_ms);
  g_assert_cmpuint (after_first, >=, 1);
  g_assert_cmpuint (after_first, <, reference->len);
  g_clear_pointer (&progress, attest_scan_progress_free);

  /* 2. Blocking, cancelled as soon as it adds an item. */
  watch_init (&w);
  w.cancel_after_items = 1;
  result = scan (store, &everyone, sample, &w, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_clear_error (&error);
  items = list_items (store);
  after_second = items->len;
  g_assert_cmpuint (w.item_ids->len, >=, 1);
  g_assert_cmpuint (after_second, ==, after_first + w.item_ids->len);
  g_clear_pointer (&items, g_ptr_array_unref);
  watch_clear (&w);
  progress = attest_store_get_scan_progress (store, sha, &error);
  g_test_message ("second stop: %u items, resumes at %" G_GINT64_FORMAT " ms", after_second,
                  progress->scanned_to_ms);
  g_assert_false (progress->completed);

  /* 3. To the end. */
  watch_init (&w);
  result = scan (store, &everyone, sample, &w, &error);
  g_assert_no_error (error);
  g_assert_true (result->resumed);
  g_assert_true (result->completed);
  g_assert_cmpuint (result->n_items, ==, reference->len - after_second);
  /* The progress of a resumed scan starts where it stopped. */
  g_assert_cmpfloat (g_array_index (w.fractions, double, 0), >=,
                     progress->scanned_to_ms / (double) truth->duration_ms - 0.02);
  watch_clear (&w);

  items = list_items (store);
  summary = summarise (items);
  g_assert_cmpuint (summary->len, ==, reference->len);
  for (guint i = 0; i < summary->len; i++)
    g_assert_cmpstr (g_ptr_array_index (summary, i), ==, g_ptr_array_index (reference, i));
  assert_items_match_truth (store, items, sha, NULL);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM matches"), ==, 0);
}

/* Bad files: the reader's clear message (naming the file), and nothing written. */
static void
test_bad_input (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = copy_gallery (&everyone, "bad-input");
  g_autoptr (AttestStore) store = open_store (path);
  g_autofree char *text = g_build_filename (tmp_dir, "notes.mp4", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.mp4", NULL);
  g_autofree char *truncated = g_build_filename (tmp_dir, "truncated.mp4", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  const char *files[] = { text, missing, truncated };
  gint64 sources = query_int (path, "SELECT count (*) FROM sources");

  g_assert_true (g_file_set_contents (text, "this is not a video\n", -1, NULL));
  g_assert_true (g_file_get_contents (sample, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, length * 6 / 10, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr (AttestScanResult) result = NULL;
      g_autofree char *base = g_path_get_basename (files[i]);
      Watch w;

      watch_init (&w);
      result = scan (store, &everyone, files[i], &w, &error);
      g_assert_null (result);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", base, error->message);
      g_assert_true (error->domain == ATTEST_MEDIA_ERROR);
      g_assert_nonnull (strstr (error->message, base));
      if (files[i] == missing)
        g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_FOUND);
      g_clear_error (&error);
      g_assert_cmpuint (w.item_ids->len, ==, 0);
      watch_clear (&w);
    }
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM sources"), ==, sources);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM scans"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM review_items"), ==, 0);
}

/* ---- slideshows: different people in the same place -------------------------------------- */

static const char *
identify_png (Gallery *gallery,
              GBytes  *png,
              float   *score)
{
  return slideshow_identify_png (vision, gallery->matcher, gallery->names, png, score);
}

typedef struct
{
  SlideshowKind kind;
  int           fps;
  guint         every;
} SlideCase;

/* Scanned into the review queue: one item per appearance, naming that person first, and no
 * stored crop of an item (its probe and its track's frames) shows anyone else. */
static void
test_slideshow (gconstpointer data)
{
  const SlideCase *c = data;
  g_autoptr (Slideshow) show = slideshow_new (c->kind, c->fps);
  g_autofree char *name = g_strdup_printf ("slideshow-%s-%d-%u", show->name, c->fps, c->every);
  g_autofree char *file = g_strconcat (name, ".mp4", NULL);
  g_autofree char *video = g_build_filename (tmp_dir, file, NULL);
  g_autofree char *path = copy_gallery (&everyone, name);
  g_autoptr (AttestStore) store = open_store (path);
  g_autoptr (AttestScanner) scanner = new_scanner (store, &everyone, NULL);
  g_autoptr (GFile) gfile = g_file_new_for_path (video);
  g_autoptr (AttestScanResult) result = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  guint per_appearance[SLIDESHOW_MAX_APPEARANCES] = { 0 };
  guint crops = 0;

  slideshow_write (show, video);
  attest_scanner_set_every (scanner, c->every);
  result = attest_scanner_scan (scanner, gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result->completed);
  items = list_items (store);

  for (guint i = 0; i < items->len; i++)
    {
      AttestReviewItem *item = g_ptr_array_index (items, i);
      AttestBox box = { item->box_x, item->box_y, item->box_w, item->box_h, 1 };
      const SlideAppearance *a = slideshow_at (show, (guint64) item->best_frame, &box);
      g_autoptr (GPtrArray) frames = attest_store_list_review_frames (store, item->id, &error);
      const char *who;
      float score = 0;

      g_assert_no_error (error);
      g_assert_nonnull (a);
      g_assert_cmpstr (item->candidates[0].name, ==, a->person);
      per_appearance[a->appearance]++;
      who = identify_png (&everyone, item->probe_png, &score);
      g_assert_cmpstr (who, ==, a->person);
      crops++;
      for (guint f = 0; f < frames->len; f++)
        {
          AttestReviewFrame *frame = g_ptr_array_index (frames, f);

          who = identify_png (&everyone, frame->png, &score);
          if (who == NULL)
            continue;
          if (!g_str_equal (who, a->person))
            g_error ("%s: the item for %s keeps a frame at %" G_GINT64_FORMAT " ms of %s (%.2f)",
                     name, a->person, frame->ms, who, score);
          crops++;
        }
    }
  for (guint i = 0; i < show->n; i++)
    if (per_appearance[show->appearances[i].appearance] != 1)
      g_error ("%s: %s at %.1f s has %u items, not one", name, show->appearances[i].person,
               show->appearances[i].first_frame / (double) show->fps,
               per_appearance[show->appearances[i].appearance]);
  g_test_message ("%s: %u appearances, %u items, %u stored crops all of the right person", name,
                  show->n_appearances, items->len, crops);
  g_assert_cmpuint (items->len, ==, show->n_appearances);
  g_assert_cmpint (query_int (path, "SELECT count (*) FROM matches"), ==, 0);
  g_unlink (video);
}

/* The hash a scan records covers the bytes it analysed: a file changed while it is scanned
 * (grown, or rewritten in place with its size and time put back) fails the scan, with a clear
 * message, and the scan is not marked complete. */
typedef struct
{
  const char *path;
  gboolean    grow;    /* append (size and time change), else overwrite a byte in place */
  gboolean    done;
} Tamper;

static void
tamper_cb (AttestScanner *scanner,
           double         fraction,
           Tamper        *t)
{
  g_autoptr (GError) error = NULL;
  struct stat st;
  FILE *fp;

  if (t->done || fraction < 0.3)
    return;
  t->done = TRUE;
  g_assert_cmpint (stat (t->path, &st), ==, 0);
  fp = fopen (t->path, t->grow ? "ab" : "r+b");
  g_assert_nonnull (fp);
  if (!t->grow)
    g_assert_cmpint (fseek (fp, st.st_size / 2, SEEK_SET), ==, 0);
  fputc (0x5a, fp);
  fclose (fp);
  if (!t->grow)
    {
      /* As a careful forger would: the same size, the old modification time to the
       * nanosecond (only reading it all again tells). */
      struct timespec times[2] = { st.st_atim, st.st_mtim };

      g_assert_cmpint (utimensat (AT_FDCWD, t->path, times, 0), ==, 0);
    }
}

static void
test_changed_while_scanned (void)
{
  g_autoptr (Slideshow) show = slideshow_new (SLIDESHOW_SAME_PLACE, 10);

  for (guint grow = 0; grow <= 1; grow++)
    {
      g_autofree char *name = g_strdup_printf ("changed-%u", grow);
      g_autofree char *file = g_strconcat (name, ".mp4", NULL);
      g_autofree char *video = g_build_filename (tmp_dir, file, NULL);
      g_autofree char *path = copy_gallery (&everyone, name);
      g_autoptr (AttestStore) store = open_store (path);
      g_autoptr (AttestScanner) scanner = new_scanner (store, &everyone, NULL);
      g_autoptr (GFile) gfile = g_file_new_for_path (video);
      g_autoptr (AttestScanResult) result = NULL;
      g_autoptr (GError) error = NULL;
      Tamper t = { video, grow, FALSE };

      slideshow_write (show, video);
      attest_scanner_set_every (scanner, 1);
      g_signal_connect (scanner, "progress", G_CALLBACK (tamper_cb), &t);
      result = attest_scanner_scan (scanner, gfile, NULL, &error);
      g_assert_true (t.done);
      g_assert_null (result);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_test_message ("%s: %s", grow ? "grown" : "rewritten in place", error->message);
      g_assert_nonnull (strstr (error->message, "changed while it was being scanned"));
      g_assert_cmpint (query_int (path, "SELECT count (*) FROM scans WHERE completed != 0"), ==, 0);
      g_assert_cmpint (query_int (path, "SELECT count (*) FROM matches"), ==, 0);
      g_unlink (video);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  static const SlideshowKind kinds[] = { SLIDESHOW_SAME_PLACE, SLIDESHOW_SWAP, SLIDESHOW_CUT };
  static const int rates[] = { 10, 25 };
  static const guint steps[] = { 1, 5, 8, 10 };
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);

  vision = attest_vision_new (NULL, &error);
  g_assert_no_error (error);
  truth = sample_truth_load ();
  sample = g_strdup (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  tmp_dir = g_dir_make_tmp ("attest-scanner-XXXXXX", &error);
  g_assert_no_error (error);
  build_gallery (&everyone, "everyone", NULL);
  build_gallery (&without_simm, "without-simm-gallery", "John_Simm");

  g_test_add_func ("/scanner/store/checkpoint", test_store_checkpoint);
  g_test_add_func ("/scanner/store/rejections", test_store_rejections);
  g_test_add_func ("/scanner/bad-input", test_bad_input);
  g_test_add_func ("/scanner/sample", test_sample);
  g_test_add_func ("/scanner/resume", test_resume);
  g_test_add_func ("/scanner/rejected", test_rejected);
  g_test_add_func ("/scanner/not-enrolled", test_not_enrolled);
  g_test_add_func ("/scanner/changed-while-scanned", test_changed_while_scanned);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint r = 0; r < G_N_ELEMENTS (rates); r++)
      for (guint st = 0; st < G_N_ELEMENTS (steps); st++)
        {
          SlideCase *c = g_new0 (SlideCase, 1);
          g_autoptr (Slideshow) show = slideshow_new (kinds[k], rates[r]);
          g_autofree char *test_path = g_strdup_printf ("/scanner/slideshow/%s/%dfps/every-%u",
                                                        show->name, rates[r], steps[st]);

          c->kind = kinds[k];
          c->fps = rates[r];
          c->every = steps[st];
          g_ptr_array_add (cases, c);
          g_test_add_data_func (test_path, c, test_slideshow);
        }

  status = g_test_run ();

  g_clear_pointer (&reference, g_ptr_array_unref);
  g_free (sample_db);
  gallery_clear (&everyone);
  gallery_clear (&without_simm);
  sample_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (sample);
  sample_truth_free (truth);
  attest_vision_free (vision);
  return status;
}
