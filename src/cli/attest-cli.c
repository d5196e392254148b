/* attest-cli.c: the headless verbs of attest-cli. Same library, same code paths as the app.
 *
 * Output is one JSON object per line on stdout (machine-readable); problems are one line on
 * stderr. Exit status: 0 success, 1 a bad input file (the others were still processed),
 * 2 wrong usage, 3 the set-up is broken (models missing, database refused or failing).
 *
 * enrol / import print one line per image, enrolled or skipped with its reason (a skipped
 * image is a normal result: exit 0). Exit 1 only when a file or folder could not be read at
 * all (missing, no permission; its line says so too), a folder import finds no person
 * folders, or an import is interrupted (Ctrl+C stops between images; what was enrolled
 * stays). A file already enrolled for the identity is skipped with reason "already enrolled"
 * and the face_id of the face enrolled from it before; other skipped lines have face_id null.
 *
 * identify prints one line per readable image; an unreadable one is a stderr line and exit 1,
 * like detect. The threshold defaults to ATTEST_MATCHER_DEFAULT_THRESHOLD (0.45), the app's
 * default: the CLI does not read the app's settings, so pass --threshold to match a changed
 * one.
 *
 * export writes the evidence files (see attest-exporter.h) of every confirmed match, or of one
 * --source FILE, or of a time range (--from-ms / --to-ms, in each source or in that one), and
 * prints one line with the folder,
 * the number of matches and the files written; exit 1 when the folder cannot be written or
 * --source cannot be read, and then nothing is recorded as exported.
 *
 * scan fills the review queue from videos (attest-scanner.h) and prints one line per pending
 * item as it is created: {"item": N, "file": "…", "start_ms": T0, "end_ms": T1, "candidates":
 * [{"identity": "…", "score": S}]}. It never writes a match. Ctrl+C stops it cleanly; the next
 * scan of the same file goes on where it stopped. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "cli/attest-cli.h"
#include "cli/attest-cli-private.h"
#include "analysis/attest-analysis.h"
#include "media/attest-frame-reader.h"
#include "media/attest-media-error.h"
#include "review/attest-exporter.h"
#include "review/attest-export-check.h"
#include "review/attest-importer.h"
#include "analysis/attest-matcher.h"
#include "review/attest-scanner.h"
#include "review/attest-search.h"
#include "store/attest-gallery.h"
#include "store/attest-matches.h"
#include "store/attest-review.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

typedef struct
{
  const char         *name;
  const char         *args;
  const char         *summary;
  const GOptionEntry *entries;
  int               (*run) (Cli *cli, int argc, char **argv);
} Verb;

void
cli_error (const char *what,
           const char *message)
{
  if (what != NULL)
    g_printerr ("attest-cli: %s: %s\n", what, message);
  else
    g_printerr ("attest-cli: %s\n", message);
}

/* JSON text for a string (quoted, escaped by json-glib). */
void
append_json_string (GString    *out,
                    const char *value)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), value);
  g_autofree char *text = json_to_string (node, FALSE);

  g_string_append (out, text);
}

/* Numbers are written with the precision they carry (json-glib would print 17 digits). */
void
append_json_number (GString *out,
                    double   value,
                    int      decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
append_faces (GString         *out,
              const AttestBox *boxes,
              int              n_boxes)
{
  g_string_append (out, "\"faces\":[");
  for (int i = 0; i < n_boxes; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"x\":");
      append_json_number (out, boxes[i].x, 1);
      g_string_append (out, ",\"y\":");
      append_json_number (out, boxes[i].y, 1);
      g_string_append (out, ",\"w\":");
      append_json_number (out, boxes[i].w, 1);
      g_string_append (out, ",\"h\":");
      append_json_number (out, boxes[i].h, 1);
      g_string_append (out, ",\"score\":");
      append_json_number (out, boxes[i].score, 3);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

static void
print_frame_line (const char      *file,
                  guint64          frame,
                  GstClockTime     pts,
                  const AttestBox *boxes,
                  int              n_boxes)
{
  g_autoptr (GString) line = g_string_new ("{\"file\":");

  append_json_string (line, file);
  g_string_append_printf (line, ",\"frame\":%" G_GUINT64_FORMAT ",\"pts_ms\":%" G_GINT64_FORMAT ",",
                          frame,
                          GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) (pts / GST_MSECOND) : (gint64) 0);
  append_faces (line, boxes, n_boxes);
  g_string_append (line, "}\n");
  fputs (line->str, stdout);
  fflush (stdout);
}

gboolean
cli_load_vision (Cli *cli)
{
  g_autoptr (GError) error = NULL;

  if (cli->vision != NULL)
    return TRUE;
  cli->vision = attest_vision_new (cli->models, &error);
  if (cli->vision == NULL)
    {
      cli_error (NULL, error->message);
      return FALSE;
    }
  return TRUE;
}

/* Images go through the image decoder (frame 0); everything else through GStreamer. The
 * bytes decide, not the name: a video named "photo.png" is read as the video it is. */
static gboolean
is_image_file (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                                                  G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);
  g_autoptr (GFileInputStream) stream = NULL;
  g_autofree char *sniffed = NULL;
  guchar head[4096];
  gsize got = 0;
  const char *type;

  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return FALSE;
  type = g_file_info_get_content_type (info);
  if (type == NULL || !g_content_type_is_a (type, "image/*"))
    return FALSE;
  stream = g_file_read (file, NULL, NULL);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &got, NULL, NULL))
    return TRUE;
  sniffed = g_content_type_guess (NULL, head, got, NULL);
  return !(g_content_type_is_a (sniffed, "video/*") ||
           g_content_type_is_mime_type (sniffed, "application/mp4"));
}

static gboolean
detect_image (Cli        *cli,
              const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestImage) image = attest_image_load (path, &error);
  AttestBox boxes[MAX_FACES];
  int n;

  if (image == NULL)
    {
      cli_error (path, error->message);
      return FALSE;
    }
  n = attest_vision_detect (cli->vision, attest_image_get_view (image), boxes, MAX_FACES);
  print_frame_line (path, 0, 0, boxes, MIN (n, MAX_FACES));
  return TRUE;
}

static int every_nth = 1;

