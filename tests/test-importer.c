/* test-importer.c: enrolling from image files and folders, then identifying, on real photos
 * (Debian's libdlib19.1 examples) and real gallery files in temporary folders.
 *
 * johns/ holds 5 people x 11 tight 150x150 face crops. Five photos of each are imported
 * (the first five with distinct contents: two of John_Shimkus's files are byte-identical),
 * and every other photo must then be identified as its person at top-1, at or above the
 * default threshold. dogs.jpg and video_frames/ hold no human face: nothing of theirs may
 * reach the threshold. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "review/attest-importer.h"
#include "analysis/attest-matcher.h"
#include "review/attest-search.h"
#include "store/attest-gallery.h"
#include "vision/attest-vision.h"

#define ACTOR "Reviewer Rita"
#define BASIS "dlib example photos, labelled by folder name"
#define PER_PERSON 5

static AttestVision *shared_vision;
static GThread *main_thread;

static AttestVision *
vision (void)
{
  g_autoptr (GError) error = NULL;

  if (shared_vision == NULL)
    shared_vision = attest_vision_new (NULL, &error);
  g_assert_no_error (error);
  return shared_vision;
}

static char *
examples_path (const char *first,
               ...)
{
  GString *path = g_string_new (g_getenv ("ATTEST_DLIB_EXAMPLES"));
  const char *part;
  va_list ap;

  va_start (ap, first);
  for (part = first; part != NULL; part = va_arg (ap, const char *))
    {
      g_string_append_c (path, G_DIR_SEPARATOR);
      g_string_append (path, part);
    }
  va_end (ap);
  return g_string_free (path, FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* File names in a folder, sorted. */
static GPtrArray *
sorted_names (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

static char *
sha256_of (const char *path)
{
  g_autofree char *data = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr (GFile) src = g_file_new_for_path (from);
  g_autoptr (GFile) dst = g_file_new_for_path (to);
  g_autoptr (GError) error = NULL;

  g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
copy_into (const char *dir,
           const char *name,
           const char *from)
{
  g_autofree char *to = g_build_filename (dir, name, NULL);

  copy_file (from, to);
}

static void
write_into (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* A photo that was not imported, and whose person it shows. */
typedef struct
{
  char *path;
  char *person;
} Photo;

static void
photo_free (Photo *photo)
{
  g_free (photo->path);
  g_free (photo->person);
  g_free (photo);
}

/* root/<Name>/ with the first PER_PERSON photos of distinct contents of each johns person;
 * the rest (other contents) are added to held_out when given. */
static void
make_johns_tree (const char *root,
                 GPtrArray  *held_out)
{
  g_autofree char *johns = examples_path ("johns", NULL);
  g_autoptr (GPtrArray) people = sorted_names (johns);

  for (guint p = 0; p < people->len; p++)
    {
      const char *person = g_ptr_array_index (people, p);
      g_autofree char *src_dir = g_build_filename (johns, person, NULL);
      g_autofree char *dst_dir = g_build_filename (root, person, NULL);
      g_autoptr (GPtrArray) files = sorted_names (src_dir);
      g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dst_dir, 0700), ==, 0);
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *src = g_build_filename (src_dir, g_ptr_array_index (files, i), NULL);
          g_autofree char *hash = sha256_of (src);

          if (g_hash_table_size (taken) < PER_PERSON && !g_hash_table_contains (taken, hash))
            {
              g_autofree char *dst = g_build_filename (dst_dir, g_ptr_array_index (files, i), NULL);

              copy_file (src, dst);
              g_hash_table_add (taken, g_steal_pointer (&hash));
            }
          else if (held_out != NULL && !g_hash_table_contains (taken, hash))
            {
              Photo *photo = g_new0 (Photo, 1);

              photo->path = g_steal_pointer (&src);
              photo->person = g_strdup (person);
              g_ptr_array_add (held_out, photo);
            }
        }
      g_assert_cmpuint (g_hash_table_size (taken), ==, PER_PERSON);
    }
}

/* ---- fixture: a fresh gallery and an importer ---- */

