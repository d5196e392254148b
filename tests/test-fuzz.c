/* test-fuzz.c: hostile files made from real ones, fed to what reads files.
 *
 * Seeds: the sample MP4, a JPEG and a PNG of real faces (Debian's dlib photographs) and a real
 * gallery database. Each case mutates one seed (bit flips, a truncation, a chunk of another
 * seed inserted, a zeroed run) with a seeded GRand, writes it to a file, and reads it the way
 * Attest does: images are decoded and searched for faces (enrol, identify, detect), videos are
 * opened and their frames read and searched (detect, scan), galleries are opened read-only and
 * their audit log checked (verify-audit) and opened read-write (the app). Every case must end
 * by itself (a watchdog fails the test after 30 s on one file) and every failure must be a
 * message that names the file.
 *
 * ATTEST_FUZZ_CASES (default 1000) and ATTEST_FUZZ_SEED (default 20261205) choose the run;
 * ATTEST_FUZZ_KEEP=DIR keeps every generated file there (the corpus). Run it longer by hand:
 *   ATTEST_FUZZ_CASES=20000 meson test -C build test-fuzz --timeout-multiplier 20
 * Meant for the sanitizer build (README: "Sanitizers and fuzzing"); it runs in the plain suite
 * too. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#include "media/attest-frame-reader.h"
#include "store/attest-gallery.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

#define WATCHDOG_SECONDS 30
#define MAX_FRAMES 6

typedef enum
{
  KIND_VIDEO,
  KIND_JPEG,
  KIND_PNG,
  KIND_GALLERY,
  N_KINDS
} Kind;

static const char *const kind_names[N_KINDS] = { "mp4", "jpg", "png", "db" };

typedef struct
{
  GBytes *seeds[N_KINDS];
  char   *dir;
  char   *keep;
  GRand  *rand;
  AttestVision *vision;
  /* The watchdog. */
  GMutex  lock;
  gint64  started_us;
  char   *current;
  gboolean done;
  /* What was found, by first words of the message. */
  GHashTable *outcomes;
} Fuzz;

static Fuzz fuzz;

static gpointer
watchdog (gpointer data)
{
  for (;;)
    {
      g_usleep (G_USEC_PER_SEC / 4);
      g_mutex_lock (&fuzz.lock);
      if (fuzz.done)
        {
          g_mutex_unlock (&fuzz.lock);
          return NULL;
        }
      if (fuzz.current != NULL &&
          g_get_monotonic_time () - fuzz.started_us > WATCHDOG_SECONDS * G_USEC_PER_SEC)
        g_error ("%s took more than %d s: a hang (kept as %s)", fuzz.current, WATCHDOG_SECONDS,
                 fuzz.current);
      g_mutex_unlock (&fuzz.lock);
    }
}

static void
case_begin (const char *path)
{
  g_mutex_lock (&fuzz.lock);
  g_free (fuzz.current);
  fuzz.current = g_strdup (path);
  fuzz.started_us = g_get_monotonic_time ();
  g_mutex_unlock (&fuzz.lock);
}

static void
case_end (void)
{
  g_mutex_lock (&fuzz.lock);
  g_clear_pointer (&fuzz.current, g_free);
  g_mutex_unlock (&fuzz.lock);
}