static gboolean
detect_video (Cli        *cli,
              const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, NULL, &error);
  AttestImageView frame;
  GstClockTime pts;
  guint64 number;

  if (reader == NULL)
    {
      cli_error (path, error->message);
      return FALSE;
    }
  while (attest_frame_reader_next (reader, &frame, &pts, &number, &error))
    {
      AttestBox boxes[MAX_FACES];
      int n;

      if (number % (guint64) every_nth != 0)
        continue;
      n = attest_vision_detect (cli->vision, &frame, boxes, MAX_FACES);
      print_frame_line (path, number, pts, boxes, MIN (n, MAX_FACES));
    }
  if (error != NULL)
    {
      cli_error (path, error->message);
      return FALSE;
    }
  return TRUE;
}

static const GOptionEntry detect_entries[] = {
  { "every", 'n', 0, G_OPTION_ARG_INT, &every_nth, N_("Analyse every Nth video frame (default 1)"), "N" },
  { NULL }
};

static int
cli_detect (Cli   *cli,
            int    argc,
            char **argv)
{
  int status = EXIT_OK;

  if (argc < 1)
    {
      cli_error ("detect", _("no file given"));
      return EXIT_USAGE;
    }
  if (every_nth < 1)
    {
      cli_error ("detect", _("--every must be 1 or more"));
      return EXIT_USAGE;
    }
  if (!cli_load_vision (cli))
    return EXIT_SETUP;

  for (int i = 0; i < argc; i++)
    {
      gboolean ok;

      if (!g_file_test (argv[i], G_FILE_TEST_EXISTS) && !gst_uri_is_valid (argv[i]))
        {
          cli_error (argv[i], _("no such file"));
          status = EXIT_BAD_INPUT;
          continue;
        }
      ok = is_image_file (argv[i]) ? detect_image (cli, argv[i]) : detect_video (cli, argv[i]);
      if (!ok)
        status = EXIT_BAD_INPUT;
    }
  return status;
}

/* ---- verify-audit ---- */

static gboolean
cli_open_store_full (Cli          *cli,
                     gboolean      read_only,
                     AttestStore **out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cli->database ? g_strdup (cli->database) : attest_store_default_path ();

  *out = read_only ? attest_store_open_read_only (path, &error) : attest_store_open (path, &error);
  if (*out == NULL)
    {
      cli_error (NULL, error->message);
      return FALSE;
    }
  g_set_object (&cli->store, *out);
  return TRUE;
}

gboolean
cli_open_store (Cli          *cli,
                AttestStore **out)
{
  return cli_open_store_full (cli, FALSE, out);
}

/* The search index and the identities' names from the gallery (a warning when it is empty).
 * FALSE when the gallery cannot be read. */
gboolean
cli_load_gallery (Cli            *cli,
                  AttestStore    *store,
                  AttestMatcher **matcher_out,
                  GHashTable    **names_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestMatcher) matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  g_autoptr (GListStore) identities = attest_store_list_identities (store, NULL, &error);
  g_autoptr (GHashTable) names = NULL;

  if (identities == NULL ||
      attest_matcher_load_from_store (matcher, store, attest_vision_get_model_id (cli->vision),
                                      &error) < 0)
    {
      cli_error (attest_store_get_path (store), error->message);
      return FALSE;
    }
  names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (identities)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (identities), i);

      g_hash_table_insert (names, g_memdup2 (&(gint64) { attest_identity_get_id (identity) },
                                             sizeof (gint64)),
                           g_strdup (attest_identity_get_name (identity)));
    }
  if (attest_matcher_get_n_faces (matcher) == 0)
    cli_error (attest_store_get_path (store),
               _("the gallery has no faces to compare with: enrol some first "
                 "(attest-cli enrol or attest-cli import)"));
  *matcher_out = g_steal_pointer (&matcher);
  *names_out = g_steal_pointer (&names);
  return TRUE;
}

static int
cli_verify_audit (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_auto (AttestAuditCheck) check = { 0 };
  guint n_matches = 0;
  gint64 first_bad = -1;

  /* Reading only: a gallery on read-only media, 0400, or being written by a scan. */
  if (!cli_open_store_full (cli, TRUE, &store))
    return EXIT_SETUP;
  if (!attest_store_check_audit (store, &check, &first_bad, &error))
    {
      g_print ("{\"intact\":false,\"first_bad_entry\":%" G_GINT64_FORMAT "}\n", first_bad);
      cli_error (attest_store_get_path (store), error->message);
      return EXIT_BAD_INPUT;
    }
  /* The chain holds the decisions; every match must say what its decision said. */
  problems = attest_store_verify_matches (store, &n_matches, &error);
  if (problems == NULL)
    {
      cli_error (attest_store_get_path (store), error->message);
      return EXIT_SETUP;
    }
  if (problems->len > 0)
    {
      g_autoptr (GString) line = g_string_new ("{\"intact\":false,\"matches_differ\":[");

      for (guint i = 0; i < problems->len; i++)
        {
          AttestMatchProblem *p = g_ptr_array_index (problems, i);

          g_string_append_printf (line, "%s{\"match\":%" G_GINT64_FORMAT ",\"entry\":", i > 0 ? "," : "",
                                  p->match_id);
          if (p->audit_id > 0)
            g_string_append_printf (line, "%" G_GINT64_FORMAT, p->audit_id);
          else
            g_string_append (line, "null");
          g_string_append (line, ",\"differs\":");
          append_json_string (line, p->differs);
          g_string_append_c (line, '}');
          cli_error (attest_store_get_path (store), p->message);
        }
      g_string_append (line, "]}\n");
      fputs (line->str, stdout);
      return EXIT_BAD_INPUT;
    }
  /* What the check could vouch for: entries from before keys and entries of another
   * installation chain, but no key here confirms them. */
  if (check.n_unkeyed > 0)
    {
      g_autofree char *note = g_strdup_printf (
        _("entries 1 to %" G_GUINT64_FORMAT " were written before this gallery had an "
          "installation key; they are sealed by entry %" G_GUINT64_FORMAT ", and only their "
          "hash chain vouches for them"), check.n_unkeyed, check.n_unkeyed + 1);
      cli_error (attest_store_get_path (store), note);
    }
  if (check.n_other_keys > 0)
    {
      g_autofree char *note = g_strdup_printf (
        _("%" G_GUINT64_FORMAT " entries were written by another installation; they chain, but "
          "only that installation's key can confirm them"), check.n_other_keys);
      cli_error (attest_store_get_path (store), note);
    }
  g_print ("{\"intact\":true,\"entries\":%" G_GUINT64_FORMAT ",\"matches\":%u,"
           "\"key_id\":%s%s%s,\"this_key\":%" G_GUINT64_FORMAT ","
           "\"before_keys\":%" G_GUINT64_FORMAT ",\"other_keys\":%" G_GUINT64_FORMAT ","
           "\"head\":\"%s\"}\n",
           check.n_entries, n_matches, check.key_id != NULL ? "\"" : "",
           check.key_id != NULL ? check.key_id : "null", check.key_id != NULL ? "\"" : "",
           check.n_this_key, check.n_unkeyed,
           check.n_other_keys, check.n_entries > 0 ? check.head : "");
  return EXIT_OK;
}