typedef struct
{
  char           *dir;
  AttestStore    *store;
  AttestImporter *importer;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;

  f->dir = g_dir_make_tmp ("attest-importer-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "gallery.db", NULL);
  f->store = attest_store_open (db, &error);
  g_assert_no_error (error);
  f->importer = attest_importer_new (f->store, vision (), ACTOR, BASIS);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* A GTask's worker may drop its last reference a moment after the callback ran: wait
   * for both objects to be finalized (a leak hangs here and fails by timeout). */
  gpointer importer_alive = f->importer;
  gpointer store_alive = f->store;

  g_object_add_weak_pointer (G_OBJECT (f->importer), &importer_alive);
  g_object_add_weak_pointer (G_OBJECT (f->store), &store_alive);
  g_clear_object (&f->importer);
  g_clear_object (&f->store);
  while (importer_alive != NULL || store_alive != NULL)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  rm_rf (f->dir);
  g_free (f->dir);
}

static char *
fixture_path (Fixture    *f,
              const char *relative)
{
  return g_build_filename (f->dir, relative, NULL);
}

/* ---- running a background import ---- */

typedef struct
{
  GPtrArray    *results;    /* AttestImportResult* from "result" */
  GArray       *progress;   /* guint pairs (done, total) from "progress" */
  GCancellable *cancellable;
  guint         cancel_at;  /* cancel from the "progress" handler at this count; 0: never */
  gboolean      finished;
  GPtrArray    *returned;   /* from _finish */
  GError       *error;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_pointer (&run->progress, g_array_unref);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->returned, g_ptr_array_unref);
  g_clear_error (&run->error);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
on_result (AttestImporter           *importer,
           const AttestImportResult *result,
           Run                      *run)
{
  /* Signals come on the caller's context, in its thread. */
  g_assert_true (g_thread_self () == main_thread);
  g_ptr_array_add (run->results, attest_import_result_copy (result));
}

static void
on_progress (AttestImporter *importer,
             guint           done,
             guint           total,
             Run            *run)
{
  guint pair[2] = { done, total };

  g_assert_true (g_thread_self () == main_thread);
  g_array_append_vals (run->progress, pair, 2);
  if (run->cancel_at > 0 && done == run->cancel_at)
    g_cancellable_cancel (run->cancellable);
}

static void
on_folder_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  run->returned = attest_importer_import_folder_finish (ATTEST_IMPORTER (source), result,
                                                        &run->error);
  run->finished = TRUE;
}

static void
on_files_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;

  run->returned = attest_importer_import_files_finish (ATTEST_IMPORTER (source), result,
                                                       &run->error);
  run->finished = TRUE;
}

static void
run_init (Run   *run,
          guint  cancel_at)
{
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_import_result_free);
  run->progress = g_array_new (FALSE, FALSE, sizeof (guint));
  run->cancellable = g_cancellable_new ();
  run->cancel_at = cancel_at;
}

static void
run_wait (AttestImporter *importer,
          Run            *run)
{
  while (!run->finished)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (importer, run);
}

static void
import_folder (AttestImporter *importer,
               const char     *path,
               Run            *run,
               guint           cancel_at)
{
  g_autoptr (GFile) dir = g_file_new_for_path (path);

  run_init (run, cancel_at);
  g_signal_connect (importer, "result", G_CALLBACK (on_result), run);
  g_signal_connect (importer, "progress", G_CALLBACK (on_progress), run);
  attest_importer_import_folder_async (importer, dir, run->cancellable, on_folder_done, run);
  run_wait (importer, run);
}

static const AttestImportResult *
result_for (GPtrArray  *results,
            const char *basename)
{
  for (guint i = 0; i < results->len; i++)
    {
      const AttestImportResult *r = g_ptr_array_index (results, i);
      g_autofree char *base = g_path_get_basename (r->file);

      if (g_str_equal (base, basename))
        return r;
    }
  g_error ("no result for %s", basename);
  return NULL;
}

static void
expect (GPtrArray        *results,
        const char       *basename,
        AttestImportSkip  skip,
        const char       *reason)
{
  const AttestImportResult *r = result_for (results, basename);

  g_assert_cmpint (r->skip, ==, skip);
  g_assert_cmpint (r->status, ==, skip == ATTEST_IMPORT_SKIP_NONE ? ATTEST_IMPORT_ENROLLED
                                                                  : ATTEST_IMPORT_SKIPPED);
  g_assert_cmpstr (r->reason, ==, reason);
}

/* Audit entries with this action; asserts the chain is intact with n_total entries. */
static guint
count_audit (AttestStore *store,
             const char  *action,
             guint64      n_total)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = attest_store_list_audit (store, 0, 0, &error);
  guint64 n = 0;
  gint64 bad = -1;
  guint count = 0;

  g_assert_no_error (error);
  g_assert_true (attest_store_verify_audit (store, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_total);
  g_assert_cmpuint (entries->len, ==, n_total);
  for (guint i = 0; i < entries->len; i++)
    {
      AttestAuditEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->action, action))
        {
          count++;
          g_assert_cmpstr (entry->actor, ==, ACTOR);
        }
    }
  return count;
}

static gint64
n_faces (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  gint64 n = attest_store_count_faces (store, &error);

  g_assert_no_error (error);
  return n;
}

static gint64
n_identities (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  gint64 n = attest_store_count_identities (store, &error);

  g_assert_no_error (error);
  return n;
}

/* A PNG's width and height from its IHDR chunk. */
static void
png_size (GBytes *png,
          guint  *width,
          guint  *height)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (png, &size);

  g_assert_cmpuint (size, >, 24);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  *width = GUINT32_FROM_BE (*(const guint32 *) (data + 16));
  *height = GUINT32_FROM_BE (*(const guint32 *) (data + 20));
}

