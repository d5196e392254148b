/* test-cli.c: attest-cli as a user runs it: the real binary, real photos, the real sample video. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "store/attest-gallery.h"
#include "store/attest-review.h"
#include "vision/attest-vision.h"
#include "test-sample-gallery.h"

typedef struct
{
  char *out;
  char *err;
  int   status;
} Run;

/* g_ptr_array_sort hands the comparator pointers to the elements, not the strings. */
static int
compare_file_names (gconstpointer a,
                    gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs attest-cli with the given arguments (NULL-terminated) and returns its output. */
static void
run_cli (Run        *run,
         const char *first,
         ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_test_message ("attest-cli %s ... -> %d\nstderr: %s", first, run->status, run->err);
}

static GStrv
stdout_lines (const Run *run)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) lines = g_strsplit (run->out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_strv_builder_add (builder, lines[i]);
  return g_strv_builder_end (builder);
}

static JsonObject *
parse_line (const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static double
iou (double ax, double ay, double aw, double ah,
     double bx, double by, double bw, double bh)
{
  double x1 = MAX (ax, bx), y1 = MAX (ay, by);
  double x2 = MIN (ax + aw, bx + bw), y2 = MIN (ay + ah, by + bh);
  double inter = MAX (0, x2 - x1) * MAX (0, y2 - y1);

  return inter / (aw * ah + bw * bh - inter);
}

static char *
dlib_path (const char *relative)
{
  return g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), relative, NULL);
}

/* A real photo with three labelled faces (testing.xml): one line, frame 0, three boxes on
 * the labelled faces, in the photo's own pixels. */
static void
test_detect_image (void)
{
  g_autofree char *photo = dlib_path ("faces/2008_002506.jpg");
  /* left, top, width, height from examples/faces/testing.xml */
  const double truth[3][4] = { { 329, 78, 109, 109 }, { 224, 95, 91, 91 }, { 125, 65, 90, 91 } };
  g_auto (Run) run = { 0 };
  g_auto (GStrv) lines = NULL;
  g_autoptr (JsonObject) obj = NULL;
  JsonArray *faces;

  run_cli (&run, "detect", photo, NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = stdout_lines (&run);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  obj = parse_line (lines[0]);
  g_assert_cmpstr (json_object_get_string_member (obj, "file"), ==, photo);
  g_assert_cmpint (json_object_get_int_member (obj, "frame"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj, "pts_ms"), ==, 0);
  faces = json_object_get_array_member (obj, "faces");
  g_assert_cmpuint (json_array_get_length (faces), ==, 3);

  for (guint t = 0; t < 3; t++)
    {
      double best = 0;

      for (guint i = 0; i < 3; i++)
        {
          JsonObject *f = json_array_get_object_element (faces, i);
          double score = json_object_get_double_member (f, "score");

          g_assert_cmpfloat (score, >, 0.65);
          g_assert_cmpfloat (score, <=, 1.0);
          best = MAX (best, iou (truth[t][0], truth[t][1], truth[t][2], truth[t][3],
                                 json_object_get_double_member (f, "x"),
                                 json_object_get_double_member (f, "y"),
                                 json_object_get_double_member (f, "w"),
                                 json_object_get_double_member (f, "h")));
        }
      g_assert_cmpfloat (best, >=, 0.5);
    }
}

static JsonArray *
truth_frames (JsonParser *parser)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "frames");
}

/* The sample video, every 25th frame: each line is that frame (number and time), and the
 * faces it reports are where the ground truth says people are in THAT frame. */
