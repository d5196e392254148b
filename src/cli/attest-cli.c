/* attest-cli.c: the headless verbs of attest-cli. Same library, same code paths as the app.
 *
 * Output is one JSON object per line on stdout (machine-readable); problems are one line on
 * stderr. Exit status: 0 success, 1 a bad input file (the others were still processed),
 * 2 wrong usage, 3 the set-up is broken (models missing, database refused). */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "cli/attest-cli.h"
#include "media/attest-frame-reader.h"
#include "media/attest-pipeline.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

enum
{
  EXIT_OK = 0,
  EXIT_BAD_INPUT = 1,
  EXIT_USAGE = 2,
  EXIT_SETUP = 3,
};

#define MAX_FACES 256

typedef struct
{
  char         *database;
  char         *models;
  AttestVision *vision;
} Cli;

typedef struct
{
  const char         *name;
  const char         *args;
  const char         *summary;
  const GOptionEntry *entries;
  int               (*run) (Cli *cli, int argc, char **argv);
} Verb;

static void
cli_error (const char *what,
           const char *message)
{
  if (what != NULL)
    g_printerr ("attest-cli: %s: %s\n", what, message);
  else
    g_printerr ("attest-cli: %s\n", message);
}

/* JSON text for a string (quoted, escaped by json-glib). */
static void
append_json_string (GString    *out,
                    const char *value)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), value);
  g_autofree char *text = json_to_string (node, FALSE);

  g_string_append (out, text);
}

/* Numbers are written with the precision they carry (json-glib would print 17 digits). */
static void
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

static gboolean
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

/* Images go through the image decoder (frame 0); everything else through GStreamer. */
static gboolean
is_image_file (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);
  const char *type;

  if (info == NULL)
    return FALSE;
  type = g_file_info_get_content_type (info);
  return type != NULL && g_content_type_is_a (type, "image/*");
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
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, &error);
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
cli_open_store (Cli          *cli,
                AttestStore **out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cli->database ? g_strdup (cli->database) : attest_store_default_path ();

  *out = attest_store_open (path, &error);
  if (*out == NULL)
    {
      cli_error (NULL, error->message);
      return FALSE;
    }
  return TRUE;
}

static int
cli_verify_audit (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GError) error = NULL;
  guint64 n = 0;
  gint64 first_bad = -1;

  if (!cli_open_store (cli, &store))
    return EXIT_SETUP;
  if (!attest_store_verify_audit (store, &n, &first_bad, &error))
    {
      g_print ("{\"intact\":false,\"first_bad_entry\":%" G_GINT64_FORMAT "}\n", first_bad);
      cli_error (attest_store_get_path (store), error->message);
      return EXIT_BAD_INPUT;
    }
  g_print ("{\"intact\":true,\"entries\":%" G_GUINT64_FORMAT "}\n", n);
  return EXIT_OK;
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
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, &error);
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
  double untiled_ms, tiled_ms, embed_ms, decode_rt, every_rt, nth_rt;
  guint n_untiled = 0, n_tiled = 0, n_embedded = 0, faces_every = 0, faces_nth = 0;
  gint64 start;

  if (argc != 1)
    {
      cli_error ("bench", _("give one video file"));
      return EXIT_USAGE;
    }
  path = argv[0];
  if (!cli_load_vision (cli))
    return EXIT_SETUP;

  reader = attest_frame_reader_new (path, &error);
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
  return EXIT_OK;
}

static const Verb verbs[] = {
  { "detect", "FILE…", N_("Find faces in images and videos; one JSON line per analysed frame"),
    detect_entries, cli_detect },
  { "verify-audit", "", N_("Check the audit log's hash chain; exit 0 when intact"),
    NULL, cli_verify_audit },
  { "bench", "VIDEO", N_("Print detector, embedding and real-time figures for a video"),
    bench_entries, cli_bench },
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

  g_clear_pointer (&cli.vision, attest_vision_free);
  g_free (cli.database);
  g_free (cli.models);
  return status;
}