/* ---- tests ---- */

/* Import johns (5 distinct photos per person) from a folder tree, then again; then every
 * other johns photo is identified as its person, and no face of the negatives reaches the
 * threshold. */
static void
test_folder_johns (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *root = fixture_path (f, "people");
  g_autoptr (GPtrArray) held_out = g_ptr_array_new_with_free_func ((GDestroyNotify) photo_free);
  g_autoptr (GArray) first_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto (Run) run = { 0 };
  g_auto (Run) again = { 0 };
  g_autoptr (AttestMatcher) matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  g_autoptr (GError) error = NULL;
  g_autoptr (GListStore) identities = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                        g_free, g_free);
  const char *model_id = attest_vision_get_model_id (vision ());
  float worst_genuine = 1.0f, best_impostor = -1.0f;
  gint64 start;
  double seconds;

  make_johns_tree (root, held_out);
  g_assert_cmpuint (held_out->len, >=, 5 * 5);

  start = g_get_monotonic_time ();
  import_folder (f->importer, root, &run, 0);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("imported 25 faces in %.2f s: %.1f faces/s", seconds, 25 / seconds);

  g_assert_no_error (run.error);
  g_assert_nonnull (run.returned);
  g_assert_cmpuint (run.returned->len, ==, 25);
  g_assert_cmpuint (run.results->len, ==, 25);

  /* Progress: (0, 25) first, then one step per image, each after that image's result. */
  g_assert_cmpuint (run.progress->len, ==, 2 * 26);
  for (guint i = 0; i <= 25; i++)
    {
      g_assert_cmpuint (g_array_index (run.progress, guint, 2 * i), ==, i);
      g_assert_cmpuint (g_array_index (run.progress, guint, 2 * i + 1), ==, 25);
    }

  for (guint i = 0; i < 25; i++)
    {
      const AttestImportResult *r = g_ptr_array_index (run.results, i);
      const AttestImportResult *ret = g_ptr_array_index (run.returned, i);
      g_autofree char *folder = g_path_get_dirname (r->file);
      g_autofree char *person = g_path_get_basename (folder);

      g_test_message ("%s: %s %s", r->file,
                      r->status == ATTEST_IMPORT_ENROLLED ? "enrolled" : "skipped", r->reason);
      g_assert_cmpstr (r->file, ==, ret->file);
      g_assert_cmpint (r->status, ==, ATTEST_IMPORT_ENROLLED);
      g_assert_cmpint (r->skip, ==, ATTEST_IMPORT_SKIP_NONE);
      g_assert_cmpstr (r->reason, ==, "");
      g_assert_cmpstr (r->identity, ==, person);
      g_assert_cmpint (r->face_id, >, 0);
      /* People and files in name order. */
      if (i > 0)
        {
          const AttestImportResult *previous = g_ptr_array_index (run.results, i - 1);

          g_assert_cmpstr (previous->file, <, r->file);
        }
      g_array_append_val (first_ids, r->face_id);
    }

  g_assert_cmpint (n_identities (f->store), ==, 5);
  g_assert_cmpint (n_faces (f->store), ==, 25);
  g_assert_cmpuint (count_audit (f->store, "import", 25), ==, 25);

  /* What was stored with a face: provenance, box, a 96 px thumbnail. */
  {
    const AttestImportResult *r = g_ptr_array_index (run.results, 7);
    g_autoptr (AttestFace) face = attest_store_get_face (f->store, r->face_id, &error);
    g_autoptr (GFile) file = g_file_new_for_path (r->file);
    g_autofree char *uri = g_file_get_uri (file);
    g_autofree char *hash = sha256_of (r->file);
    double x, y, w, h;
    guint tw, th;

    g_assert_no_error (error);
    g_assert_cmpstr (attest_face_get_identity_name (face), ==, r->identity);
    g_assert_cmpstr (attest_face_get_source_uri (face), ==, uri);
    g_assert_cmpstr (attest_face_get_source_sha256 (face), ==, hash);
    g_assert_cmpstr (attest_face_get_file_sha256 (face), ==, hash);
    g_assert_cmpint (attest_face_get_source_ms (face), ==, -1);
    g_assert_cmpstr (attest_face_get_enrolled_by (face), ==, ACTOR);
    g_assert_cmpstr (attest_face_get_basis (face), ==, BASIS);
    g_assert_cmpstr (attest_face_get_model_id (face), ==, attest_vision_get_model_id (vision ()));
    g_assert_true (attest_face_get_box (face, &x, &y, &w, &h));
    /* The face fills most of a 150 px crop. */
    g_assert_cmpfloat (w, >, 60);
    g_assert_cmpfloat (w, <, 200);
    g_assert_cmpfloat (x + w / 2, >, 40);
    g_assert_cmpfloat (x + w / 2, <, 110);
    png_size (attest_face_get_thumbnail (face), &tw, &th);
    g_assert_cmpuint (tw, ==, 96);
    g_assert_cmpuint (th, ==, 96);
  }

  /* Again, plus a copy of an imported photo under another name: all "already enrolled",
   * naming the face enrolled before, nothing written. */
  {
    const AttestImportResult *r = g_ptr_array_index (run.results, 0);
    g_autofree char *folder = g_path_get_dirname (r->file);
    g_autofree char *copy = g_build_filename (folder, "zz-copy.JPG", NULL);

    copy_file (r->file, copy);
    start = g_get_monotonic_time ();
    import_folder (f->importer, root, &again, 0);
    g_test_message ("re-import of 26 files: %.2f s",
                    (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
    g_assert_no_error (again.error);
    g_assert_cmpuint (again.results->len, ==, 26);
    for (guint i = 0; i < again.results->len; i++)
      {
        const AttestImportResult *a = g_ptr_array_index (again.results, i);

        g_assert_cmpint (a->status, ==, ATTEST_IMPORT_SKIPPED);
        g_assert_cmpint (a->skip, ==, ATTEST_IMPORT_SKIP_ALREADY_ENROLLED);
        g_assert_cmpstr (a->reason, ==, "already enrolled");
      }
    g_assert_cmpint (result_for (again.results, "zz-copy.JPG")->face_id, ==, r->face_id);
    for (guint i = 0; i < run.results->len; i++)
      {
        const AttestImportResult *before = g_ptr_array_index (run.results, i);
        g_autofree char *base = g_path_get_basename (before->file);

        g_assert_cmpint (result_for (again.results, base)->face_id, ==, before->face_id);
      }
    g_assert_cmpint (n_identities (f->store), ==, 5);
    g_assert_cmpint (n_faces (f->store), ==, 25);
    g_assert_cmpuint (count_audit (f->store, "import", 25), ==, 25);
  }

  /* The index, loaded from the store: every face of this model, none of another. */
  g_assert_cmpint (attest_matcher_load_from_store (matcher, f->store, "other-model@1", &error),
                   ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (attest_matcher_load_from_store (matcher, f->store, model_id, &error), ==, 25);
  g_assert_no_error (error);
  g_assert_cmpuint (attest_matcher_get_n_faces (matcher), ==, 25);
  /* Loading clears what was there. */
  g_assert_cmpint (attest_matcher_load_from_store (matcher, f->store, model_id, &error), ==, 25);
  g_assert_cmpuint (attest_matcher_get_n_faces (matcher), ==, 25);

  identities = attest_store_list_identities (f->store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (identities)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (identities), i);

      gint64 id = attest_identity_get_id (identity);

      g_hash_table_insert (names, g_memdup2 (&id, sizeof id),
                           g_strdup (attest_identity_get_name (identity)));
    }

  /* Held out: each is its own person at top-1, at or above the threshold. */
  for (guint i = 0; i < held_out->len; i++)
    {
      Photo *photo = g_ptr_array_index (held_out, i);
      g_autoptr (AttestStill) still = attest_still_load (vision (), photo->path, &error);
      float embedding[ATTEST_EMBEDDING_DIM];
      AttestCandidate top[5];
      AttestQuality quality;
      guint n;

      g_assert_no_error (error);
      g_assert_cmpuint (attest_still_get_n_faces (still), ==, 1);
      g_assert_true (attest_still_examine_face (still, 0, &quality, embedding, &error));
      g_assert_no_error (error);
      g_assert_cmpint (quality.issue, ==, ATTEST_QUALITY_OK);
      n = attest_matcher_search (matcher, embedding, 5, NULL, 0, top);
      g_assert_cmpuint (n, ==, 5);
      g_test_message ("%s: %s %.3f (next %s %.3f)", photo->path,
                      (char *) g_hash_table_lookup (names, &top[0].identity_id), top[0].score,
                      (char *) g_hash_table_lookup (names, &top[1].identity_id), top[1].score);
      g_assert_cmpstr (g_hash_table_lookup (names, &top[0].identity_id), ==, photo->person);
      g_assert_cmpfloat (top[0].score, >=, ATTEST_MATCHER_DEFAULT_THRESHOLD);
      worst_genuine = MIN (worst_genuine, top[0].score);
      best_impostor = MAX (best_impostor, top[1].score);
    }
  g_test_message ("%u held-out photos: lowest right score %.3f, highest wrong score %.3f",
                  held_out->len, worst_genuine, best_impostor);

  /* Negatives: no face in these reaches the threshold. */
  {
    g_autofree char *frames_dir = examples_path ("video_frames", NULL);
    g_autoptr (GPtrArray) frames = sorted_names (frames_dir);
    g_autoptr (GPtrArray) negatives = g_ptr_array_new_with_free_func (g_free);
    guint n_faces_seen = 0;
    float best = -1.0f;

    g_ptr_array_add (negatives, examples_path ("faces", "dogs.jpg", NULL));
    for (guint i = 0; i < frames->len; i++)
      if (g_str_has_suffix (g_ptr_array_index (frames, i), ".jpg"))
        g_ptr_array_add (negatives,
                         g_build_filename (frames_dir, g_ptr_array_index (frames, i), NULL));
    g_assert_cmpuint (negatives->len, >, 100);

    for (guint i = 0; i < negatives->len; i++)
      {
        const char *path = g_ptr_array_index (negatives, i);
        g_autoptr (AttestStill) still = attest_still_load (vision (), path, &error);

        g_assert_no_error (error);
        for (guint j = 0; j < MIN (attest_still_get_n_faces (still), ATTEST_STILL_MAX_FACES); j++)
          {
            float embedding[ATTEST_EMBEDDING_DIM];
            AttestCandidate top[1];
            AttestQuality quality;

            n_faces_seen++;
            g_assert_true (attest_still_examine_face (still, j, &quality, embedding, &error));
            g_assert_no_error (error);
            if (quality.issue != ATTEST_QUALITY_OK)
              continue;
            if (attest_matcher_search (matcher, embedding, 1, NULL, 0, top) == 1)
              {
                best = MAX (best, top[0].score);
                g_assert_cmpfloat (top[0].score, <, ATTEST_MATCHER_DEFAULT_THRESHOLD);
              }
          }
      }
    g_test_message ("%u negative photos: %u detections, best score %.3f", negatives->len,
                    n_faces_seen, best);
  }
}

/* Cancelled from the "progress" handler after 3 images: exactly those 3 are enrolled (the
 * worker waits for each image's signals), each with its audit row; nothing else written. */
static void
test_folder_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *root = fixture_path (f, "people");
  g_auto (Run) run = { 0 };

  make_johns_tree (root, NULL);
  import_folder (f->importer, root, &run, 3);

  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (run.returned);
  g_assert_cmpuint (run.results->len, ==, 3);
  for (guint i = 0; i < run.results->len; i++)
    g_assert_cmpint (((AttestImportResult *) g_ptr_array_index (run.results, i))->status, ==,
                     ATTEST_IMPORT_ENROLLED);
  g_assert_cmpint (n_faces (f->store), ==, 3);
  g_assert_cmpint (n_identities (f->store), ==, 1);
  g_assert_cmpuint (count_audit (f->store, "import", 3), ==, 3);
}