static void
test_detect_video (void)
{
  g_autoptr (JsonParser) truth_parser = json_parser_new ();
  JsonArray *truth = truth_frames (truth_parser);
  const char *video = g_getenv ("ATTEST_SAMPLE_VIDEO");
  g_auto (Run) run = { 0 };
  g_auto (GStrv) lines = NULL;
  guint expected = 0, found = 0, detections = 0, on_a_face = 0;
  gint64 last_frame = -1;

  run_cli (&run, "detect", "--every", "25", video, NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = stdout_lines (&run);
  g_assert_cmpuint (g_strv_length (lines), ==, (json_array_get_length (truth) + 24) / 25);

  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_autoptr (JsonObject) obj = parse_line (lines[l]);
      gint64 frame = json_object_get_int_member (obj, "frame");
      JsonObject *tf = json_array_get_object_element (truth, frame);
      JsonArray *tfaces = json_object_get_array_member (tf, "faces");
      JsonArray *faces = json_object_get_array_member (obj, "faces");

      g_assert_cmpint (frame, ==, (gint64) l * 25);
      g_assert_cmpint (frame, >, last_frame);
      last_frame = frame;
      g_assert_cmpint (json_object_get_int_member (obj, "pts_ms"), ==,
                       json_object_get_int_member (tf, "pts_ms"));

      /* Recall: every whole face at least 40 px wide is found. */
      for (guint t = 0; t < json_array_get_length (tfaces); t++)
        {
          JsonObject *tb = json_array_get_object_element (tfaces, t);
          double best = 0;

          if (json_object_get_double_member (tb, "visible") < 1.0 ||
              json_object_get_double_member (tb, "w") < 40)
            continue;
          expected++;
          for (guint i = 0; i < json_array_get_length (faces); i++)
            {
              JsonObject *f = json_array_get_object_element (faces, i);
              best = MAX (best, iou (json_object_get_double_member (tb, "x"),
                                     json_object_get_double_member (tb, "y"),
                                     json_object_get_double_member (tb, "w"),
                                     json_object_get_double_member (tb, "h"),
                                     json_object_get_double_member (f, "x"),
                                     json_object_get_double_member (f, "y"),
                                     json_object_get_double_member (f, "w"),
                                     json_object_get_double_member (f, "h")));
            }
          if (best >= 0.3)
            found++;
          else
            g_test_message ("frame %" G_GINT64_FORMAT ": %s not found (best IoU %.2f)", frame,
                            json_object_get_string_member (tb, "id"), best);
        }

      /* Precision: every box lies on some face of this frame (partly visible ones count). */
      for (guint i = 0; i < json_array_get_length (faces); i++)
        {
          JsonObject *f = json_array_get_object_element (faces, i);
          double best = 0;

          detections++;
          for (guint t = 0; t < json_array_get_length (tfaces); t++)
            {
              JsonObject *tb = json_array_get_object_element (tfaces, t);
              best = MAX (best, iou (json_object_get_double_member (tb, "x"),
                                     json_object_get_double_member (tb, "y"),
                                     json_object_get_double_member (tb, "w"),
                                     json_object_get_double_member (tb, "h"),
                                     json_object_get_double_member (f, "x"),
                                     json_object_get_double_member (f, "y"),
                                     json_object_get_double_member (f, "w"),
                                     json_object_get_double_member (f, "h")));
            }
          if (best >= 0.2)
            on_a_face++;
          else
            g_test_message ("frame %" G_GINT64_FORMAT ": box at %.0f,%.0f is on no face", frame,
                            json_object_get_double_member (f, "x"), json_object_get_double_member (f, "y"));
        }
    }
  g_test_message ("found %u of %u whole faces; %u of %u boxes on a face", found, expected,
                  on_a_face, detections);
  g_assert_cmpuint (expected, >, 10);
  g_assert_cmpuint (found, ==, expected);
  g_assert_cmpuint (on_a_face, ==, detections);
}

static char *
write_temp (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

/* Bad files: one clear stderr line naming the file, exit 1, the good file still processed. */
static void
test_detect_bad_input (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *text = write_temp (dir, "notes.mp4", "this is not a video\n", -1);
  g_autofree char *empty = write_temp (dir, "empty.mp4", "", 0);
  g_autofree char *missing = g_build_filename (dir, "missing.mp4", NULL);
  g_autofree char *photo = dlib_path ("faces/2008_002506.jpg");
  const char *bad[] = { text, empty, missing };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto (Run) run = { 0 };
      g_autofree char *base = g_path_get_basename (bad[i]);

      run_cli (&run, "detect", bad[i], NULL);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_nonnull (strstr (run.err, base));
      g_assert_true (g_str_has_prefix (run.err, "attest-cli: "));
      g_assert_nonnull (strchr (run.err, '\n'));
      g_assert_cmpstr (strchr (run.err, '\n') + 1, ==, "");
    }

  {
    g_auto (Run) run = { 0 };
    g_auto (GStrv) lines = NULL;

    run_cli (&run, "detect", text, photo, NULL);
    g_assert_cmpint (run.status, ==, 1);
    lines = stdout_lines (&run);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
  }

  g_remove (text);
  g_remove (empty);
  g_rmdir (dir);
}

/* Missing models: the message names the file and the command that fetches it. */
static void
test_missing_models (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *photo = dlib_path ("faces/2008_002506.jpg");
  g_auto (Run) run = { 0 };

  run_cli (&run, "--models", dir, "detect", photo, NULL);
  g_assert_cmpint (run.status, ==, 3);
  g_assert_nonnull (strstr (run.err, "fr_detect.onnx"));
  g_assert_nonnull (strstr (run.err, "fetch-models.sh"));
  g_rmdir (dir);
}

static void
test_usage (void)
{
  g_auto (Run) none = { 0 };
  g_auto (Run) unknown = { 0 };
  g_auto (Run) no_file = { 0 };

  run_cli (&none, NULL, NULL);
  g_assert_cmpint (none.status, ==, 2);
  g_assert_nonnull (strstr (none.err, "detect"));
  g_assert_nonnull (strstr (none.err, "enrol"));
  g_assert_nonnull (strstr (none.err, "import"));
  g_assert_nonnull (strstr (none.err, "identify"));
  run_cli (&unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));
  run_cli (&no_file, "detect", NULL);
  g_assert_cmpint (no_file.status, ==, 2);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

