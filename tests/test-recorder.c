/* test-recorder.c: recording a network camera, against real RTSP servers on 127.0.0.1
 * (gst-rtsp-server) streaming the bundled sample's own H.264: segments closed and playable,
 * the refusals (a closed port, a wrong path, a wrong password) said clearly and never with the
 * password, and a stop that closes the segment being written. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "media/attest-frame-reader.h"
#include "media/attest-media-error.h"
#include "media/attest-pipeline.h"
#include "media/attest-recorder.h"
#include "store/attest-store.h"

#define PASSWORD "s3cret-pw"

typedef struct
{
  GstRTSPServer *server;
  guint          source_id;
  int            port;
} Server;

/* The sample as a camera would send it: its H.264 in RTP, in real time. */
static void
server_start_on (Server   *server,
                 gboolean  with_password,
                 int       port)
{
  g_autofree char *service = g_strdup_printf ("%d", port);
  g_autofree char *launch = g_strdup_printf ("( filesrc location=\"%s\" ! qtdemux ! h264parse "
                                             "! rtph264pay name=pay0 pt=96 config-interval=1 )",
                                             g_getenv ("ATTEST_SAMPLE_VIDEO"));
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new ();

  server->server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server->server, "127.0.0.1");
  gst_rtsp_server_set_service (server->server, service);
  gst_rtsp_media_factory_set_launch (factory, launch);
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  if (with_password)
    {
      g_autoptr (GstRTSPAuth) auth = gst_rtsp_auth_new ();
      g_autoptr (GstRTSPToken) token = gst_rtsp_token_new (GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE,
                                                           G_TYPE_STRING, "viewer", NULL);
      g_autofree char *basic = gst_rtsp_auth_make_basic ("viewer", PASSWORD);

      gst_rtsp_auth_add_basic (auth, basic, token);
      gst_rtsp_server_set_auth (server->server, auth);
      gst_rtsp_media_factory_add_role (factory, "viewer",
                                       GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                       GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE,
                                       NULL);
    }
  mounts = gst_rtsp_server_get_mount_points (server->server);
  gst_rtsp_mount_points_add_factory (mounts, "/sample", factory);
  server->source_id = gst_rtsp_server_attach (server->server, NULL);
  g_assert_cmpuint (server->source_id, >, 0);
  server->port = gst_rtsp_server_get_bound_port (server->server);
  g_assert_cmpint (server->port, >, 0);
}

static void
server_start (Server   *server,
              gboolean  with_password)
{
  server_start_on (server, with_password, 0);
}

static GstRTSPFilterResult
drop_client (GstRTSPServer *server,
             GstRTSPClient *client,
             gpointer       user_data)
{
  return GST_RTSP_FILTER_REMOVE;
}

/* The server goes away: no new connections, and the streams it serves are cut. */
static void
server_stop (Server *server)
{
  g_source_remove (server->source_id);
  g_list_free_full (gst_rtsp_server_client_filter (server->server, drop_client, NULL),
                    g_object_unref);
  g_clear_object (&server->server);
}

/* ---- a recording ---- */

typedef struct
{
  GPtrArray *segments;   /* paths, in order */
  GArray    *durations;  /* guint64 ns */
  GError    *error;
  gboolean   stopped;
  guint      drops;
  guint      reconnects;
  guint      at_reconnect;  /* segments closed when it reconnected */
} Run;

static void
on_segment (AttestRecorder *recorder,
            const char     *path,
            guint64         start,
            guint64         duration,
            Run            *run)
{
  g_test_message ("segment %s: from %.2f s, %.2f s long", path, start / 1e9, duration / 1e9);
  g_ptr_array_add (run->segments, g_strdup (path));
  g_array_append_val (run->durations, duration);
}

static void
on_failed (AttestRecorder *recorder,
           GError         *error,
           Run            *run)
{
  g_assert_null (run->error);
  run->error = g_error_copy (error);
}

static void
on_stopped (AttestRecorder *recorder,
            Run            *run)
{
  run->stopped = TRUE;
}

static void
on_dropped (AttestRecorder *recorder,
            GError         *error,
            guint           retry_in,
            Run            *run)
{
  g_test_message ("dropped: %s; again in %u s", error->message, retry_in);
  run->drops++;
}

static void
on_reconnected (AttestRecorder *recorder,
                Run            *run)
{
  run->reconnects++;
  run->at_reconnect = run->segments->len;
}