/* A failure must say which file, in words. */
static void
outcome (const char   *path,
         const char   *what,
         const GError *error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *key = NULL;
  guint n;

  if (error != NULL)
    {
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpuint (strlen (error->message), >, 10);
      if (strstr (error->message, base) == NULL)
        g_error ("%s: %s does not name the file: %s", path, what, error->message);
    }
  /* Group by the words after the file name, cut at the first digit or colon. */
  if (error == NULL)
    key = g_strdup_printf ("%s: read", what);
  else
    {
      const char *after = strstr (error->message, base) + strlen (base);
      g_autofree char *copy = g_strdup (after);

      for (char *p = copy; *p != '\0'; p++)
        if (g_ascii_isdigit (*p) || *p == ':' || *p == '(' || *p == '.')
          {
            *p = '\0';
            break;
          }
      key = g_strdup_printf ("%s: %s", what, g_strstrip (copy));
    }
  n = GPOINTER_TO_UINT (g_hash_table_lookup (fuzz.outcomes, key));
  g_hash_table_insert (fuzz.outcomes, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
}

/* ---- mutations ---- */

static GBytes *
mutate (Kind kind)
{
  gsize size = 0;
  const guint8 *seed = g_bytes_get_data (fuzz.seeds[kind], &size);
  GByteArray *out = g_byte_array_sized_new (size + 4096);
  int how = g_rand_int_range (fuzz.rand, 0, 4);

  g_byte_array_append (out, seed, size);
  switch (how)
    {
    case 0:  /* bit flips, mostly near the start where headers are */
      for (int i = g_rand_int_range (fuzz.rand, 1, 24); i > 0; i--)
        {
          gsize at = g_rand_boolean (fuzz.rand)
                     ? (gsize) g_rand_int_range (fuzz.rand, 0, (gint32) MIN (out->len, 4096))
                     : (gsize) g_rand_int_range (fuzz.rand, 0, (gint32) out->len);

          out->data[at] ^= (guint8) (1u << g_rand_int_range (fuzz.rand, 0, 8));
        }
      break;
    case 1:  /* truncated */
      g_byte_array_set_size (out, (guint) g_rand_int_range (fuzz.rand, 0, (gint32) out->len));
      break;
    case 2:  /* a chunk of another seed inserted */
      {
        Kind other = (Kind) g_rand_int_range (fuzz.rand, 0, N_KINDS);
        gsize other_size = 0;
        const guint8 *other_data = g_bytes_get_data (fuzz.seeds[other], &other_size);
        gsize from = (gsize) g_rand_int_range (fuzz.rand, 0, (gint32) other_size);
        gsize wanted = (gsize) g_rand_int_range (fuzz.rand, 1, 65536);
        gsize length = MIN (other_size - from, wanted);  /* MIN evaluates twice: no calls in it */
        guint at = (guint) g_rand_int_range (fuzz.rand, 0, (gint32) out->len);

        g_byte_array_remove_range (out, at, 0);
        {
          GByteArray *tail = g_byte_array_new ();

          g_byte_array_append (tail, out->data + at, out->len - at);
          g_byte_array_set_size (out, at);
          g_byte_array_append (out, other_data + from, (guint) length);
          g_byte_array_append (out, tail->data, tail->len);
          g_byte_array_unref (tail);
        }
      }
      break;
    default:  /* a run zeroed or set to 0xff */
      {
        guint at = (guint) g_rand_int_range (fuzz.rand, 0, (gint32) out->len);
        guint wanted = (guint) g_rand_int_range (fuzz.rand, 1, 4096);
        guint length = MIN (out->len - at, wanted);

        memset (out->data + at, g_rand_boolean (fuzz.rand) ? 0x00 : 0xff, length);
      }
      break;
    }
  return g_byte_array_free_to_bytes (out);
}

/* ---- reading, as Attest does ---- */

static void
read_image (const char *path,
            GBytes     *bytes)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr (GError) error = NULL;
  AttestImage *image = attest_image_decode (bytes, base, &error);
  AttestBox boxes[32];

  outcome (path, "image", error);
  if (image == NULL)
    return;
  /* Detect, then embed every face found (enrol and identify do the same). */
  {
    const AttestImageView *view = attest_image_get_view (image);
    int n = attest_vision_detect (fuzz.vision, view, boxes, G_N_ELEMENTS (boxes));

    for (int i = 0; i < MIN (n, 4); i++)
      {
        float embedding[ATTEST_EMBEDDING_DIM];
        g_autoptr (GError) embed_error = NULL;

        attest_vision_embed (fuzz.vision, view, &boxes[i], embedding, &embed_error);
      }
  }
  attest_image_free (image);
}

static void
read_video (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, NULL, &error);
  AttestImageView frame;
  GstClockTime pts;
  guint64 number;

  outcome (path, "video", error);
  if (reader == NULL)
    return;
  for (int i = 0; i < MAX_FRAMES && attest_frame_reader_next (reader, &frame, &pts, &number,
                                                               &error); i++)
    {
      AttestBox boxes[32];

      attest_vision_detect (fuzz.vision, &frame, boxes, G_N_ELEMENTS (boxes));
    }
  if (error != NULL)
    outcome (path, "video frames", error);
}

static void
read_gallery (const char *path)
{
  g_autoptr (GError) error = NULL;
  AttestStore *store = attest_store_open_read_only (path, &error);

  outcome (path, "gallery (read-only)", error);
  if (store != NULL)
    {
      g_autoptr (GError) check_error = NULL;
      g_autoptr (GError) list_error = NULL;
      g_autoptr (GListStore) identities = NULL;

      attest_store_check_audit (store, NULL, NULL, &check_error);
      identities = attest_store_list_identities (store, NULL, &list_error);
      g_object_unref (store);
    }
  g_clear_error (&error);
  store = attest_store_open (path, &error);
  outcome (path, "gallery", error);
  g_clear_object (&store);
}