/* ---- verify-export ---- */

static int
cli_verify_export (Cli   *cli,
                   int    argc,
                   char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestKey) key = NULL;
  g_autoptr (AttestExportCheck) check = NULL;
  g_autofree char *key_path = attest_key_default_path ();
  g_autoptr (GString) line = NULL;

  if (argc != 1)
    {
      cli_error (NULL, _("verify-export needs one export folder"));
      return EXIT_USAGE;
    }
  /* Without this installation's key the export is still checked against the key it names. */
  key = attest_key_load (key_path, FALSE, NULL);
  check = attest_export_check (argv[0], key, &error);
  if (check == NULL)
    {
      cli_error (argv[0], error->message);
      return EXIT_BAD_INPUT;
    }

  line = g_string_new (NULL);
  g_string_append_printf (line, "{\"intact\":%s,\"files\":%u,\"entries\":%u,\"withheld\":%u,"
                          "\"matches\":%u,\"key_id\":",
                          check->intact ? "true" : "false", check->n_files, check->n_entries,
                          check->n_withheld, check->n_matches);
  if (check->key_id != NULL)
    append_json_string (line, check->key_id);
  else
    g_string_append (line, "null");
  g_string_append_printf (line, ",\"this_installation\":%s,\"head\":",
                          check->this_installation ? "true" : "false");
  if (check->head != NULL)
    append_json_string (line, check->head);
  else
    g_string_append (line, "null");
  g_string_append (line, ",\"problems\":[");
  for (guint i = 0; i < check->problems->len; i++)
    {
      if (i > 0)
        g_string_append_c (line, ',');
      append_json_string (line, g_ptr_array_index (check->problems, i));
      cli_error (argv[0], g_ptr_array_index (check->problems, i));
    }
  g_string_append (line, "]}\n");
  fputs (line->str, stdout);
  if (check->intact && !check->this_installation)
    cli_error (argv[0], _("the export verifies, but it was signed by another installation’s key: "
                          "compare its key id with the one its maker gives you"));
  return check->intact ? EXIT_OK : EXIT_BAD_INPUT;
}

/* ---- bench ---- */

static int bench_frames = 100;
static int bench_every = 5;

static const GOptionEntry bench_entries[] = {
  { "frames", 0, 0, G_OPTION_ARG_INT, &bench_frames, N_("Frames decoded into memory for the detector figures (default 100)"), "N" },
  { "every", 'n', 0, G_OPTION_ARG_INT, &bench_every, N_("Compare analysing every frame with every Nth (default 5)"), "N" },
  { NULL }
};

static double
seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}

/* Decodes the whole video, analysing every `every`-th frame (0: none). Returns the video
 * seconds analysed per wall-clock second. */
static double
bench_realtime_factor (Cli        *cli,
                       const char *path,
                       int         every,
                       guint      *n_faces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, NULL, &error);
  AttestImageView frame;
  GstClockTime pts, last_pts = 0;
  guint64 number;
  gint64 start;
  double wall;

  if (reader == NULL)
    return 0;
  *n_faces = 0;
  start = g_get_monotonic_time ();
  while (attest_frame_reader_next (reader, &frame, &pts, &number, NULL))
    {
      last_pts = pts;
      if (every > 0 && number % (guint64) every == 0)
        {
          AttestBox boxes[MAX_FACES];
          *n_faces += attest_vision_detect (cli->vision, &frame, boxes, MAX_FACES);
        }
    }
  wall = seconds_since (start);
  return wall > 0 ? (last_pts / (double) GST_SECOND) / wall : 0;
}

/* The user's gallery as a search index when there is one (only read), else an empty one. */
static AttestMatcher *
bench_gallery (Cli         *cli,
               GHashTable **names)
{
  g_autofree char *gallery = cli->database ? g_strdup (cli->database) : attest_store_default_path ();
  AttestMatcher *matcher = NULL;

  *names = NULL;
  /* Opening creates a database: only read a gallery that is there. */
  if (g_file_test (gallery, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr (AttestStore) user = attest_store_open (gallery, NULL);

      if (user != NULL && !cli_load_gallery (cli, user, &matcher, names))
        {
          g_clear_pointer (&matcher, attest_matcher_unref);
          g_clear_pointer (names, g_hash_table_unref);
        }
    }
  return matcher != NULL ? matcher : attest_matcher_new (ATTEST_EMBEDDING_DIM);
}

/* The per-frame step alone over every `every`th frame (what a scan does beside decoding and
 * writing): its costs per analysed frame, the identity checks apart. */
static gboolean
bench_analysis_step (Cli                 *cli,
                     const char          *path,
                     guint                every,
                     AttestAnalysisStats *stats)
{
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (AttestMatcher) matcher = bench_gallery (cli, &names);
  g_autoptr (AttestAnalysis) analysis = attest_analysis_new (cli->vision, ATTEST_ANALYSIS_DEFAULT);
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, NULL, NULL);
  AttestImageView frame;
  GstClockTime pts;
  guint64 number;

  if (reader == NULL)
    return FALSE;
  attest_analysis_set_gallery (analysis, matcher, names);
  while (attest_frame_reader_next (reader, &frame, &pts, &number, NULL))
    if (number % every == 0)
      attest_frame_result_free (attest_analysis_process (analysis, &frame, pts, number));
  g_ptr_array_unref (attest_analysis_reset (analysis));
  attest_analysis_get_stats (analysis, stats);
  return stats->frames > 0;
}

/* Scans the video as `attest-cli scan` does, into a temporary database (the user's gallery is
 * only read for its search index, when it exists). Returns scan wall time / video duration
 * (below 1: faster than playback), or -1. */