static void
run_init (Run            *run,
          AttestRecorder *recorder)
{
  run->segments = g_ptr_array_new_with_free_func (g_free);
  run->durations = g_array_new (FALSE, FALSE, sizeof (guint64));
  run->error = NULL;
  run->stopped = FALSE;
  run->drops = run->reconnects = run->at_reconnect = 0;
  g_signal_connect (recorder, "dropped", G_CALLBACK (on_dropped), run);
  g_signal_connect (recorder, "reconnected", G_CALLBACK (on_reconnected), run);
  g_signal_connect (recorder, "segment-closed", G_CALLBACK (on_segment), run);
  g_signal_connect (recorder, "failed", G_CALLBACK (on_failed), run);
  g_signal_connect (recorder, "stopped", G_CALLBACK (on_stopped), run);
}

static void
run_clear (Run *run)
{
  g_ptr_array_unref (run->segments);
  g_array_unref (run->durations);
  g_clear_error (&run->error);
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main context (the server and the recorder both live there) until `cond`; FALSE
 * after two minutes, a hang. */
static gboolean
wait_for (Condition cond,
          gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
    }
  return TRUE;
}

static gboolean
two_segments (gpointer data)
{
  Run *run = data;

  return run->segments->len >= 2 || run->stopped;
}

static gboolean
stopped (gpointer data)
{
  Run *run = data;

  return run->stopped;
}

static char *
make_folder (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("attest-recorder-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_folder (const char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* Frames decoded from a segment file (the frame reader's checks included). */
static guint
count_frames (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestFrameReader) reader = attest_frame_reader_new (path, NULL, &error);
  AttestImageView view;
  GstClockTime pts;
  guint64 number;
  guint n = 0;

  g_assert_no_error (error);
  while (attest_frame_reader_next (reader, &view, &pts, &number, &error))
    n++;
  g_assert_no_error (error);
  return n;
}

/* A recorder of `server`'s stream. */
static AttestRecorder *
recorder_for (Server       *server,
              const char   *folder,
              const char   *prefix,
              GstClockTime  segment_length)
{
  g_autofree char *uri = g_strdup_printf ("rtsp://127.0.0.1:%d/sample", server->port);
  g_autoptr (GError) error = NULL;
  AttestRecorder *recorder = attest_recorder_new (uri, folder, prefix, segment_length, &error);

  g_assert_no_error (error);
  return recorder;
}

/* data: TRUE for a camera asking for a password (given apart from the URL). */
static void
test_segments (gconstpointer data)
{
  gboolean with_password = GPOINTER_TO_INT (data);
  g_autofree char *folder = make_folder ();
  g_autoptr (AttestRecorder) recorder = NULL;
  g_autoptr (GError) error = NULL;
  Server server = { 0 };
  Run run;

  server_start (&server, with_password);
  recorder = recorder_for (&server, folder, "front door/cam", 3 * GST_SECOND);
  if (with_password)
    attest_recorder_set_credentials (recorder, "viewer", PASSWORD);
  {
    g_autofree char *host = g_strdup_printf ("127.0.0.1:%d", server.port);

    g_assert_cmpstr (attest_recorder_get_display_name (recorder), ==, host);
  }
  run_init (&run, recorder);
  attest_recorder_start (recorder);
  g_assert_true (attest_recorder_get_recording (recorder));

  g_assert_true (wait_for (two_segments, &run));
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.segments->len, >=, 2);
  /* Stop: the segment being written is closed too. */
  attest_recorder_stop (recorder);
  g_assert_true (wait_for (stopped, &run));
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.segments->len, >=, 3);
  g_assert_false (attest_recorder_get_recording (recorder));

  for (guint i = 0; i < run.segments->len; i++)
    {
      const char *path = run.segments->pdata[i];
      g_autofree char *base = g_path_get_basename (path);
      guint64 duration = g_array_index (run.durations, guint64, i);
      guint frames = count_frames (path);

      g_test_message ("%s: %u frames", base, frames);
      /* The name is a file name whatever the camera is called. */
      g_assert_true (g_str_has_prefix (base, "front-door-cam-"));
      g_assert_true (g_str_has_suffix (base, ".mkv"));
      g_assert_cmpuint (frames, >, 0);
      /* Cut at the first key frame past 3 s: the sample has one every 2 s. */
      if (i + 1 < run.segments->len)
        g_assert_cmpuint (duration, <=, 5 * GST_SECOND + GST_SECOND / 2);
    }

  server_stop (&server);
  run_clear (&run);
  remove_folder (folder);
}

static gboolean
dropped (gpointer data)
{
  Run *run = data;

  return run->drops > 0 || run->stopped;
}

static gboolean
segment_after_reconnect (gpointer data)
{
  Run *run = data;

  return (run->reconnects > 0 && run->segments->len > run->at_reconnect) || run->stopped;
}