/* A folder without person folders is refused with a message saying what to do; nothing is
 * written. Missing folders and files given as folders are refused too. */
static void
test_folder_no_subfolders (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *flat = fixture_path (f, "Holiday photos");
  g_autofree char *photo = examples_path ("johns", "John_Simm", "000288_00470387.jpg", NULL);
  g_autofree char *in_flat = g_build_filename (flat, "a.jpg", NULL);
  g_autofree char *missing = fixture_path (f, "no such folder");

  g_assert_cmpint (g_mkdir (flat, 0700), ==, 0);
  copy_file (photo, in_flat);

  {
    g_auto (Run) run = { 0 };

    import_folder (f->importer, flat, &run, 0);
    g_assert_error (run.error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_NO_SUBFOLDERS);
    g_test_message ("%s", run.error->message);
    g_assert_nonnull (strstr (run.error->message, "“"));
    g_assert_nonnull (strstr (run.error->message, flat));
    g_assert_nonnull (strstr (run.error->message, "has no sub-folders: put each person’s photos "
                                                  "in a folder named after them"));
    g_assert_cmpuint (run.results->len, ==, 0);
  }
  {
    g_auto (Run) run = { 0 };

    import_folder (f->importer, missing, &run, 0);
    g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_test_message ("%s", run.error->message);
    g_assert_true (g_str_has_prefix (run.error->message, "The folder “"));
    g_assert_true (g_str_has_suffix (run.error->message, "/no such folder” does not exist"));
  }
  {
    g_auto (Run) run = { 0 };

    import_folder (f->importer, in_flat, &run, 0);
    g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
    g_test_message ("%s", run.error->message);
    g_assert_nonnull (strstr (run.error->message, "/a.jpg” is not a folder"));
  }
  g_assert_cmpint (n_faces (f->store), ==, 0);
  g_assert_cmpint (n_identities (f->store), ==, 0);
  g_assert_cmpuint (count_audit (f->store, "import", 0), ==, 0);
}