static double
bench_scan_ratio (Cli        *cli,
                  const char *path,
                  guint      *n_items,
                  guint      *n_faces)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("attest-bench-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestMatcher) matcher = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (AttestScanner) scanner = NULL;
  g_autoptr (AttestScanResult) result = NULL;
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  gint64 start;
  double wall;

  if (tmp == NULL)
    return -1;
  db = g_build_filename (tmp, "bench.db", NULL);
  matcher = bench_gallery (cli, &names);
  *n_faces = attest_matcher_get_n_faces (matcher);

  store = attest_store_open (db, &error);
  if (store != NULL)
    {
      scanner = attest_scanner_new (store, cli->vision, matcher, names);
      start = g_get_monotonic_time ();
      result = attest_scanner_scan (scanner, file, NULL, &error);
      wall = seconds_since (start);
    }
  g_clear_object (&scanner);
  g_clear_object (&store);
  for (guint i = 0; i < 3; i++)
    {
      const char *suffix[] = { "", "-wal", "-shm" };
      g_autofree char *side = g_strconcat (db, suffix[i], NULL);

      g_unlink (side);
    }
  g_rmdir (tmp);
  if (result == NULL || result->duration_ms <= 0)
    {
      cli_error (path, error != NULL ? error->message : _("the scan gave no duration"));
      return -1;
    }
  *n_items = result->n_items;
  return wall / (result->duration_ms / 1000.0);
}

static int
cli_bench (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_image_free);
  g_autoptr (AttestFrameReader) reader = NULL;
  const char *path;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;
  double untiled_ms, tiled_ms, embed_ms, decode_rt, every_rt, nth_rt, scan_ratio;
  guint scan_items = 0, scan_faces = 0;
  guint n_untiled = 0, n_tiled = 0, n_embedded = 0, faces_every = 0, faces_nth = 0;
  AttestAnalysisStats step = { 0 };
  gboolean have_step;
  gint64 start;

  if (argc != 1)
    {
      cli_error ("bench", _("give one video file"));
      return EXIT_USAGE;
    }
  path = argv[0];
  if (!cli_load_vision (cli))
    return EXIT_SETUP;

  reader = attest_frame_reader_new (path, NULL, &error);
  if (reader == NULL)
    {
      cli_error (path, error->message);
      return EXIT_BAD_INPUT;
    }
  while ((int) frames->len < bench_frames &&
         attest_frame_reader_next (reader, &view, &pts, &number, NULL))
    g_ptr_array_add (frames, attest_image_new_from_view (&view));
  g_clear_object (&reader);
  if (frames->len == 0)
    {
      cli_error (path, _("no frames could be decoded"));
      return EXIT_BAD_INPUT;
    }
  view = *attest_image_get_view (g_ptr_array_index (frames, 0));

  attest_vision_set_tiling (cli->vision, FALSE);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < frames->len; i++)
    {
      AttestBox boxes[MAX_FACES];
      n_untiled += attest_vision_detect (cli->vision, attest_image_get_view (g_ptr_array_index (frames, i)),
                                         boxes, MAX_FACES);
    }
  untiled_ms = seconds_since (start) * 1000.0 / frames->len;

  attest_vision_set_tiling (cli->vision, TRUE);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < frames->len; i++)
    {
      AttestBox boxes[MAX_FACES];
      n_tiled += attest_vision_detect (cli->vision, attest_image_get_view (g_ptr_array_index (frames, i)),
                                       boxes, MAX_FACES);
    }
  tiled_ms = seconds_since (start) * 1000.0 / frames->len;

  /* Embedding cost: every face the tiled detector found, aligned and embedded. */
  {
    gint64 spent = 0;

    for (guint i = 0; i < frames->len; i++)
      {
        const AttestImageView *v = attest_image_get_view (g_ptr_array_index (frames, i));
        AttestBox boxes[MAX_FACES];
        int n = MIN (attest_vision_detect (cli->vision, v, boxes, MAX_FACES), MAX_FACES);

        for (int j = 0; j < n; j++)
          {
            float embedding[ATTEST_EMBEDDING_DIM];

            start = g_get_monotonic_time ();
            if (attest_vision_embed (cli->vision, v, &boxes[j], embedding, NULL))
              n_embedded++;
            spent += g_get_monotonic_time () - start;
          }
      }
    embed_ms = n_embedded > 0 ? spent / 1000.0 / n_embedded : 0;
  }

  have_step = bench_analysis_step (cli, path, ATTEST_SCANNER_DEFAULT_EVERY, &step);
  scan_ratio = bench_scan_ratio (cli, path, &scan_items, &scan_faces);
  decode_rt = bench_realtime_factor (cli, path, 0, &(guint){0});
  every_rt = bench_realtime_factor (cli, path, 1, &faces_every);
  nth_rt = bench_realtime_factor (cli, path, bench_every, &faces_nth);

  g_print ("video: %s (%dx%d), %u frames in memory for the detector figures\n",
           path, view.width, view.height, frames->len);
  g_print ("detector, one 320x240 pass:  %.1f ms/frame (%u faces)\n", untiled_ms, n_untiled);
  g_print ("detector, with tiles:        %.1f ms/frame (%u faces); tiling costs %.2fx one pass\n",
           tiled_ms, n_tiled, untiled_ms > 0 ? tiled_ms / untiled_ms : 0);
  g_print ("embedding (align + 512-d):   %.1f ms/face (%u faces)\n", embed_ms, n_embedded);
  g_print ("decode only:                 %.2fx real time\n", decode_rt);
  g_print ("analysis, every frame:       %.2fx real time (%u faces)\n", every_rt, faces_every);
  g_print ("analysis, every %dth frame:   %.2fx real time (%u faces); %.2fx the every-frame rate\n",
           bench_every, nth_rt, faces_nth, every_rt > 0 ? nth_rt / every_rt : 0);
  if (have_step)
    {
      double n = step.frames;

      g_print ("analysis step, every %dth:   per analysed frame (%" G_GUINT64_FORMAT " frames, %.2f faces"
               " each): detect %.1f ms, quality gate %.1f ms, embed %.1f ms (%.2f faces), of which"
               " identity checks %.1f ms (%.2f faces), looks %.3f ms, tracks and search %.1f ms;"
               " %" G_GUINT64_FORMAT " tracks replaced, %" G_GUINT64_FORMAT " scene cuts\n",
               ATTEST_SCANNER_DEFAULT_EVERY, step.frames, step.faces / n, step.detect_us / 1e3 / n,
               step.gate_us / 1e3 / n, step.embed_us / 1e3 / n, step.embedded / n,
               step.check_us / 1e3 / n, step.checks / n, step.look_us / 1e3 / n,
               step.track_us / 1e3 / n, step.splits, step.scene_cuts);
    }
  /* Not a pass/fail figure: the scan's wall time as a fraction of the video's duration. */
  if (scan_ratio > 0)
    g_print ("scan, every %dth frame:       %.2f of the video's duration (%.2fx real time; "
             "%u items against %u gallery faces)\n", ATTEST_SCANNER_DEFAULT_EVERY, scan_ratio,
             1.0 / scan_ratio, scan_items, scan_faces);
  return EXIT_OK;
}