/* The server goes away mid-stream and comes back: the segment being written is kept, the
 * recorder says so, reconnects, and records on in new files; everything recorded decodes. */
static void
test_reconnect (void)
{
  g_autofree char *folder = make_folder ();
  g_autofree char *uri = NULL;
  g_autoptr (AttestRecorder) recorder = NULL;
  g_autoptr (GError) error = NULL;
  Server server = { 0 };
  Run run;
  int port;

  server_start (&server, FALSE);
  port = server.port;
  uri = g_strdup_printf ("rtsp://127.0.0.1:%d/sample", port);
  recorder = attest_recorder_new (uri, folder, "cam", 2 * GST_SECOND, &error);
  g_assert_no_error (error);
  run_init (&run, recorder);
  attest_recorder_start (recorder);
  g_assert_true (wait_for (two_segments, &run));

  server_stop (&server);
  g_assert_true (wait_for (dropped, &run));
  g_assert_false (run.stopped);
  g_assert_true (attest_recorder_get_recording (recorder));

  server_start_on (&server, FALSE, port);
  g_assert_true (wait_for (segment_after_reconnect, &run));
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.reconnects, ==, 1);
  attest_recorder_stop (recorder);
  g_assert_true (wait_for (stopped, &run));
  server_stop (&server);

  g_test_message ("%u segments, %u before the reconnection", run.segments->len, run.at_reconnect);
  g_assert_cmpuint (run.at_reconnect, >=, 3);  /* two whole, and the one cut by the drop */
  for (guint i = 0; i < run.segments->len; i++)
    g_assert_cmpuint (count_frames (run.segments->pdata[i]), >, 0);
  run_clear (&run);
  remove_folder (folder);
}

/* Less free space than the recording needs to go on: it stops before the disk fills, says
 * so, and what it recorded is kept whole. (A real full disk is the same refusal, reported by
 * the file sink; a tmpfs cannot be mounted in the CI container.) */
static void
test_disk_guard (void)
{
  g_autofree char *folder = make_folder ();
  g_autoptr (AttestRecorder) recorder = NULL;
  g_autoptr (GError) error = NULL;
  Server server = { 0 };
  Run run;

  server_start (&server, FALSE);
  recorder = recorder_for (&server, folder, "cam", 2 * GST_SECOND);
  attest_recorder_set_min_free (recorder, G_MAXUINT64);
  run_init (&run, recorder);
  attest_recorder_start (recorder);
  g_assert_true (wait_for (stopped, &run));
  server_stop (&server);

  g_assert_nonnull (run.error);
  g_test_message ("%s", run.error->message);
  g_assert_true (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_NO_SPACE));
  g_assert_true (g_str_has_prefix (run.error->message, "Recording stopped: the disk holding"));
  g_assert_cmpuint (run.segments->len, ==, 1);
  g_assert_cmpuint (count_frames (run.segments->pdata[0]), >, 0);
  run_clear (&run);
  remove_folder (folder);
}

/* ---- watching a network camera live (AttestPipeline) ---- */

typedef struct
{
  AttestPipeline *pipeline;
  guint           most_faces;
  GError         *error;
} Live;

static void
on_live_detections (AttestPipeline *pipeline,
                    GParamSpec     *pspec,
                    Live           *live)
{
  AttestDetections *d = attest_pipeline_get_detections (pipeline);

  if (d != NULL)
    live->most_faces = MAX (live->most_faces, d->n_faces);
}

static void
on_live_error (AttestPipeline *pipeline,
               GError         *error,
               Live           *live)
{
  if (live->error == NULL)
    live->error = g_error_copy (error);
}

static gboolean
live_sees_faces (gpointer data)
{
  Live *live = data;

  return live->most_faces > 0 || live->error != NULL;
}

/* The camera watched live, with faces found on it as they come: live like a local camera (not
 * seekable, no file to queue against); a wrong password said by host. */
