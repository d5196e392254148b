/* attest-cli-watch.c: `attest-cli watch URL`, a network camera watched headless.
 *
 * The camera is recorded to segment files (attest-recorder.h); each segment, once closed, is
 * scanned into the review queue exactly as `attest-cli scan` scans a file, so a face seen live
 * is reviewed later against the recording and its time, like any other. One JSON line per
 * segment ({"segment": "…", "sha256": "…", "start_ms": T, "duration_ms": D}), per pending
 * item (as scan prints them), and per drop and reconnection of the stream ({"dropped": "…",
 * "retry_in_s": N}, {"reconnected": true}): a lost stream is tried again until the end. Ctrl+C, or --duration, ends the recording: the segment being
 * written is closed and scanned before the command exits. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/attest-cli-private.h"
#include "media/attest-recorder.h"
#include "review/attest-scanner.h"

static int watch_duration;
static int watch_segment = 300;
static char *watch_folder;
static char *watch_name;
static char *watch_user;

const GOptionEntry cli_watch_entries[] = {
  { "duration", 0, 0, G_OPTION_ARG_INT, &watch_duration, N_("Stop after S seconds (default: at Ctrl+C)"), "S" },
  { "segment", 0, 0, G_OPTION_ARG_INT, &watch_segment, N_("Length of each recorded file (default 300 s)"), "S" },
  { "folder", 0, 0, G_OPTION_ARG_FILENAME, &watch_folder, N_("Where recordings go (default: $XDG_DATA_HOME/attest/recordings)"), "DIR" },
  { "name", 0, 0, G_OPTION_ARG_STRING, &watch_name, N_("The camera's name, at the start of its files (default: camera)"), "NAME" },
  { "user", 0, 0, G_OPTION_ARG_STRING, &watch_user, N_("User name for the camera; the password is read from ATTEST_CAMERA_PASSWORD, never from the command line"), "NAME" },
  { NULL }
};

typedef struct
{
  Cli            *cli;
  GMainLoop      *loop;
  AttestStore    *store;
  AttestRecorder *recorder;
  AttestScanner  *scanner;
  GQueue          segments;    /* closed, not yet scanned (char *) */
  char           *scanning;    /* the segment being scanned, or NULL */
  gboolean        stopped;     /* the recording has ended */
  gboolean        interrupted;
  guint           duration_id;
  int             status;
} Watch;

static void scan_next (Watch *watch);

static void
finish_if_done (Watch *watch)
{
  if (watch->stopped && watch->scanning == NULL && g_queue_is_empty (&watch->segments))
    g_main_loop_quit (watch->loop);
}

static void
on_item_added (AttestScanner *scanner,
               gint64         item_id,
               Watch         *watch)
{
  if (watch->scanning != NULL)
    cli_print_item (watch->store, watch->scanning, item_id);
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestScanResult) scan = attest_scanner_scan_finish (ATTEST_SCANNER (source),
                                                                  result, &error);

  /* Lines for items added just before the end are still queued. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (scan == NULL)
    {
      cli_error (watch->scanning, error->message);
      watch->status = error->domain == ATTEST_STORE_ERROR ? EXIT_SETUP : EXIT_BAD_INPUT;
    }
  g_clear_pointer (&watch->scanning, g_free);
  scan_next (watch);
}

static void
scan_next (Watch *watch)
{
  g_autoptr (GFile) file = NULL;

  if (watch->scanning != NULL)
    return;
  watch->scanning = g_queue_pop_head (&watch->segments);
  if (watch->scanning == NULL)
    {
      finish_if_done (watch);
      return;
    }
  file = g_file_new_for_path (watch->scanning);
  attest_scanner_scan_async (watch->scanner, file, NULL, on_scanned, watch);
}

static void
on_segment_closed (AttestRecorder *recorder,
                   const char     *path,
                   guint64         start,
                   guint64         duration,
                   Watch          *watch)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *sha = attest_file_sha256 (file, NULL, &error);
  g_autoptr (GString) line = g_string_new ("{\"segment\": ");

  append_json_string (line, path);
  g_string_append (line, ", \"sha256\": ");
  append_json_string (line, sha != NULL ? sha : "");
  g_string_append_printf (line, ", \"start_ms\": %" G_GUINT64_FORMAT ", \"duration_ms\": %"
                          G_GUINT64_FORMAT "}\n", start / GST_MSECOND, duration / GST_MSECOND);
  fputs (line->str, stdout);
  fflush (stdout);
  if (sha == NULL)
    {
      cli_error (path, error->message);
      return;
    }
  g_queue_push_tail (&watch->segments, g_strdup (path));
  scan_next (watch);
}

static void
on_failed (AttestRecorder *recorder,
           GError         *error,
           Watch          *watch)
{
  cli_error (attest_recorder_get_display_name (recorder), error->message);
  watch->status = EXIT_BAD_INPUT;
}

/* {"dropped": "why", "retry_in_s": N}: a gap in the recording starts here. */
static void
on_dropped (AttestRecorder *recorder,
            GError         *error,
            guint           retry_in,
            Watch          *watch)
{
  g_autoptr (GString) line = g_string_new ("{\"dropped\": ");

  append_json_string (line, error->message);
  g_string_append_printf (line, ", \"retry_in_s\": %u}\n", retry_in);
  fputs (line->str, stdout);
  fflush (stdout);
}