/* ---- enrol, import ---- */

static char *enrol_identity = NULL;
static char *enrol_basis = NULL;
static char *enrol_reviewer = NULL;

static const GOptionEntry enrol_entries[] = {
  { "identity", 'i', 0, G_OPTION_ARG_STRING, &enrol_identity, N_("Who the photos show (created when new; required)"), "NAME" },
  { "basis", 'b', 0, G_OPTION_ARG_STRING, &enrol_basis, N_("How you know it is them, e.g. “passport photos she gave us” (required)"), "TEXT" },
  { "reviewer", 'r', 0, G_OPTION_ARG_STRING, &enrol_reviewer, N_("Who is enrolling (default: your name)"), "NAME" },
  { NULL }
};

static const GOptionEntry import_entries[] = {
  { "basis", 'b', 0, G_OPTION_ARG_STRING, &enrol_basis, N_("How you know who the people are (required)"), "TEXT" },
  { "reviewer", 'r', 0, G_OPTION_ARG_STRING, &enrol_reviewer, N_("Who is enrolling (default: your name)"), "NAME" },
  { NULL }
};

static gboolean
is_blank (const char *text)
{
  g_autofree char *copy = g_strdup (text);

  return copy == NULL || g_strstrip (copy)[0] == '\0';
}

/* The reviewer name set in the app (Preferences), when its settings schema is installed. */
static const char *
configured_reviewer (void)
{
  static char *name = NULL;
  static gboolean looked = FALSE;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (looked)
    return name;
  looked = TRUE;
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.Attest", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "reviewer-name"))
    {
      g_autoptr (GSettings) settings = g_settings_new_full (schema, NULL, NULL);

      name = g_settings_get_string (settings, "reviewer-name");
    }
  return name;
}

/* --reviewer, else the name set in the app, else the user's real name, else the login name:
 * an action is recorded under a person's name wherever one is known. */
static const char *
reviewer_name (void)
{
  const char *real = g_get_real_name ();

  if (!is_blank (enrol_reviewer))
    return enrol_reviewer;
  if (!is_blank (configured_reviewer ()))
    return configured_reviewer ();
  /* GLib answers "Unknown" when the account has no real name. */
  if (!is_blank (real) && g_strcmp0 (real, "Unknown") != 0)
    return real;
  return g_get_user_name ();
}

static gboolean
check_basis (const char *verb)
{
  if (is_blank (enrol_basis))
    {
      cli_error (verb, _("--basis is required: say how you know who the photos show, "
                         "e.g. --basis \"passport photos she gave us\""));
      return FALSE;
    }
  return TRUE;
}

static void
print_import_line (const AttestImportResult *result)
{
  g_autoptr (GString) line = g_string_new ("{\"file\":");

  append_json_string (line, result->file);
  g_string_append (line, ",\"status\":");
  append_json_string (line, result->status == ATTEST_IMPORT_ENROLLED ? "enrolled" : "skipped");
  g_string_append (line, ",\"reason\":");
  append_json_string (line, result->reason);
  g_string_append (line, ",\"identity\":");
  append_json_string (line, result->identity);
  if (result->warning != NULL)
    {
      g_string_append (line, ",\"warning\":");
      append_json_string (line, result->warning);
    }
  if (result->face_id > 0)
    g_string_append_printf (line, ",\"face_id\":%" G_GINT64_FORMAT "}\n", result->face_id);
  else
    g_string_append (line, ",\"face_id\":null}\n");
  fputs (line->str, stdout);
  fflush (stdout);
}

/* The line, and for a file that could not be read at all also a stderr line: TRUE when the
 * file was read. */
static gboolean
report_import_result (const AttestImportResult *result)
{
  print_import_line (result);
  if (result->warning != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s: enrolled as %s, %s"), result->file,
                                               result->identity, result->warning);

      cli_error (NULL, text);
    }
  if (result->skip == ATTEST_IMPORT_SKIP_UNREADABLE)
    {
      cli_error (result->file, result->reason);
      return FALSE;
    }
  return TRUE;
}

static AttestImporter *
cli_new_importer (Cli          *cli,
                  AttestStore **store_out)
{
  if (!cli_load_vision (cli) || !cli_open_store (cli, store_out))
    return NULL;
  return attest_importer_new (*store_out, cli->vision, reviewer_name (), enrol_basis);
}

static int
cli_enrol (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  int status = EXIT_OK;

  if (argc < 1)
    {
      cli_error ("enrol", _("no image given"));
      return EXIT_USAGE;
    }
  if (is_blank (enrol_identity))
    {
      cli_error ("enrol", _("--identity is required: say whose face the photos show"));
      return EXIT_USAGE;
    }
  if (!check_basis ("enrol"))
    return EXIT_USAGE;
  importer = cli_new_importer (cli, &store);
  if (importer == NULL)
    return EXIT_SETUP;

  for (int i = 0; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      AttestImportResult result = { .face_id = -1 };

      if (!attest_importer_import_file (importer, argv[i], enrol_identity, &result, &error))
        {
          cli_error (argv[i], error->message);
          return EXIT_SETUP;
        }
      if (!report_import_result (&result))
        status = EXIT_BAD_INPUT;
      attest_import_result_clear (&result);
    }
  return status;
}

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GPtrArray    *results;
  GError       *error;
  gboolean      unreadable;
} ImportRun;

static void
import_result_cb (AttestImporter           *importer,
                  const AttestImportResult *result,
                  ImportRun                *run)
{
  if (!report_import_result (result))
    run->unreadable = TRUE;
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ImportRun *run = user_data;

  run->results = attest_importer_import_folder_finish (ATTEST_IMPORTER (source), result,
                                                       &run->error);
  g_main_loop_quit (run->loop);
}

/* SIGINT (Ctrl+C): user_data is the GCancellable of the running import or scan, which stops
 * within a fraction of a second and saves where it got to. A second Ctrl+C does not wait for
 * that: the process ends at once, as if killed (every write is one SQLite transaction, so
 * nothing is half-written; the scan resumes from its last checkpoint). */