static void
test_watch_live (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestVision) vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
  g_autofree char *uri = NULL;
  g_autofree char *expected = NULL;
  Server server = { 0 };
  Live live = { 0 };

  g_assert_no_error (error);
  server_start (&server, TRUE);
  uri = g_strdup_printf ("rtsp://127.0.0.1:%d/sample", server.port);
  live.pipeline = attest_pipeline_new (vision);
  g_signal_connect (live.pipeline, "notify::detections", G_CALLBACK (on_live_detections), &live);
  g_signal_connect (live.pipeline, "error", G_CALLBACK (on_live_error), &live);

  g_assert_true (attest_pipeline_open_stream (live.pipeline, uri, "viewer", PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (live_sees_faces, &live));
  g_assert_no_error (live.error);
  g_test_message ("live: up to %u faces at once", live.most_faces);
  g_assert_true (attest_pipeline_get_playing (live.pipeline));
  g_assert_false (attest_pipeline_get_seekable (live.pipeline));
  g_assert_null (attest_pipeline_get_uri (live.pipeline));

  /* The wrong password: a message by host, not the password. */
  live.most_faces = 0;
  g_assert_true (attest_pipeline_open_stream (live.pipeline, uri, "viewer", "not-" PASSWORD, &error));
  g_assert_true (wait_for (live_sees_faces, &live));
  g_assert_nonnull (live.error);
  g_test_message ("wrong password: %s", live.error->message);
  expected = g_strdup_printf ("“127.0.0.1:%d” refused the user name or password", server.port);
  g_assert_cmpstr (live.error->message, ==, expected);

  /* Not a camera address: refused at once. */
  g_assert_false (attest_pipeline_open_stream (live.pipeline, "file:///etc/passwd", NULL, NULL, &error));
  g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED);

  attest_pipeline_close (live.pipeline);
  g_clear_object (&live.pipeline);
  g_clear_error (&live.error);
  server_stop (&server);
}

/* What the user typed was wrong, or the other side said no: a message naming the host, never
 * the password, and the recorder stops by itself. */
static void
expect_refusal (const char *uri,
                const char *user,
                const char *password,
                const char *expected)
{
  g_autofree char *folder = make_folder ();
  g_autoptr (AttestRecorder) recorder = NULL;
  g_autoptr (GError) error = NULL;
  Run run;

  recorder = attest_recorder_new (uri, folder, "cam", 3 * GST_SECOND, &error);
  g_assert_no_error (error);
  if (user != NULL)
    attest_recorder_set_credentials (recorder, user, password);
  run_init (&run, recorder);
  attest_recorder_start (recorder);
  g_assert_true (wait_for (stopped, &run));
  g_assert_nonnull (run.error);
  g_test_message ("%s: %s", attest_recorder_get_display_name (recorder), run.error->message);
  g_assert_cmpstr (run.error->message, ==, expected);
  g_assert_null (strstr (run.error->message, PASSWORD));
  g_assert_cmpuint (run.segments->len, ==, 0);
  run_clear (&run);
  remove_folder (folder);
}

static void
test_refusals (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) any = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *wrong_path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *wrong_password = NULL;
  g_autofree char *in_url = NULL;
  g_autoptr (GError) error = NULL;
  Server server = { 0 };
  Server guarded = { 0 };
  int port;

  /* A port nobody listens on: bound, then closed, so it is refused at once. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, any, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  closed = g_strdup_printf ("rtsp://127.0.0.1:%d/sample", port);
  expected = g_strdup_printf ("Cannot reach “127.0.0.1:%d”: the camera or the network does not "
                              "answer", port);
  expect_refusal (closed, NULL, NULL, expected);

  server_start (&server, FALSE);
  wrong_path = g_strdup_printf ("rtsp://127.0.0.1:%d/nothing-here", server.port);
  g_free (expected);
  expected = g_strdup_printf ("“127.0.0.1:%d” has no stream at that address", server.port);
  expect_refusal (wrong_path, NULL, NULL, expected);
  server_stop (&server);

  server_start (&guarded, TRUE);
  wrong_password = g_strdup_printf ("rtsp://127.0.0.1:%d/sample", guarded.port);
  g_free (expected);
  expected = g_strdup_printf ("“127.0.0.1:%d” refused the user name or password", guarded.port);
  expect_refusal (wrong_password, "viewer", "not-" PASSWORD, expected);
  /* The password in the URL itself is used, and never shown either. */
  in_url = g_strdup_printf ("rtsp://viewer:wrong-%s@127.0.0.1:%d/sample", PASSWORD, guarded.port);
  expect_refusal (in_url, NULL, NULL, expected);
  server_stop (&guarded);
}

static void
test_bad_addresses (void)
{
  const char *bad[] = { "", "rtsp://", "ftp://127.0.0.1/x", "file:///etc/passwd", "/tmp/x.mp4",
                        "127.0.0.1:554", "rtsp:///path" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AttestRecorder) recorder = attest_recorder_new (bad[i], "/tmp", "cam",
                                                                 GST_SECOND, &error);

      g_assert_null (recorder);
      g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED);
    }
}

/* ---- attest-cli watch ---- */

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communicate;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicate *c = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err,
                                        &c->error);
  c->done = TRUE;
}