/* verify-audit only reads: on a path with no gallery it says so and makes none; on a new
 * gallery it is intact with 0 entries; a file that is not a gallery is refused and left
 * unchanged. */
static void
test_verify_audit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *text = write_temp (dir, "notes.db", "not a database at all\n", -1);
  g_autofree char *before = file_sha256 (text);
  g_autofree char *after = NULL;
  g_auto (Run) fresh = { 0 };
  g_auto (Run) missing = { 0 };
  g_auto (Run) made = { 0 };
  g_auto (Run) refused = { 0 };

  run_cli (&missing, "--database", db, "verify-audit", NULL);
  g_assert_cmpint (missing.status, ==, 3);
  g_assert_nonnull (strstr (missing.err, "was not found"));
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));

  /* A command that writes makes the gallery (an import of an empty folder). */
  {
    g_autofree char *people = g_build_filename (dir, "people", NULL);

    g_assert_cmpint (g_mkdir (people, 0700), ==, 0);
    run_cli (&made, "--database", db, "import", people, "--basis", "none yet", NULL);
    g_test_message ("import of nothing: %d %s", made.status, made.err);
    g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  }
  run_cli (&fresh, "--database", db, "verify-audit", NULL);
  g_assert_cmpint (fresh.status, ==, 0);
  g_assert_true (g_str_has_prefix (fresh.out, "{\"intact\":true,\"entries\":0,\"matches\":0,"
                                              "\"key_id\":\""));
  g_assert_nonnull (strstr (fresh.out, "\"this_key\":0,\"before_keys\":0,\"other_keys\":0,"));

  run_cli (&refused, "verify-audit", "--database", text, NULL);
  g_assert_cmpint (refused.status, ==, 3);
  g_assert_nonnull (strstr (refused.err, "notes.db"));
  after = file_sha256 (text);
  g_assert_cmpstr (before, ==, after);

  {
    g_autoptr (GFile) gdir = g_file_new_for_path (dir);
    g_autoptr (GFileEnumerator) children = g_file_enumerate_children (gdir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                      G_FILE_QUERY_INFO_NONE, NULL, NULL);
    GFileInfo *info;

    while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autofree char *child = g_build_filename (dir, g_file_info_get_name (info), NULL);
        g_remove (child);
        g_object_unref (info);
      }
  }
  g_rmdir (dir);
}

/* ---- enrol, import, identify ---- */

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

static void
copy_into (const char *dir,
           const char *name,
           const char *from)
{
  g_autoptr (GFile) src = g_file_new_for_path (from);
  g_autofree char *to = g_build_filename (dir, name, NULL);
  g_autoptr (GFile) dst = g_file_new_for_path (to);
  g_autoptr (GError) error = NULL;

  g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* One enrol/import line: its keys are exactly the documented ones. */
static JsonObject *
parse_import_line (const char *line,
                   const char *file,
                   const char *status,
                   const char *reason,
                   const char *identity)
{
  JsonObject *obj = parse_line (line);

  g_assert_cmpuint (json_object_get_size (obj), ==, 5);
  if (file != NULL)
    g_assert_cmpstr (json_object_get_string_member (obj, "file"), ==, file);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (obj, "reason"), ==, reason);
  g_assert_cmpstr (json_object_get_string_member (obj, "identity"), ==, identity);
  g_assert_true (json_object_has_member (obj, "face_id"));
  return obj;
}