static gboolean
interrupted_cb (gpointer user_data)
{
  if (g_cancellable_is_cancelled (user_data))
    {
      g_printerr ("%s\n", _("Stopped at once (second Ctrl+C)"));
      _exit (130);
    }
  g_printerr ("%s\n", _("Stopping… (Ctrl+C again to stop at once)"));
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static int
cli_import (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  g_autoptr (GFile) dir = NULL;
  ImportRun run = { 0 };
  guint sigint_id;
  int status = EXIT_OK;

  if (argc != 1)
    {
      cli_error ("import", _("give one folder, holding one folder of photos per person"));
      return EXIT_USAGE;
    }
  if (!check_basis ("import"))
    return EXIT_USAGE;
  importer = cli_new_importer (cli, &store);
  if (importer == NULL)
    return EXIT_SETUP;

  /* The same background import the app runs, driven by a main loop here. */
  dir = g_file_new_for_commandline_arg (argv[0]);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  g_signal_connect (importer, "result", G_CALLBACK (import_result_cb), &run);
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, run.cancellable);
  attest_importer_import_folder_async (importer, dir, run.cancellable, import_done_cb, &run);
  g_main_loop_run (run.loop);
  g_source_remove (sigint_id);

  if (run.error != NULL)
    {
      if (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cli_error ("import", _("interrupted: the images listed above were dealt with, "
                                 "the others were not imported"));
          status = EXIT_BAD_INPUT;
        }
      else if (run.error->domain == ATTEST_STORE_ERROR)
        {
          cli_error (argv[0], run.error->message);
          status = EXIT_SETUP;
        }
      else
        {
          cli_error (NULL, run.error->message);
          status = EXIT_BAD_INPUT;
        }
    }
  else if (run.unreadable)
    status = EXIT_BAD_INPUT;

  g_clear_error (&run.error);
  g_clear_pointer (&run.results, g_ptr_array_unref);
  g_clear_object (&run.cancellable);
  g_main_loop_unref (run.loop);
  return status;
}

/* ---- identify ---- */

static int identify_top = 5;
static double identify_threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
static gboolean identify_all = FALSE;

static const GOptionEntry identify_entries[] = {
  { "top", 'k', 0, G_OPTION_ARG_INT, &identify_top, N_("Candidates per face at most (default 5)"), "K" },
  { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &identify_threshold, N_("Lowest score listed (default 0.45 as in the app; its settings are not read)"), "T" },
  { "all", 'a', 0, G_OPTION_ARG_NONE, &identify_all, N_("List the top K whatever their score"), NULL },
  { NULL }
};

#define IDENTIFY_MAX_TOP 100

static void
append_identify_face (GString         *line,
                      AttestStill     *still,
                      guint            i,
                      AttestMatcher   *matcher,
                      GHashTable      *names)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *quality_text = NULL;
  float embedding[ATTEST_EMBEDDING_DIM];
  AttestCandidate candidates[IDENTIFY_MAX_TOP];
  AttestQuality quality;
  AttestBox box;
  guint n = 0;

  if (!attest_still_examine_face (still, i, &quality, embedding, &error))
    quality_text = g_strdup (error->message);
  else if (quality.issue != ATTEST_QUALITY_OK)
    quality_text = attest_quality_describe (&quality);
  else
    n = attest_matcher_search (matcher, embedding, (guint) identify_top, NULL, 0, candidates);

  attest_still_get_file_box (still, i, &box);
  g_string_append (line, "{\"x\":");
  append_json_number (line, box.x, 1);
  g_string_append (line, ",\"y\":");
  append_json_number (line, box.y, 1);
  g_string_append (line, ",\"w\":");
  append_json_number (line, box.w, 1);
  g_string_append (line, ",\"h\":");
  append_json_number (line, box.h, 1);
  g_string_append (line, ",\"quality\":");
  /* "ok" is part of the format, not a translated word. */
  append_json_string (line, quality_text != NULL ? quality_text : "ok");
  g_string_append (line, ",\"candidates\":[");
  for (guint c = 0, listed = 0; c < n; c++)
    {
      const char *name = g_hash_table_lookup (names, &candidates[c].identity_id);

      /* Best first: once one is below the threshold, so are the rest. */
      if (!identify_all && candidates[c].score < identify_threshold)
        break;
      if (listed++ > 0)
        g_string_append_c (line, ',');
      g_string_append (line, "{\"identity\":");
      append_json_string (line, name != NULL ? name : "");
      g_string_append (line, ",\"score\":");
      append_json_number (line, candidates[c].score, 4);
      g_string_append_c (line, '}');
    }
  g_string_append (line, "]}");
}

static int
cli_identify (Cli   *cli,
              int    argc,
              char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestMatcher) matcher = NULL;
  g_autoptr (GHashTable) names = NULL;
  int status = EXIT_OK;

  if (argc < 1)
    {
      cli_error ("identify", _("no image given"));
      return EXIT_USAGE;
    }
  if (identify_top < 1 || identify_top > IDENTIFY_MAX_TOP)
    {
      cli_error ("identify", _("--top must be between 1 and 100"));
      return EXIT_USAGE;
    }
  if (!isfinite (identify_threshold) || identify_threshold < -1.0 || identify_threshold > 1.0)
    {
      cli_error ("identify", _("--threshold must be a score between -1 and 1"));
      return EXIT_USAGE;
    }
  if (!cli_load_vision (cli) || !cli_open_store (cli, &store) ||
      !cli_load_gallery (cli, store, &matcher, &names))
    return EXIT_SETUP;

  for (int i = 0; i < argc; i++)
    {
      g_autoptr (GError) load_error = NULL;
      g_autoptr (AttestStill) still = attest_still_load (cli->vision, argv[i], &load_error);
      g_autoptr (GString) line = NULL;
      guint n;

      if (still == NULL)
        {
          cli_error (argv[i], load_error->message);
          status = EXIT_BAD_INPUT;
          continue;
        }
      line = g_string_new ("{\"file\":");
      append_json_string (line, argv[i]);
      g_string_append (line, ",\"faces\":[");
      n = MIN (attest_still_get_n_faces (still), ATTEST_STILL_MAX_FACES);
      for (guint f = 0; f < n; f++)
        {
          if (f > 0)
            g_string_append_c (line, ',');
          append_identify_face (line, still, f, matcher, names);
        }
      g_string_append (line, "]}\n");
      fputs (line->str, stdout);
      fflush (stdout);
    }
  return status;
}