/* {"reconnected": true}: the gap ends; the next segments follow. */
static void
on_reconnected (AttestRecorder *recorder,
                Watch          *watch)
{
  fputs ("{\"reconnected\": true}\n", stdout);
  fflush (stdout);
}

static void
on_stopped (AttestRecorder *recorder,
            Watch          *watch)
{
  watch->stopped = TRUE;
  finish_if_done (watch);
}

static gboolean
on_duration (gpointer data)
{
  Watch *watch = data;

  watch->duration_id = 0;
  attest_recorder_stop (watch->recorder);
  return G_SOURCE_REMOVE;
}

/* Ctrl+C: the recording ends, its last segment is closed and scanned. A second Ctrl+C ends
 * the process at once (every write is one SQLite transaction; the files closed stay). */
static gboolean
on_interrupt (gpointer data)
{
  Watch *watch = data;

  if (watch->interrupted)
    {
      g_printerr ("%s\n", _("Stopped at once (second Ctrl+C)"));
      _exit (130);
    }
  watch->interrupted = TRUE;
  g_printerr ("%s\n", _("Stopping: closing and scanning the last segment… (Ctrl+C again to "
                        "stop at once)"));
  attest_recorder_stop (watch->recorder);
  return G_SOURCE_CONTINUE;
}

int
cli_watch (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autoptr (AttestMatcher) matcher = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *folder = NULL;
  Watch watch = { 0 };
  guint sigint_id;

  if (argc != 1)
    {
      cli_error ("watch", _("give one camera address, e.g. rtsp://192.168.1.20:554/stream"));
      return EXIT_USAGE;
    }
  if (watch_segment < 1 || watch_duration < 0)
    {
      cli_error ("watch", _("--segment must be 1 second or more, and --duration 0 or more"));
      return EXIT_USAGE;
    }
  folder = watch_folder != NULL ? g_strdup (watch_folder)
                                : g_build_filename (g_get_user_data_dir (), "attest", "recordings",
                                                    NULL);
  watch.recorder = attest_recorder_new (argv[0], folder, watch_name,
                                        (GstClockTime) watch_segment * GST_SECOND, &error);
  if (watch.recorder == NULL)
    {
      cli_error ("watch", error->message);
      return EXIT_USAGE;
    }
  if (watch_user != NULL)
    attest_recorder_set_credentials (watch.recorder, watch_user,
                                     g_getenv ("ATTEST_CAMERA_PASSWORD"));
  if (!cli_load_vision (cli) || !cli_open_store (cli, &watch.store) ||
      !cli_load_gallery (cli, watch.store, &matcher, &names))
    {
      g_clear_object (&watch.recorder);
      g_clear_object (&watch.store);
      return EXIT_SETUP;
    }

  watch.cli = cli;
  watch.loop = loop;
  watch.status = EXIT_OK;
  g_queue_init (&watch.segments);
  watch.scanner = attest_scanner_new (watch.store, cli->vision, matcher, names);
  g_signal_connect (watch.scanner, "item-added", G_CALLBACK (on_item_added), &watch);
  g_signal_connect (watch.recorder, "segment-closed", G_CALLBACK (on_segment_closed), &watch);
  g_signal_connect (watch.recorder, "failed", G_CALLBACK (on_failed), &watch);
  g_signal_connect (watch.recorder, "stopped", G_CALLBACK (on_stopped), &watch);
  g_signal_connect (watch.recorder, "dropped", G_CALLBACK (on_dropped), &watch);
  g_signal_connect (watch.recorder, "reconnected", G_CALLBACK (on_reconnected), &watch);
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &watch);
  if (watch_duration > 0)
    watch.duration_id = g_timeout_add_seconds ((guint) watch_duration, on_duration, &watch);

  g_printerr (_("Recording %s to %s (the only address Attest connects to)\n"),
              attest_recorder_get_display_name (watch.recorder), folder);
  attest_recorder_start (watch.recorder);
  if (!watch.stopped)
    g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_clear_handle_id (&watch.duration_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (watch.recorder, &watch);
  g_clear_object (&watch.recorder);
  g_clear_object (&watch.scanner);
  g_queue_clear_full (&watch.segments, g_free);
  g_clear_object (&watch.store);
  return watch.status;
}