static AttestStore *
open_store (const char *path)
{
  g_autoptr (GError) error = NULL;
  AttestStore *store = attest_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* enrol: one line per image, skipped images with their reason; exit 1 only for a file that
 * cannot be read; usage errors write nothing. */
static void
test_enrol (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *a = dlib_path ("johns/John_Simm/000288_00470387.jpg");
  g_autofree char *b = dlib_path ("johns/John_Simm/000297_00470170.jpg");
  g_autofree char *group = dlib_path ("faces/2008_002506.jpg");
  g_autofree char *text = write_temp (dir, "x.jpg", "not a photo\n", -1);
  g_autofree char *missing = g_build_filename (dir, "missing.jpg", NULL);
  gint64 first_id;

  {
    g_auto (Run) no_basis = { 0 };
    g_auto (Run) blank_basis = { 0 };
    g_auto (Run) no_identity = { 0 };
    g_auto (Run) no_image = { 0 };

    run_cli (&no_basis, "--database", db, "enrol", "--identity", "John Simm", a, NULL);
    g_assert_cmpint (no_basis.status, ==, 2);
    g_assert_nonnull (strstr (no_basis.err, "--basis is required"));
    run_cli (&blank_basis, "--database", db, "enrol", "--identity", "John Simm", "--basis", " ",
             a, NULL);
    g_assert_cmpint (blank_basis.status, ==, 2);
    run_cli (&no_identity, "--database", db, "enrol", "--basis", "TV credits", a, NULL);
    g_assert_cmpint (no_identity.status, ==, 2);
    g_assert_nonnull (strstr (no_identity.err, "--identity"));
    run_cli (&no_image, "--database", db, "enrol", "--basis", "TV credits",
             "--identity", "John Simm", NULL);
    g_assert_cmpint (no_image.status, ==, 2);
    g_assert_cmpstr (no_basis.out, ==, "");
    /* Refused before the gallery was touched. */
    g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  }

  {
    g_auto (Run) run = { 0 };
    g_auto (GStrv) lines = NULL;
    g_autoptr (JsonObject) l0 = NULL;
    g_autoptr (JsonObject) l1 = NULL;
    g_autoptr (JsonObject) l2 = NULL;
    g_autoptr (JsonObject) l3 = NULL;

    run_cli (&run, "--database", db, "enrol", "--identity", "John Simm", "--basis", "TV credits",
             "--reviewer", "Reviewer Rita", a, b, group, text, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.err, ==, "");
    lines = stdout_lines (&run);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    l0 = parse_import_line (lines[0], a, "enrolled", "", "John Simm");
    l1 = parse_import_line (lines[1], b, "enrolled", "", "John Simm");
    l2 = parse_import_line (lines[2], group, "skipped", "several faces (3)", "John Simm");
    l3 = parse_import_line (lines[3], text, "skipped", "not an image", "John Simm");
    first_id = json_object_get_int_member (l0, "face_id");
    g_assert_cmpint (first_id, >, 0);
    g_assert_cmpint (json_object_get_int_member (l1, "face_id"), >, first_id);
    g_assert_true (json_object_get_null_member (l2, "face_id"));
    g_assert_true (json_object_get_null_member (l3, "face_id"));
  }

  /* Again, with a missing file: "already enrolled" naming the first face; the missing file
   * has its line, a stderr line, and exit 1. Default reviewer: the user's name. */
  {
    g_auto (Run) run = { 0 };
    g_auto (GStrv) lines = NULL;
    g_autoptr (JsonObject) l0 = NULL;
    g_autoptr (JsonObject) l1 = NULL;
    g_autoptr (JsonObject) l2 = NULL;
    g_autoptr (AttestStore) store = NULL;
    g_autoptr (AttestFace) face = NULL;
    g_autoptr (AttestFace) newest = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *c = dlib_path ("johns/John_Simm/000300_00470148.jpg");
    const char *real = g_get_real_name ();

    run_cli (&run, "--database", db, "enrol", "--identity", "john simm", "--basis", "TV credits",
             a, missing, c, NULL);
    g_assert_cmpint (run.status, ==, 1);
    lines = stdout_lines (&run);
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    l0 = parse_import_line (lines[0], a, "skipped", "already enrolled", "John Simm");
    g_assert_cmpint (json_object_get_int_member (l0, "face_id"), ==, first_id);
    l1 = parse_import_line (lines[1], missing, "skipped", "could not be read: no such file",
                            "John Simm");
    g_assert_true (json_object_get_null_member (l1, "face_id"));
    l2 = parse_import_line (lines[2], c, "enrolled", "", "John Simm");
    g_assert_true (g_str_has_prefix (run.err, "attest-cli: "));
    g_assert_nonnull (strstr (run.err, "missing.jpg"));
    g_assert_cmpstr (strchr (run.err, '\n') + 1, ==, "");

    store = open_store (db);
    g_assert_cmpint (attest_store_count_identities (store, NULL), ==, 1);
    g_assert_cmpint (attest_store_count_faces (store, NULL), ==, 3);
    face = attest_store_get_face (store, first_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (attest_face_get_enrolled_by (face), ==, "Reviewer Rita");
    g_assert_cmpstr (attest_face_get_basis (face), ==, "TV credits");
    newest = attest_store_get_face (store, json_object_get_int_member (l2, "face_id"), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (attest_face_get_enrolled_by (newest), ==,
                     real != NULL && real[0] != '\0' && !g_str_equal (real, "Unknown")
                     ? real : g_get_user_name ());
  }

  {
    g_auto (Run) audit = { 0 };

    run_cli (&audit, "--database", db, "verify-audit", NULL);
    g_assert_cmpint (audit.status, ==, 0);
    g_assert_true (g_str_has_prefix (audit.out, "{\"intact\":true,\"entries\":3,\"matches\":0,"));
  /* Every entry authenticated by this installation's key. */
  g_assert_nonnull (strstr (audit.out, "\"this_key\":3,\"before_keys\":0,\"other_keys\":0,"));
  }
  rm_rf (dir);
}

static double
member_double (JsonObject *obj,
               const char *name)
{
  return json_node_get_double (json_object_get_member (obj, name));
}

/* The candidates of an identify line's i-th face. */
static JsonArray *
face_candidates (JsonObject *line,
                 guint       i)
{
  JsonArray *faces = json_object_get_array_member (line, "faces");

  return json_object_get_array_member (json_array_get_object_element (faces, i), "candidates");
}

static const char *
candidate_identity (JsonArray *candidates,
                    guint      i)
{
  return json_object_get_string_member (json_array_get_object_element (candidates, i), "identity");
}

/* import a folder tree, then identify photos against it. */
static void
test_import_identify (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *people = g_build_filename (dir, "people", NULL);
  g_autofree char *flat = g_build_filename (dir, "flat", NULL);
  g_autofree char *johns = dlib_path ("johns");
  const char *names[] = {
    "John_Salley", "John_Savage", "John_Schneider", "John_Shimkus", "John_Simm"
  };
  g_autofree char *probe = dlib_path ("johns/John_Simm/000310_00470511.jpg");
  g_autofree char *dogs = dlib_path ("faces/dogs.jpg");
  g_autofree char *group = dlib_path ("faces/2008_002506.jpg");
  g_autofree char *tiny = g_build_filename (dir, "tiny.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.jpg", NULL);

  /* Two photos of each person, plus one photo beside the person folders. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *src_dir = g_build_filename (johns, names[i], NULL);
      g_autofree char *dst_dir = g_build_filename (people, names[i], NULL);
      g_autoptr (GDir) d = g_dir_open (src_dir, 0, NULL);
      g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while ((name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (files, g_strdup (name));
      g_ptr_array_sort (files, compare_file_names);
      g_assert_cmpint (g_mkdir_with_parents (dst_dir, 0700), ==, 0);
      for (guint j = 0; j < 2; j++)
        {
          g_autofree char *src = g_build_filename (src_dir, g_ptr_array_index (files, j), NULL);
          copy_into (dst_dir, g_ptr_array_index (files, j), src);
        }
    }
  copy_into (people, "loose.jpg", probe);
  g_assert_cmpint (g_mkdir (flat, 0700), ==, 0);
  copy_into (flat, "a.jpg", probe);

  {
    g_auto (Run) no_basis = { 0 };
    g_auto (Run) two = { 0 };

    run_cli (&no_basis, "--database", db, "import", people, NULL);
    g_assert_cmpint (no_basis.status, ==, 2);
    g_assert_nonnull (strstr (no_basis.err, "--basis"));
    run_cli (&two, "--database", db, "import", "--basis", "x", people, flat, NULL);
    g_assert_cmpint (two.status, ==, 2);
  }

  /* Identify against an empty gallery: faces, no candidates, a note on stderr. */
  {
    g_auto (Run) run = { 0 };
    g_auto (GStrv) lines = NULL;
    g_autoptr (JsonObject) obj = NULL;
    JsonArray *faces;

    run_cli (&run, "--database", db, "identify", "--all", probe, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.err, "no faces to compare with"));
    lines = stdout_lines (&run);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
    obj = parse_line (lines[0]);
    faces = json_object_get_array_member (obj, "faces");
    g_assert_cmpuint (json_array_get_length (faces), ==, 1);
    g_assert_cmpuint (json_array_get_length (face_candidates (obj, 0)), ==, 0);
  }

  {
    g_auto (Run) run = { 0 };
    g_auto (GStrv) lines = NULL;
    guint enrolled = 0;

    run_cli (&run, "--database", db, "import", "--basis", "dlib examples, by folder",
             "--reviewer", "Reviewer Rita", people, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.err, ==, "");
    lines = stdout_lines (&run);
    g_assert_cmpuint (g_strv_length (lines), ==, 11);
    {
      g_autofree char *loose = g_build_filename (people, "loose.jpg", NULL);
      g_autoptr (JsonObject) obj = parse_import_line (lines[0], loose, "skipped",
                                                      "not in a person’s folder", "");

      g_assert_true (json_object_get_null_member (obj, "face_id"));
    }
    for (guint i = 1; i < 11; i++)
      {
        g_autoptr (JsonObject) obj = parse_import_line (lines[i], NULL, "enrolled", "",
                                                        names[(i - 1) / 2]);
        g_autofree char *prefix = g_build_filename (people, names[(i - 1) / 2], "", NULL);

        g_assert_true (g_str_has_prefix (json_object_get_string_member (obj, "file"), prefix));
        g_assert_cmpint (json_object_get_int_member (obj, "face_id"), ==, i);
        enrolled++;
      }
    g_assert_cmpuint (enrolled, ==, 10);

    /* When attest-cli exits, the database file alone holds what it wrote (nothing is left
     * only in the write-ahead log): a copy of gallery.db is the whole gallery. */
    {
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      GStatBuf st;

      g_assert_true (g_stat (wal, &st) != 0 || st.st_size == 0);
    }
  }

  {
    g_auto (Run) run = { 0 };

    run_cli (&run, "--database", db, "import", "--basis", "x", flat, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_nonnull (strstr (run.err, "has no sub-folders: put each person’s photos in a folder "
                                       "named after them"));
  }

  /* A face too small to compare: a 36 px crop of a photo. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (AttestVision) vision = attest_vision_new (NULL, &error);
    g_autoptr (AttestImage) image = NULL;
    g_autoptr (GBytes) png = NULL;
    AttestBox box;
    const AttestImageView *view;

    g_assert_no_error (error);
    image = attest_image_load (probe, &error);
    g_assert_no_error (error);
    view = attest_image_get_view (image);
    /* The whole photo is the face: crop around its centre. */
    box = (AttestBox) { view->width * 0.2f, view->height * 0.2f,
                        view->width * 0.6f, view->height * 0.6f, 1 };
    png = attest_image_crop_png (view, &box, 36, &error);
    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (tiny, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                        NULL));
  }

  {
    g_auto (Run) run = { 0 };
    g_auto (GStrv) lines = NULL;
    g_autoptr (JsonObject) simm = NULL;
    g_autoptr (JsonObject) dog = NULL;
    g_autoptr (JsonObject) three = NULL;
    g_autoptr (JsonObject) small = NULL;
    JsonArray *faces, *candidates;
    JsonObject *face;

    run_cli (&run, "--database", db, "identify", probe, missing, dogs, group, tiny, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "missing.jpg"));
    g_assert_cmpstr (strchr (run.err, '\n') + 1, ==, "");
    lines = stdout_lines (&run);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);

    simm = parse_line (lines[0]);
    g_assert_cmpstr (json_object_get_string_member (simm, "file"), ==, probe);
    faces = json_object_get_array_member (simm, "faces");
    g_assert_cmpuint (json_array_get_length (faces), ==, 1);
    face = json_array_get_object_element (faces, 0);
    g_assert_cmpuint (json_object_get_size (face), ==, 6);
    g_assert_cmpstr (json_object_get_string_member (face, "quality"), ==, "ok");
    g_assert_cmpfloat (member_double (face, "w"), >, 60);
    g_assert_cmpfloat (member_double (face, "x") + member_double (face, "w") / 2, >, 40);
    g_assert_cmpfloat (member_double (face, "x") + member_double (face, "w") / 2, <, 110);
    candidates = json_object_get_array_member (face, "candidates");
    g_assert_cmpuint (json_array_get_length (candidates), >=, 1);
    g_assert_cmpstr (candidate_identity (candidates, 0), ==, "John_Simm");
    for (guint i = 0; i < json_array_get_length (candidates); i++)
      {
        JsonObject *c = json_array_get_object_element (candidates, i);

        g_assert_cmpuint (json_object_get_size (c), ==, 2);
        g_assert_cmpfloat (member_double (c, "score"), >=, 0.45);
        g_assert_cmpfloat (member_double (c, "score"), <=, 1.0);
      }

    dog = parse_line (lines[1]);
    g_assert_cmpstr (json_object_get_string_member (dog, "file"), ==, dogs);
    faces = json_object_get_array_member (dog, "faces");
    for (guint i = 0; i < json_array_get_length (faces); i++)
      g_assert_cmpuint (json_array_get_length (face_candidates (dog, i)), ==, 0);

    three = parse_line (lines[2]);
    faces = json_object_get_array_member (three, "faces");
    g_assert_cmpuint (json_array_get_length (faces), ==, 3);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpuint (json_array_get_length (face_candidates (three, i)), ==, 0);

    small = parse_line (lines[3]);
    faces = json_object_get_array_member (small, "faces");
    g_test_message ("tiny.png: %s", lines[3]);
    /* Found (in the padded copy) but too small to compare: the reason, no candidates. */
    g_assert_cmpuint (json_array_get_length (faces), ==, 1);
    face = json_array_get_object_element (faces, 0);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (face, "quality"),
                                     "face too small ("));
    g_assert_cmpuint (json_array_get_length (face_candidates (small, 0)), ==, 0);
  }

  /* --all: the top K whatever the score, best first; --threshold raises the bar. */
  {
    g_auto (Run) all = { 0 };
    g_auto (Run) strict = { 0 };
    g_autoptr (JsonObject) obj = NULL;
    g_autoptr (JsonObject) strict_obj = NULL;
    JsonArray *candidates;
    double last = 2.0;

    run_cli (&all, "--database", db, "identify", "--all", "--top", "3", probe, NULL);
    g_assert_cmpint (all.status, ==, 0);
    obj = parse_line (all.out);
    candidates = face_candidates (obj, 0);
    g_assert_cmpuint (json_array_get_length (candidates), ==, 3);
    g_assert_cmpstr (candidate_identity (candidates, 0), ==, "John_Simm");
    for (guint i = 0; i < 3; i++)
      {
        double score = member_double (json_array_get_object_element (candidates, i), "score");

        g_assert_cmpfloat (score, <=, last);
        last = score;
      }
    g_assert_cmpfloat (last, <, 0.45);

    run_cli (&strict, "--database", db, "identify", "--threshold", "0.999", probe, NULL);
    g_assert_cmpint (strict.status, ==, 0);
    strict_obj = parse_line (strict.out);
    g_assert_cmpuint (json_array_get_length (face_candidates (strict_obj, 0)), ==, 0);
  }

  {
    g_auto (Run) top0 = { 0 };
    g_auto (Run) bad_threshold = { 0 };
    g_auto (Run) none = { 0 };

    run_cli (&top0, "--database", db, "identify", "--top", "0", probe, NULL);
    g_assert_cmpint (top0.status, ==, 2);
    run_cli (&bad_threshold, "--database", db, "identify", "--threshold", "1.5", probe, NULL);
    g_assert_cmpint (bad_threshold.status, ==, 2);
    run_cli (&none, "--database", db, "identify", NULL);
    g_assert_cmpint (none.status, ==, 2);
  }

  /* A new person whose name only looks like someone's already there: enrolled, and said. */
  {
    g_auto (Run) run = { 0 };
    g_autoptr (JsonObject) obj = NULL;

    run_cli (&run, "--database", db, "enrol", "--identity", "john  salley", "--basis", "x",
             probe, NULL);
    g_assert_cmpint (run.status, ==, 0);
    obj = parse_line (run.out);
    g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "enrolled");
    g_assert_cmpstr (json_object_get_string_member (obj, "identity"), ==, "john salley");
    g_assert_nonnull (strstr (json_object_get_string_member (obj, "warning"), "“John_Salley”"));
    g_assert_nonnull (strstr (run.err, "looks like “John_Salley”"));
  }
  rm_rf (dir);
}