/* ---- export ---- */

static char *export_to = NULL;
static char *export_source = NULL;
static gint64 export_from_ms = -1;
static gint64 export_to_ms = -1;

static const GOptionEntry export_entries[] = {
  { "to", 'o', 0, G_OPTION_ARG_FILENAME, &export_to, N_("Folder to write the evidence into (created when missing; required)"), "DIR" },
  { "source", 's', 0, G_OPTION_ARG_FILENAME, &export_source, N_("Only matches from this video or image file (found by its contents)"), "FILE" },
  { "from-ms", 0, 0, G_OPTION_ARG_INT64, &export_from_ms, N_("Only matches at or after this time in their source (milliseconds)"), "T0" },
  { "to-ms", 0, 0, G_OPTION_ARG_INT64, &export_to_ms, N_("Only matches at or before this time in their source (milliseconds)"), "T1" },
  { "reviewer", 'r', 0, G_OPTION_ARG_STRING, &enrol_reviewer, N_("Who is exporting (default: your name)"), "NAME" },
  { NULL }
};

/* One line: {"folder":…,"matches":N,"files":[…]}. Exit 1 when the source file cannot be read
 * or the folder cannot be written (nothing is then recorded as exported). */
static int
cli_export (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) dir = NULL;
  g_autofree char *source_sha256 = NULL;
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (GString) line = NULL;

  if (is_blank (export_to) || argc > 0)
    {
      cli_error ("export", is_blank (export_to) ? _("--to DIR is required")
                                               : _("unexpected arguments; use --source FILE"));
      return EXIT_USAGE;
    }
  if (export_from_ms < -1 || export_to_ms < -1 ||
      (export_from_ms >= 0 && export_to_ms >= 0 && export_from_ms > export_to_ms))
    {
      cli_error ("export", _("--from-ms and --to-ms must be times in milliseconds, --from-ms not after --to-ms"));
      return EXIT_USAGE;
    }
  if (export_source != NULL)
    {
      g_autoptr (GFile) source = g_file_new_for_commandline_arg (export_source);

      source_sha256 = attest_file_sha256 (source, NULL, &error);
      if (source_sha256 == NULL)
        {
          cli_error (export_source, error->message);
          return EXIT_BAD_INPUT;
        }
    }
  if (!cli_open_store (cli, &store))
    return EXIT_SETUP;

  dir = g_file_new_for_commandline_arg (export_to);
  options.actor = reviewer_name ();
  options.source_sha256 = source_sha256;
  options.from_ms = export_from_ms;
  options.to_ms = export_to_ms;
  result = attest_exporter_export_full (store, dir, &options, &error);
  if (result == NULL)
    {
      cli_error ("export", error->message);
      return EXIT_BAD_INPUT;
    }

  line = g_string_new ("{\"folder\":");
  append_json_string (line, result->folder);
  g_string_append_printf (line, ",\"matches\":%u,\"files\":[", result->n_matches);
  for (guint i = 0; i < result->files->len; i++)
    {
      if (i > 0)
        g_string_append_c (line, ',');
      append_json_string (line, g_ptr_array_index (result->files, i));
    }
  g_string_append (line, "]}\n");
  fputs (line->str, stdout);
  fflush (stdout);
  return EXIT_OK;
}

/* ---- scan ---- */

static int scan_every = ATTEST_SCANNER_DEFAULT_EVERY;
static double scan_threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;

static const GOptionEntry scan_entries[] = {
  { "every", 'n', 0, G_OPTION_ARG_INT, &scan_every, N_("Analyse every Nth video frame (default 8)"), "N" },
  { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &scan_threshold, N_("Lowest candidate score that makes a review item (default 0.45 as in the app; its settings are not read)"), "T" },
  { NULL }
};

typedef struct
{
  GMainLoop         *loop;
  GCancellable      *cancellable;
  AttestStore       *store;
  const char        *file;      /* as given on the command line */
  AttestScanResult  *result;
  GError            *error;
} ScanRun;

/* {"item": N, "file": "…", "start_ms": T0, "end_ms": T1, "candidates": [{"identity": "…",
 * "score": S}]}: the candidates at or above the threshold, best first. */
void
cli_print_item (AttestStore *store,
                const char  *file,
                gint64       item_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestReviewItem) item = attest_store_get_review_item (store, item_id, &error);
  g_autoptr (GString) line = NULL;

  if (item == NULL)
    {
      cli_error (file, error->message);
      return;
    }
  line = g_string_new (NULL);
  g_string_append_printf (line, "{\"item\": %" G_GINT64_FORMAT ", \"file\": ", item->id);
  append_json_string (line, file);
  g_string_append_printf (line, ", \"start_ms\": %" G_GINT64_FORMAT ", \"end_ms\": %"
                          G_GINT64_FORMAT ", \"candidates\": [", item->start_ms, item->end_ms);
  for (guint i = 0, listed = 0; i < item->n_candidates; i++)
    {
      if (!(item->candidates[i].score >= item->threshold))
        continue;
      if (listed++ > 0)
        g_string_append (line, ", ");
      g_string_append (line, "{\"identity\": ");
      append_json_string (line, item->candidates[i].name != NULL ? item->candidates[i].name : "");
      g_string_append (line, ", \"score\": ");
      append_json_number (line, item->candidates[i].score, 4);
      g_string_append_c (line, '}');
    }
  g_string_append (line, "]}\n");
  fputs (line->str, stdout);
  fflush (stdout);
}

static void
scan_item_added_cb (AttestScanner *scanner,
                    gint64         item_id,
                    ScanRun       *run)
{
  cli_print_item (run->store, run->file, item_id);
}

