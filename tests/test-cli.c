/* test-cli.c: attest-cli as a user runs it: the real binary, real photos, the real sample video. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct
{
  char *out;
  char *err;
  int   status;
} Run;

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

/* verify-audit on a new gallery is intact with 0 entries; a file that is not a gallery is
 * refused and left unchanged. */
static void
test_verify_audit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-cli-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *text = write_temp (dir, "notes.db", "not a database at all\n", -1);
  g_autofree char *before = file_sha256 (text);
  g_autofree char *after = NULL;
  g_auto (Run) fresh = { 0 };
  g_auto (Run) refused = { 0 };

  run_cli (&fresh, "--database", db, "verify-audit", NULL);
  g_assert_cmpint (fresh.status, ==, 0);
  g_assert_cmpstr (fresh.out, ==, "{\"intact\":true,\"entries\":0}\n");

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
  return g_test_run ();
}