static void
run_case (guint index)
{
  Kind kind = (Kind) (index % N_KINDS);
  g_autoptr (GBytes) bytes = mutate (kind);
  g_autofree char *name = g_strdup_printf ("case-%05u.%s", index, kind_names[kind]);
  g_autofree char *path = g_build_filename (fuzz.keep != NULL ? fuzz.keep : fuzz.dir, name, NULL);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  case_begin (path);
  switch (kind)
    {
    case KIND_VIDEO:
      read_video (path);
      break;
    case KIND_JPEG:
    case KIND_PNG:
      read_image (path, bytes);
      break;
    default:
      read_gallery (path);
      break;
    }
  case_end ();
  if (fuzz.keep == NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
    }
}

/* ---- seeds ---- */

static GBytes *
read_bytes (const char *path)
{
  char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static GBytes *
make_gallery (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "seed.db", NULL);
  g_autoptr (GError) error = NULL;
  AttestStore *store = attest_store_open (path, &error);
  const char *names[] = { "Ann O'Neil", "Bo", "Cy <b>" };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      AttestEnrolment e = ATTEST_ENROLMENT_INIT;
      float embedding[ATTEST_GALLERY_EMBEDDING_DIM] = { 0 };

      embedding[i] = 1.0f;
      e.identity_name = names[i];
      e.basis = "fuzz seed";
      e.actor = "Fuzz";
      e.embedding = embedding;
      e.model_id = "fuzz-model";
      g_assert_true (attest_store_enrol_face (store, &e, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (attest_store_checkpoint (store, &error));
  g_object_unref (store);
  return read_bytes (path);
}

static void
test_fuzz (void)
{
  const char *cases_text = g_getenv ("ATTEST_FUZZ_CASES");
  const char *seed_text = g_getenv ("ATTEST_FUZZ_SEED");
  guint n_cases = cases_text != NULL ? (guint) g_ascii_strtoull (cases_text, NULL, 10) : 1000;
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : 20261205;
  const char *examples = g_getenv ("ATTEST_DLIB_EXAMPLES");
  g_autofree char *jpeg = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GThread) dog = NULL;
  g_autoptr (GList) keys = NULL;
  char *png = NULL;
  gsize png_len = 0;

  g_assert_nonnull (examples);
  fuzz.dir = g_dir_make_tmp ("attest-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  fuzz.keep = g_strdup (g_getenv ("ATTEST_FUZZ_KEEP"));
  if (fuzz.keep != NULL)
    g_mkdir_with_parents (fuzz.keep, 0700);
  fuzz.rand = g_rand_new_with_seed (seed);
  fuzz.outcomes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fuzz.vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
  g_assert_no_error (error);
  g_mutex_init (&fuzz.lock);

  jpeg = g_build_filename (examples, "faces", "2008_004176.jpg", NULL);
  fuzz.seeds[KIND_VIDEO] = read_bytes (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  fuzz.seeds[KIND_JPEG] = read_bytes (jpeg);
  pixbuf = gdk_pixbuf_new_from_file (jpeg, &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_len, "png", &error, NULL));
  fuzz.seeds[KIND_PNG] = g_bytes_new_take (png, png_len);
  fuzz.seeds[KIND_GALLERY] = make_gallery (fuzz.dir);

  g_test_message ("%u cases, seed %u (ATTEST_FUZZ_CASES, ATTEST_FUZZ_SEED)", n_cases, seed);
  dog = g_thread_new ("watchdog", watchdog, NULL);
  for (guint i = 0; i < n_cases; i++)
    run_case (i);
  g_mutex_lock (&fuzz.lock);
  fuzz.done = TRUE;
  g_mutex_unlock (&fuzz.lock);
  g_thread_join (g_steal_pointer (&dog));

  keys = g_hash_table_get_keys (fuzz.outcomes);
  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    g_test_message ("%5u  %s", GPOINTER_TO_UINT (g_hash_table_lookup (fuzz.outcomes, l->data)),
                    (char *) l->data);

  for (guint k = 0; k < N_KINDS; k++)
    g_bytes_unref (fuzz.seeds[k]);
  {
    g_autofree char *seed_db = g_build_filename (fuzz.dir, "seed.db", NULL);
    g_autofree char *wal = g_strconcat (seed_db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (seed_db, "-shm", NULL);

    g_unlink (seed_db);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (fuzz.dir);
  g_hash_table_unref (fuzz.outcomes);
  g_rand_free (fuzz.rand);
  g_clear_pointer (&fuzz.vision, attest_vision_free);
  g_free (fuzz.dir);
  g_free (fuzz.keep);
}

int
main (int    argc,
      char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fuzz/files", test_fuzz);
  return g_test_run ();
}