/* verify-audit after real enrolments is intact; after a row of `audit` is edited with the
 * sqlite3 tool (its append-only triggers dropped first, as a tamperer would), it exits 1 and
 * names the first bad entry. */
static void
test_verify_audit_tampered (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *photo1 = dlib_path ("johns/John_Simm/000288_00470387.jpg");
  g_autofree char *photo2 = dlib_path ("johns/John_Simm/000297_00470170.jpg");
  g_autofree char *photo3 = dlib_path ("johns/John_Simm/000300_00470148.jpg");
  const char *tamper = "UPDATE audit SET actor = 'Someone Else' WHERE id = 2;";
  g_autofree char *sqlite_out = NULL, *sqlite_err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Run) enrol = { 0 };
  g_auto (Run) intact = { 0 };
  g_auto (Run) broken = { 0 };
  int wait_status = 0;

  run_cli (&enrol, "--database", db, "enrol", "--identity", "John Simm", "--basis", "test photos",
           "--reviewer", "Test Reviewer", photo1, photo2, photo3, NULL);
  g_assert_cmpint (enrol.status, ==, 0);

  run_cli (&intact, "--database", db, "verify-audit", NULL);
  g_assert_cmpint (intact.status, ==, 0);
  g_assert_true (g_str_has_prefix (intact.out, "{\"intact\":true,\"entries\":3,\"matches\":0,"));
  /* Every entry authenticated by this installation's key. */
  g_assert_nonnull (strstr (intact.out, "\"this_key\":3,\"before_keys\":0,\"other_keys\":0,"));

  /* Drop whatever UPDATE triggers the schema has, then edit entry 2. */
  {
    const char *argv[] = { "sqlite3", db,
                           "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master"
                           " WHERE type = 'trigger' AND tbl_name = 'audit';", NULL };
    g_autofree char *drops = NULL;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &drops, NULL,
                  &wait_status, &error);
    g_assert_no_error (error);
    {
      g_autofree char *script = g_strconcat (drops, tamper, NULL);
      const char *argv2[] = { "sqlite3", db, script, NULL };

      g_spawn_sync (NULL, (char **) argv2, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &sqlite_out,
                    &sqlite_err, &wait_status, &error);
      g_assert_no_error (error);
      g_test_message ("sqlite3: %s%s", sqlite_out, sqlite_err);
      g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
    }
  }

  run_cli (&broken, "--database", db, "verify-audit", NULL);
  g_assert_cmpint (broken.status, ==, 1);
  g_assert_cmpstr (broken.out, ==, "{\"intact\":false,\"first_bad_entry\":2}\n");
  g_assert_nonnull (strstr (broken.err, "entry 2"));

  rm_rf (dir);
}