/* Bad files inside a person's folder are skipped, each with its reason; the good ones are
 * still enrolled; other files and hidden ones are left alone. */
static void
test_folder_bad_files (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *root = fixture_path (f, "people");
  g_autofree char *ann = g_build_filename (root, "Ann Example", NULL);
  g_autofree char *good1 = examples_path ("johns", "John_Simm", "000288_00470387.jpg", NULL);
  g_autofree char *good2 = examples_path ("johns", "John_Simm", "000297_00470170.jpg", NULL);
  g_autofree char *good3 = examples_path ("johns", "John_Simm", "000300_00470148.jpg", NULL);
  g_autofree char *no_face = examples_path ("video_frames", "frame_000100.jpg", NULL);
  g_autofree char *group = examples_path ("faces", "2008_002506.jpg", NULL);
  g_autofree char *locked = g_build_filename (ann, "locked.jpg", NULL);
  g_autofree char *broken = g_build_filename (ann, "broken.jpg", NULL);
  g_autofree char *fifo = g_build_filename (ann, "pipe.jpg", NULL);
  g_autofree char *loose = g_build_filename (root, "loose.jpg", NULL);
  g_auto (Run) run = { 0 };
  gboolean can_lock;
  guint expected;

  g_assert_cmpint (g_mkdir_with_parents (ann, 0700), ==, 0);
  copy_into (ann, "a.jpg", good1);
  copy_into (ann, "B.JPEG", good2);
  copy_into (ann, "c.Png", good3);  /* JPEG data, misnamed: still read */
  copy_into (ann, ".hidden.jpg", good3);
  copy_into (ann, "frame.jpg", no_face);
  copy_into (ann, "group.jpg", group);
  copy_file (good1, locked);
  write_into (ann, "x.jpg", "this is not a photo\n", -1);
  write_into (ann, "empty.png", "", 0);
  write_into (ann, "notes.txt", "notes\n", -1);
  /* A real MP4 named like a photo; a thin strip of an image. */
  copy_into (ann, "clip.png", g_getenv ("ATTEST_SAMPLE_VIDEO"));
  {
    g_autoptr (GdkPixbuf) strip = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 2, 3000);
    g_autofree char *strip_path = g_build_filename (ann, "strip.png", NULL);

    gdk_pixbuf_fill (strip, 0x808080ff);
    g_assert_true (gdk_pixbuf_save (strip, strip_path, "png", NULL, NULL));
  }
  /* Larger than any photo (sparse: no disk used): not read into memory at all. */
  {
    g_autofree char *huge = g_build_filename (ann, "huge.jpg", NULL);
    int fd = g_open (huge, O_CREAT | O_WRONLY, 0600);

    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, 300 * 1000 * 1000), ==, 0);
    close (fd);
  }
  g_assert_cmpint (symlink ("/nonexistent/photo.jpg", broken), ==, 0);
  /* A named pipe named like a photo: reading it would never end. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* A link to a device that never ends (it was read at 99% CPU for ten minutes). */
  {
    g_autofree char *zero = g_build_filename (ann, "zero.jpg", NULL);

    g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);
  }
  copy_file (good2, loose);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  /* root reads any file: then the locked file is simply imported. */
  can_lock = access (locked, R_OK) != 0;

  import_folder (f->importer, root, &run, 0);
  g_assert_no_error (run.error);
  for (guint i = 0; i < run.results->len; i++)
    {
      const AttestImportResult *r = g_ptr_array_index (run.results, i);
      g_test_message ("%s: %s", r->file, r->reason);
    }

  /* a, B, c, broken, clip, empty, frame, group, huge, locked, pipe, strip, x, zero + loose;
   * not .hidden, not notes.txt */
  g_assert_cmpuint (run.results->len, ==, 15);
  expect (run.results, "zero.jpg", ATTEST_IMPORT_SKIP_UNREADABLE,
          "could not be read: not a regular file");
  expect (run.results, "huge.jpg", ATTEST_IMPORT_SKIP_UNREADABLE,
          "could not be read: too large to be a photo (300 MB; at most 200 MB)");
  expect (run.results, "clip.png", ATTEST_IMPORT_SKIP_NOT_AN_IMAGE,
          "a video, not a photo: open it in the player and enrol a face by clicking it");
  g_assert_nonnull (strstr (result_for (run.results, "strip.png")->reason,
                            "is 2×3000 pixels: too small or too thin to hold a face"));
  expect (run.results, "pipe.jpg", ATTEST_IMPORT_SKIP_UNREADABLE,
          "could not be read: not a regular file");
  expect (run.results, "loose.jpg", ATTEST_IMPORT_SKIP_NOT_IN_A_FOLDER,
          "not in a person’s folder");
  expect (run.results, "a.jpg", ATTEST_IMPORT_SKIP_NONE, "");
  g_assert_cmpstr (result_for (run.results, "a.jpg")->identity, ==, "Ann Example");
  expect (run.results, "B.JPEG", ATTEST_IMPORT_SKIP_NONE, "");
  expect (run.results, "c.Png", ATTEST_IMPORT_SKIP_NONE, "");
  expect (run.results, "broken.jpg", ATTEST_IMPORT_SKIP_UNREADABLE,
          "could not be read: no such file");
  expect (run.results, "x.jpg", ATTEST_IMPORT_SKIP_NOT_AN_IMAGE, "not an image");
  expect (run.results, "empty.png", ATTEST_IMPORT_SKIP_NOT_AN_IMAGE, "not an image");
  expect (run.results, "frame.jpg", ATTEST_IMPORT_SKIP_NO_FACE, "no face found");
  expect (run.results, "group.jpg", ATTEST_IMPORT_SKIP_SEVERAL_FACES, "several faces (3)");
  if (can_lock)
    expect (run.results, "locked.jpg", ATTEST_IMPORT_SKIP_UNREADABLE,
            "could not be read: permission denied");
  else
    {
      /* Same contents as a.jpg. */
      g_test_message ("running as root: the unreadable-file case is covered by broken.jpg");
      expect (run.results, "locked.jpg", ATTEST_IMPORT_SKIP_ALREADY_ENROLLED, "already enrolled");
    }
  for (guint i = 0; i < run.results->len; i++)
    {
      const AttestImportResult *r = g_ptr_array_index (run.results, i);

      if (r->status == ATTEST_IMPORT_SKIPPED && r->skip != ATTEST_IMPORT_SKIP_ALREADY_ENROLLED)
        g_assert_cmpint (r->face_id, ==, -1);
      g_assert_cmpint (r->status == ATTEST_IMPORT_ENROLLED, ==, r->skip == ATTEST_IMPORT_SKIP_NONE);
      g_assert_cmpint (r->status == ATTEST_IMPORT_ENROLLED, ==, r->reason[0] == '\0');
    }

  expected = 3;
  g_assert_cmpint (n_faces (f->store), ==, expected);
  g_assert_cmpint (n_identities (f->store), ==, 1);
  g_assert_cmpuint (count_audit (f->store, "import", expected), ==, expected);
  g_chmod (locked, 0600);
}