static void
scan_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ScanRun *run = user_data;

  run->result = attest_scanner_scan_finish (ATTEST_SCANNER (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

/* One JSON line per pending item created (above). Exit 1 when a file cannot be read (the
 * others are still scanned) or Ctrl+C stops the scan (what was scanned is kept: the next
 * scan of that file resumes); 3 when the gallery cannot be read or written. */
static int
cli_scan (Cli   *cli,
          int    argc,
          char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestMatcher) matcher = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (AttestScanner) scanner = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  int status = EXIT_OK;
  guint sigint_id;

  if (argc < 1)
    {
      cli_error ("scan", _("no video given"));
      return EXIT_USAGE;
    }
  if (scan_every < 1)
    {
      cli_error ("scan", _("--every must be 1 or more"));
      return EXIT_USAGE;
    }
  if (!isfinite (scan_threshold) || scan_threshold < -1.0 || scan_threshold > 1.0)
    {
      cli_error ("scan", _("--threshold must be a score between -1 and 1"));
      return EXIT_USAGE;
    }
  if (!cli_load_vision (cli) || !cli_open_store (cli, &store) ||
      !cli_load_gallery (cli, store, &matcher, &names))
    return EXIT_SETUP;

  scanner = attest_scanner_new (store, cli->vision, matcher, names);
  attest_scanner_set_every (scanner, (guint) scan_every);
  attest_scanner_set_threshold (scanner, scan_threshold);
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);

  for (int i = 0; i < argc && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (argv[i]);
      ScanRun run = { loop, cancellable, store, argv[i], NULL, NULL };
      gulong handler = g_signal_connect (scanner, "item-added",
                                         G_CALLBACK (scan_item_added_cb), &run);

      /* The app's background scan, driven by a main loop so Ctrl+C is noticed. */
      attest_scanner_scan_async (scanner, file, cancellable, scan_done_cb, &run);
      g_main_loop_run (loop);
      /* Lines for items added just before the end are still queued. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_signal_handler_disconnect (scanner, handler);

      if (run.error != NULL)
        {
          if (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              cli_error (argv[i], _("interrupted: the items listed above are queued; scan "
                                    "the file again to go on where it stopped"));
              status = EXIT_BAD_INPUT;
            }
          else if (run.error->domain == ATTEST_STORE_ERROR)
            {
              cli_error (attest_store_get_path (store), run.error->message);
              status = EXIT_SETUP;
            }
          else
            {
              cli_error (argv[i], run.error->message);
              if (status == EXIT_OK)
                status = EXIT_BAD_INPUT;
            }
        }
      g_clear_error (&run.error);
      g_clear_pointer (&run.result, attest_scan_result_free);
      if (status == EXIT_SETUP)
        break;
    }

  g_source_remove (sigint_id);
  return status;
}

static const Verb verbs[] = {
  { "detect", "FILE…", N_("Find faces in images and videos; one JSON line per analysed frame"),
    detect_entries, cli_detect },
  { "verify-audit", "", N_("Check the audit log's hash chain; exit 0 when intact"),
    NULL, cli_verify_audit },
  { "verify-export", "DIR", N_("Check an export folder: its files, signature and audit chain; exit 0 when intact"),
    NULL, cli_verify_export },
  { "bench", "VIDEO", N_("Print detector, embedding and real-time figures for a video"),
    bench_entries, cli_bench },
  { "enrol", "IMAGE…", N_("Enrol one person’s face from images; one JSON line per image"),
    enrol_entries, cli_enrol },
  { "import", "DIR", N_("Enrol photos from DIR/<person name>/; one JSON line per image"),
    import_entries, cli_import },
  { "identify", "IMAGE…", N_("Gallery candidates for every face in images; one JSON line per image"),
    identify_entries, cli_identify },
  { "scan", "VIDEO…", N_("Scan videos into the review queue; one JSON line per pending item created"),
    scan_entries, cli_scan },
  { "watch", "URL", N_("Record a network camera and queue its faces for review; one JSON line per segment and per item"),
    cli_watch_entries, cli_watch },
  { "export", "--to DIR [--source FILE] [--from-ms T0] [--to-ms T1]", N_("Write the confirmed matches’ evidence (CSV, JSON, crops, report) to DIR"),
    export_entries, cli_export },
};

static void
print_usage (void)
{
  g_printerr ("%s\n", _("Usage: attest-cli [--database PATH] [--models DIR] COMMAND [OPTIONS] ARGS…"));
  g_printerr ("\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    g_printerr ("  %-13s %s\n", verbs[i].name, _(verbs[i].summary));
  g_printerr ("\n%s\n", _("Run “attest-cli COMMAND --help” for a command’s options."));
}

int
attest_cli_run (int    argc,
                char **argv)
{
  Cli cli = { 0 };
  const GOptionEntry global_entries[] = {
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &cli.database, N_("Gallery database (default: $XDG_DATA_HOME/attest/gallery.db)"), "PATH" },
    { "models", 0, 0, G_OPTION_ARG_FILENAME, &cli.models, N_("Folder with the face models (default: $XDG_DATA_HOME/attest/models)"), "DIR" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  const Verb *verb = NULL;
  int verb_index = -1;
  int status;

  gst_init (NULL, NULL);

  /* The command is the first word that is neither an option nor a global option's value. */
  for (int i = 1; i < argc && verb_index < 0; i++)
    {
      if (g_str_equal (argv[i], "--database") || g_str_equal (argv[i], "--models"))
        i++;
      else if (argv[i][0] != '-')
        verb_index = i;
    }
  if (verb_index < 0)
    {
      print_usage ();
      return EXIT_USAGE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (argv[verb_index], verbs[i].name))
      verb = &verbs[i];
  if (verb == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("unknown command “%s”"), argv[verb_index]);

      cli_error (NULL, message);
      print_usage ();
      return EXIT_USAGE;
    }

  /* Parse a copy without the command word: GOption keeps the remaining arguments in order. */
  args = g_new0 (char *, argc);
  for (int i = 0, j = 0; i < argc; i++)
    if (i != verb_index)
      args[j++] = g_strdup (argv[i]);
  {
    g_autofree char *parameter = g_strdup_printf ("%s %s", verb->name, verb->args);

    context = g_option_context_new (parameter);
    g_option_context_set_summary (context, _(verb->summary));
    g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
    g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
    if (verb->entries != NULL)
      g_option_context_add_main_entries (context, verb->entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse_strv (context, &args, &error))
      {
        cli_error (verb->name, error->message);
        return EXIT_USAGE;
      }
    status = verb->run (&cli, (int) g_strv_length (args) - 1, args + 1);
  }

  /* A background worker may still hold the store when this returns, and the process exits
   * without closing it: what the command wrote goes into the database file now. */
  if (cli.store != NULL)
    {
      g_autoptr (GError) checkpoint_error = NULL;

      if (!attest_store_checkpoint (cli.store, &checkpoint_error))
        g_debug ("%s", checkpoint_error->message);
      g_clear_object (&cli.store);
    }
  g_clear_pointer (&cli.vision, attest_vision_free);
  g_free (cli.database);
  g_free (cli.models);
  return status;
}