/* scan: one line per pending item created, exactly the documented keys in order, the same
 * items as the store then holds; a second scan of the file adds nothing; a file that cannot
 * be read is one stderr line and exit 1; never a match. */
static void
test_scan (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *people = g_build_filename (dir, "people", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.mp4", NULL);
  const char *video = g_getenv ("ATTEST_SAMPLE_VIDEO");
  SampleTruth *truth = sample_truth_load ();
  g_autoptr (GRegex) format = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpuint (sample_gallery_folder (truth, people, NULL), >=, 10);
  {
    g_auto (Run) run = { 0 };

    run_cli (&run, "--database", db, "import", "--basis", "dlib examples, by folder", people,
             NULL);
    g_assert_cmpint (run.status, ==, 0);
  }

  {
    g_auto (Run) usage = { 0 };

    run_cli (&usage, "--database", db, "scan", "--every", "0", video, NULL);
    g_assert_cmpint (usage.status, ==, 2);
    g_assert_cmpstr (usage.out, ==, "");
  }

  /* {"item": N, "file": "…", "start_ms": T0, "end_ms": T1, "candidates": [{"identity": "…",
   * "score": S}]} */
  format = g_regex_new ("^\\{\"item\": [0-9]+, \"file\": \"[^\"]+\", \"start_ms\": [0-9]+, "
                        "\"end_ms\": [0-9]+, \"candidates\": \\[(\\{\"identity\": \"[^\"]+\", "
                        "\"score\": [0-9.]+\\}(, )?)+\\]\\}$", 0, 0, &error);
  g_assert_no_error (error);
  {
    g_auto (Run) run = { 0 };
    g_autoptr (AttestStore) store = NULL;
    g_autoptr (GPtrArray) items = NULL;

    run_cli (&run, "--database", db, "scan", video, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.err, ==, "");
    lines = stdout_lines (&run);

    store = open_store (db);
    items = attest_store_list_review_items (store, "pending", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (lines), ==, items->len);
    g_assert_cmpuint (items->len, >=, 10);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autoptr (JsonObject) obj = NULL;
        AttestReviewItem *item = g_ptr_array_index (items, i);
        JsonArray *candidates;
        g_autoptr (GList) members = NULL;
        const char *keys[] = { "item", "file", "start_ms", "end_ms", "candidates" };
        guint k = 0;

        g_test_message ("%s", lines[i]);
        g_assert_true (g_regex_match (format, lines[i], 0, NULL));
        obj = parse_line (lines[i]);
        members = json_object_get_members (obj);
        g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (keys));
        for (GList *l = members; l != NULL; l = l->next)
          g_assert_cmpstr (l->data, ==, keys[k++]);

        /* Items are listed as they are created: oldest first, as the store lists them. */
        g_assert_cmpint (json_object_get_int_member (obj, "item"), ==, item->id);
        g_assert_cmpstr (json_object_get_string_member (obj, "file"), ==, video);
        g_assert_cmpint (json_object_get_int_member (obj, "start_ms"), ==, item->start_ms);
        g_assert_cmpint (json_object_get_int_member (obj, "end_ms"), ==, item->end_ms);
        candidates = json_object_get_array_member (obj, "candidates");
        g_assert_cmpuint (json_array_get_length (candidates), ==, item->n_candidates);
        for (guint c = 0; c < item->n_candidates; c++)
          {
            JsonObject *cand = json_array_get_object_element (candidates, c);
            double score = json_object_get_double_member (cand, "score");

            g_assert_cmpstr (json_object_get_string_member (cand, "identity"), ==,
                             item->candidates[c].name);
            g_assert_cmpfloat_with_epsilon (score, item->candidates[c].score, 0.00006);
            g_assert_cmpfloat (score, >=, 0.45);
            if (c > 0)
              g_assert_cmpfloat (score, <=, json_object_get_double_member (
                                   json_array_get_object_element (candidates, c - 1), "score"));
          }
      }
  }
  g_assert_cmpint (g_strv_length (lines), >=, 10);

  /* Again: the file is done, nothing is printed or added; a missing file is exit 1. */
  {
    g_auto (Run) run = { 0 };
    g_autoptr (AttestStore) store = NULL;
    g_autoptr (GPtrArray) items = NULL;

    run_cli (&run, "--database", db, "scan", missing, video, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_true (g_str_has_prefix (run.err, "attest-cli: "));
    g_assert_nonnull (strstr (run.err, "missing.mp4"));
    g_assert_cmpstr (strchr (run.err, '\n') + 1, ==, "");

    store = open_store (db);
    items = attest_store_list_review_items (store, NULL, &error);
    g_assert_cmpuint (items->len, ==, g_strv_length (lines));
  }
  {
    sqlite3 *handle = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (handle, "SELECT count (*) FROM matches", -1, &stmt,
                                         NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (handle);
  }

  sample_truth_free (truth);
  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/detect/image", test_detect_image);
  g_test_add_func ("/cli/detect/video", test_detect_video);
  g_test_add_func ("/cli/detect/bad-input", test_detect_bad_input);
  g_test_add_func ("/cli/detect/missing-models", test_missing_models);
  g_test_add_func ("/cli/verify-audit", test_verify_audit);
  g_test_add_func ("/cli/verify-audit/tampered", test_verify_audit_tampered);
  g_test_add_func ("/cli/enrol", test_enrol);
  g_test_add_func ("/cli/import-identify", test_import_identify);
  g_test_add_func ("/cli/scan", test_scan);
  return g_test_run ();
}