/* One image at a time for a named identity (the CLI's enrol): the identity is created once,
 * found again ignoring case and spacing; per-identity duplicates; refusals. */
static void
test_file (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *a = examples_path ("johns", "John_Savage", "000264_01099001.jpg", NULL);
  g_autofree char *b = examples_path ("johns", "John_Savage", "000274_01099061.jpg", NULL);
  g_autofree char *group = examples_path ("faces", "2008_002506.jpg", NULL);
  g_autofree char *missing = fixture_path (f, "missing.jpg");
  g_autofree char *tiny = fixture_path (f, "tiny.png");
  g_autoptr (GError) error = NULL;
  AttestImportResult r = { .face_id = -1 };
  gint64 first;

  g_assert_true (attest_importer_import_file (f->importer, a, "Jo  Savage ", &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.status, ==, ATTEST_IMPORT_ENROLLED);
  g_assert_cmpstr (r.identity, ==, "Jo Savage");
  g_assert_cmpstr (r.file, ==, a);
  first = r.face_id;

  g_assert_true (attest_importer_import_file (f->importer, b, "jo savage", &r, &error));
  g_assert_cmpint (r.status, ==, ATTEST_IMPORT_ENROLLED);
  g_assert_cmpstr (r.identity, ==, "Jo Savage");
  g_assert_cmpint (r.face_id, >, first);

  g_assert_true (attest_importer_import_file (f->importer, a, "JO SAVAGE", &r, &error));
  g_assert_cmpint (r.skip, ==, ATTEST_IMPORT_SKIP_ALREADY_ENROLLED);
  g_assert_cmpstr (r.reason, ==, "already enrolled");
  g_assert_cmpint (r.face_id, ==, first);
  g_assert_cmpstr (r.identity, ==, "Jo Savage");

  /* Several faces: skipped, and no identity created for nobody. */
  g_assert_true (attest_importer_import_file (f->importer, group, "Group", &r, &error));
  g_assert_cmpint (r.skip, ==, ATTEST_IMPORT_SKIP_SEVERAL_FACES);
  g_assert_cmpstr (r.reason, ==, "several faces (3)");
  g_assert_cmpint (r.face_id, ==, -1);
  g_assert_cmpstr (r.identity, ==, "Group");

  g_assert_true (attest_importer_import_file (f->importer, missing, "Jo Savage", &r, &error));
  g_assert_cmpint (r.skip, ==, ATTEST_IMPORT_SKIP_UNREADABLE);
  g_assert_cmpstr (r.reason, ==, "could not be read: no such file");

  /* A face far too small to compare: the quality gate's reason. */
  {
    g_autoptr (AttestStill) still = attest_still_load (vision (), a, &error);
    g_autoptr (GBytes) png = attest_image_crop_png (attest_still_get_view (still),
                                                    attest_still_get_box (still, 0), 36, &error);

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (tiny, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                        NULL));
    g_assert_true (attest_importer_import_file (f->importer, tiny, "Jo Savage", &r, &error));
    g_test_message ("tiny.png: %s", r.reason);
    g_assert_cmpint (r.status, ==, ATTEST_IMPORT_SKIPPED);
    g_assert_cmpint (r.skip, ==, ATTEST_IMPORT_SKIP_POOR_QUALITY);
    g_assert_true (g_str_has_prefix (r.reason, "face too small ("));
    g_assert_cmpint (r.face_id, ==, -1);
  }

  /* The same photo for another person is that person's enrolment (duplicates are per
   * identity). */
  g_assert_true (attest_importer_import_file (f->importer, a, "Someone Else", &r, &error));
  g_assert_cmpint (r.status, ==, ATTEST_IMPORT_ENROLLED);
  g_assert_cmpint (r.face_id, !=, first);

  /* Refusals write nothing and leave *out alone. */
  g_assert_false (attest_importer_import_file (f->importer, b, "   ", &r, &error));
  g_assert_error (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr (AttestImporter) no_basis = attest_importer_new (f->store, vision (), ACTOR, " \n");
    g_autoptr (AttestImporter) no_actor = attest_importer_new (f->store, vision (), NULL, BASIS);
    g_auto (Run) run = { 0 };
    g_autofree char *root = fixture_path (f, "people");

    g_assert_false (attest_importer_import_file (no_basis, b, "Other", &r, &error));
    g_assert_error (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "basis"));
    g_clear_error (&error);
    g_assert_false (attest_importer_import_file (no_actor, b, "Other", &r, &error));
    g_assert_error (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID);
    g_clear_error (&error);

    make_johns_tree (root, NULL);
    import_folder (no_basis, root, &run, 0);
    g_assert_error (run.error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID);
    g_assert_cmpuint (run.results->len, ==, 0);
  }
  attest_import_result_clear (&r);

  g_assert_cmpint (n_identities (f->store), ==, 2);
  g_assert_cmpint (n_faces (f->store), ==, 3);
  g_assert_cmpuint (count_audit (f->store, "import", 3), ==, 3);
}

