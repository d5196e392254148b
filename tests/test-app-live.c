/* test-app-live.c: the real application (AttestApplication, in this process, on a real
 * display) on a gallery that another process changes. What the window shows follows the
 * store, whoever wrote to it: a person enrolled with attest-cli while the app shows a paused
 * frame becomes that face's suggestion, and the gallery count in the panel follows. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "app/attest-application.h"
#include "app/attest-window-private.h"
#include "widgets/attest-video-page-private.h"
#include "media/attest-video-paintable.h"
#include "widgets/attest-candidate-panel.h"
#include "widgets/attest-video-view.h"

#define WAIT_SECONDS 120
#define REVIEWER     "Test Reviewer"
/* At 3 s the sample shows John_Salley's and John_Savage's cards, both whole. */
#define PAUSE_MS     3000
#define NEWCOMER     "John_Savage"

#include "test-ui-helpers.h"
#include "test-sample-gallery.h"

static SampleTruth *truth;
static char        *tmp_dir;

/* ---- helpers ----------------------------------------------------------------------- */

static void
run_cli_sync (const char * const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("attest-cli %s: %d %s", args[2], status, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Faces in the gallery file, read beside the app (read-only). */
static guint
count_faces (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM faces", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static gboolean
app_ready (gpointer data)
{
  AttestApplication *app = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return ATTEST_IS_WINDOW (window) && attest_application_get_matcher (app) != NULL &&
         attest_application_get_impostor_stats (app, NULL) != NULL;
}

typedef struct
{
  AttestWindow *window;
  const char   *text;
} PanelWait;

static gboolean
panel_counts (gpointer data)
{
  PanelWait *wait = data;
  const char *fmr = attest_candidate_panel_get_fmr_text (_attest_video_page_get_candidate_panel (wait->window->video_page));
  static char *last;

  if (g_strcmp0 (fmr, last) != 0)
    {
      g_test_message ("panel says: %s", fmr);
      g_free (last);
      last = g_strdup (fmr);
    }
  return fmr != NULL && strstr (fmr, wait->text) != NULL;
}

static gboolean
matched_on_target (gpointer data)
{
  return boxes_on_frame (data, TRUE);
}

typedef struct
{
  AttestVideoView *view;
  const char      *prefix;
} LabelWait;

/* A face on the frame shown is labelled with `prefix`. */
static gboolean
face_labelled (gpointer data)
{
  LabelWait *wait = data;
  AttestDetections *d = attest_video_view_get_detections (wait->view);

  for (guint i = 0; d != NULL && i < d->n_faces; i++)
    {
      g_autofree char *label = attest_video_view_get_face_label (wait->view, i);

      if (label != NULL && g_str_has_prefix (label, wait->prefix))
        return TRUE;
    }
  return FALSE;
}

/* Photos of `person` the video does not show: the ones sample_gallery_folder() would use. */
static GPtrArray *
photos_of (const char *person)
{
  g_autofree char *folder = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns",
                                              person, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (folder, 0, &error);
  GPtrArray *photos = g_ptr_array_new_with_free_func (g_free);
  const char *file;

  g_assert_no_error (error);
  while ((file = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (file, ".jpg") && !sample_photo_used (truth, person, file))
      g_ptr_array_add (photos, g_build_filename (folder, file, NULL));
  g_assert_cmpuint (photos->len, >=, 1);
  return photos;
}

/* ---- the test ---------------------------------------------------------------------- */

static void
test_cli_enrol_seen_live (void)
{
  g_autofree char *people = g_build_filename (tmp_dir, "people", NULL);
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "attest", "gallery.db", NULL);
  g_autoptr (AttestApplication) app = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) video = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  g_autoptr (GPtrArray) photos = photos_of (NEWCOMER);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AttestWindow *window;
  AttestVideoView *view;
  GstClockTime pts = (GstClockTime) PAUSE_MS * GST_MSECOND;
  FrameWait frame = { NULL, pts };
  PanelWait panel = { NULL, NULL };
  LabelWait newcomer = { NULL, "Suggestion: " NEWCOMER " · " };
  guint n_faces;
  gint64 enrolled_at;

  /* Everyone but the newcomer, in the gallery the app opens by default. */
  g_assert_cmpuint (sample_gallery_folder (truth, people, NEWCOMER), >=, 10);
  {
    const char *import[] = { "--database", db, "import", "--basis", "dlib examples, by folder",
                             "--reviewer", REVIEWER, people, NULL };

    run_cli_sync (import);
  }
  n_faces = count_faces (db);
  g_assert_cmpuint (n_faces, >=, 10);

  app = attest_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) |
                           G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  g_assert_true (wait_for (app_ready, app));
  window = ATTEST_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));

  /* The video, paused on the two cards: the newcomer is nobody yet. */
  open_paused_at (window, video, pts);
  frame.view = view;
  newcomer.view = view;
  g_assert_true (wait_for (matched_on_target, &frame));
  g_assert_false (face_labelled (&newcomer));

  /* The panel counts the gallery as it is. */
  before = g_strdup_printf (" of %u gallery faces", n_faces);
  panel.window = window;
  panel.text = before;
  g_assert_true (wait_for (panel_counts, &panel));

  /* attest-cli, another process, enrols the newcomer while the app shows that frame. */
  g_ptr_array_add (args, (char *) "--database");
  g_ptr_array_add (args, db);
  g_ptr_array_add (args, (char *) "enrol");
  g_ptr_array_add (args, (char *) "--identity");
  g_ptr_array_add (args, (char *) NEWCOMER);
  g_ptr_array_add (args, (char *) "--basis");
  g_ptr_array_add (args, (char *) "dlib example photos");
  g_ptr_array_add (args, (char *) "--reviewer");
  g_ptr_array_add (args, (char *) REVIEWER);
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (args, photos->pdata[i]);
  g_ptr_array_add (args, NULL);
  run_cli_sync ((const char * const *) args->pdata);
  enrolled_at = g_get_monotonic_time ();

  /* Without a restart, and on the same paused frame: he is suggested, and counted. */
  g_assert_true (wait_for (face_labelled, &newcomer));
  g_test_message ("suggested %.2f s after the CLI's enrolment ended",
                  (g_get_monotonic_time () - enrolled_at) / 1e6);
  g_assert_cmpuint (count_faces (db), >, n_faces);
  after = g_strdup_printf (" of %u gallery faces", count_faces (db));
  panel.text = after;
  g_assert_true (wait_for (panel_counts, &panel));
  g_test_message ("panel: %s",
                  attest_candidate_panel_get_fmr_text (_attest_video_page_get_candidate_panel (window->video_page)));

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (app));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data_home = NULL;
  int result;

  /* The app's default gallery in a folder of this test's, before anything reads the
   * variable (GLib remembers it). */
  tmp_dir = g_dir_make_tmp ("attest-app-live-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  if (!ui_test_init (&argc, &argv))
    return 0;
  truth = sample_truth_load ();

  g_test_add_func ("/app-live/cli-enrol-seen", test_cli_enrol_seen_live);
  result = g_test_run ();

  sample_truth_free (truth);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return result;
}