/* Runs attest-cli while this process's main context serves the RTSP stream. */
static int
run_cli (const char * const *args,
         char              **out)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  Communicate c = { 0 };
  gint64 deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &c);
  while (!c.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_no_error (c.error);
  if (c.err != NULL && *c.err != '\0')
    g_test_message ("attest-cli %s said: %s", args[2], c.err);
  g_free (c.err);
  *out = c.out;
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* Headless: the camera recorded in 3 s segments for 9 s; each segment hashed and scanned;
 * faces of enrolled people queued against the segment they are in. */
static void
test_cli_watch (void)
{
  g_autofree char *folder = make_folder ();
  g_autofree char *recordings = g_build_filename (folder, "recordings", NULL);
  g_autofree char *db = g_build_filename (folder, "gallery.db", NULL);
  g_autofree char *johns = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", NULL);
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GDir) people = g_dir_open (johns, 0, NULL);
  g_autoptr (GHashTable) segments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Server server = { 0 };
  const char *person;
  guint n_items = 0, n_enrolled = 0;
  int status;

  /* Every person of the sample enrolled from one photo. */
  g_assert_nonnull (people);
  while ((person = g_dir_read_name (people)) != NULL)
    {
      g_autofree char *dir = g_build_filename (johns, person, NULL);
      g_autoptr (GDir) photos = g_dir_open (dir, 0, NULL);
      g_autofree char *first = NULL;
      g_autofree char *photo = NULL;
      g_autofree char *enrol_out = NULL;
      const char *name;

      while (photos != NULL && (name = g_dir_read_name (photos)) != NULL)
        if (g_str_has_suffix (name, ".jpg") && (first == NULL || strcmp (name, first) < 0))
          {
            g_free (first);
            first = g_strdup (name);
          }
      if (first == NULL)
        continue;
      photo = g_build_filename (dir, first, NULL);
      {
        const char *args[] = { "--database", db, "enrol", "-i", person, "-b", "Case file photo",
                               "-r", "Test Reviewer", photo, NULL };

        if (run_cli (args, &enrol_out) == 0)
          n_enrolled++;
      }
    }
  g_assert_cmpuint (n_enrolled, >=, 3);

  server_start (&server, FALSE);
  uri = g_strdup_printf ("rtsp://127.0.0.1:%d/sample", server.port);
  {
    const char *args[] = { "--database", db, "watch", uri, "--duration", "9", "--segment", "3",
                           "--folder", recordings, "--name", "lobby", NULL };

    status = run_cli (args, &out);
  }
  server_stop (&server);
  g_test_message ("watch printed:\n%s", out);
  g_assert_cmpint (status, ==, 0);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (o, "dropped") || json_object_has_member (o, "reconnected"))
        g_error ("the stream from a steady server dropped: %s", lines[i]);
      else if (json_object_has_member (o, "segment"))
        {
          const char *path = json_object_get_string_member (o, "segment");
          g_autoptr (GFile) file = g_file_new_for_path (path);
          g_autofree char *sha = attest_file_sha256 (file, NULL, NULL);

          /* The hash printed is the file's on disk. */
          g_assert_cmpstr (sha, ==, json_object_get_string_member (o, "sha256"));
          g_assert_true (g_str_has_prefix (path, recordings));
          g_hash_table_insert (segments, g_strdup (path), g_strdup (sha));
        }
      else
        {
          const char *file = json_object_get_string_member (o, "file");
          JsonArray *candidates = json_object_get_array_member (o, "candidates");

          /* Queued against a segment already printed, with someone enrolled suggested. */
          g_assert_true (g_hash_table_contains (segments, file));
          g_assert_cmpuint (json_array_get_length (candidates), >, 0);
          g_assert_true (g_str_has_prefix (json_object_get_string_member (
                           json_array_get_object_element (candidates, 0), "identity"), "John_"));
          n_items++;
        }
    }
  g_test_message ("%u segments, %u items", g_hash_table_size (segments), n_items);
  g_assert_cmpuint (g_hash_table_size (segments), >=, 3);
  g_assert_cmpuint (n_items, >, 0);
  remove_folder (recordings);
  remove_folder (folder);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recorder/bad-addresses", test_bad_addresses);
  g_test_add_data_func ("/recorder/segments", GINT_TO_POINTER (FALSE), test_segments);
  g_test_add_data_func ("/recorder/password", GINT_TO_POINTER (TRUE), test_segments);
  g_test_add_func ("/recorder/refusals", test_refusals);
  g_test_add_func ("/recorder/reconnect", test_reconnect);
  g_test_add_func ("/recorder/disk-guard", test_disk_guard);
  g_test_add_func ("/recorder/cli-watch", test_cli_watch);
  g_test_add_func ("/recorder/watch-live", test_watch_live);
  return g_test_run ();
}