/* Files picked for one identity, in the background: results in the order given. */
static void
test_files_async (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *a = examples_path ("johns", "John_Schneider", "000288_00925786.jpg", NULL);
  g_autofree char *c = examples_path ("johns", "John_Schneider", "000302_00925785.jpg", NULL);
  g_autofree char *d = examples_path ("video_frames", "frame_000101.jpg", NULL);
  GFile *files[4];
  g_auto (Run) run = { 0 };

  files[0] = g_file_new_for_path (a);
  files[1] = g_file_new_for_path (d);
  files[2] = g_file_new_for_path (c);
  files[3] = g_file_new_for_path (a);
  run_init (&run, 0);
  g_signal_connect (f->importer, "result", G_CALLBACK (on_result), &run);
  g_signal_connect (f->importer, "progress", G_CALLBACK (on_progress), &run);
  attest_importer_import_files_async (f->importer, files, G_N_ELEMENTS (files), "John Schneider",
                                      NULL, on_files_done, &run);
  run_wait (f->importer, &run);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.returned->len, ==, 4);
  g_assert_cmpuint (run.results->len, ==, 4);
  g_assert_cmpstr (((AttestImportResult *) g_ptr_array_index (run.returned, 0))->file, ==, a);
  g_assert_cmpint (((AttestImportResult *) g_ptr_array_index (run.returned, 0))->status, ==,
                   ATTEST_IMPORT_ENROLLED);
  g_assert_cmpstr (((AttestImportResult *) g_ptr_array_index (run.returned, 1))->reason, ==,
                   "no face found");
  g_assert_cmpint (((AttestImportResult *) g_ptr_array_index (run.returned, 2))->status, ==,
                   ATTEST_IMPORT_ENROLLED);
  g_assert_cmpstr (((AttestImportResult *) g_ptr_array_index (run.returned, 3))->reason, ==,
                   "already enrolled");
  g_assert_cmpuint (run.progress->len, ==, 2 * 5);
  g_assert_cmpint (n_faces (f->store), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add ("/importer/folder/johns", Fixture, NULL, fixture_set_up, test_folder_johns,
              fixture_tear_down);
  g_test_add ("/importer/folder/cancel", Fixture, NULL, fixture_set_up, test_folder_cancel,
              fixture_tear_down);
  g_test_add ("/importer/folder/no-subfolders", Fixture, NULL, fixture_set_up, test_folder_no_subfolders,
              fixture_tear_down);
  g_test_add ("/importer/folder/bad-files", Fixture, NULL, fixture_set_up, test_folder_bad_files,
              fixture_tear_down);
  g_test_add ("/importer/file", Fixture, NULL, fixture_set_up, test_file,
              fixture_tear_down);
  g_test_add ("/importer/files-async", Fixture, NULL, fixture_set_up, test_files_async,
              fixture_tear_down);

  status = g_test_run ();
  g_clear_pointer (&shared_vision, attest_vision_free);
  return status;
}
