/* attest-video-page.c: the Video page (see attest-video-page.h): the video on screen, its
 * controls and keys, opening files and cameras, and playing a moment asked for. What is done
 * with the faces on it: attest-video-page-faces.c.
 *
 * Each open (file or camera) builds a fresh AttestPipeline and swaps it in only once it has
 * prerolled, so a file that fails to open leaves the video that was on screen untouched. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "attest-side-layout.h"
#include "attest-toast.h"
#include "attest-video-page.h"
#include "attest-video-page-private.h"

#define SEEK_STEP (5 * GST_SECOND)


G_DEFINE_FINAL_TYPE (AttestVideoPage, attest_video_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MATCH_THRESHOLD,
  PROP_TITLE,
  PROP_FILE_URI,
  PROP_OPENING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ENROL_FACE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_attest_video_page_toast (AttestVideoPage *self,
                          const char      *message)
{
  attest_widget_toast (GTK_WIDGET (self), message);
}

/* ---- the controls ---- */

/* "0:07", or "1:02:03" past an hour. */
static char *
format_time (GstClockTime t)
{
  guint64 s = GST_CLOCK_TIME_IS_VALID (t) ? t / GST_SECOND : 0;

  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", (guint) (s / 3600), (guint) (s / 60 % 60), (guint) (s % 60));
  return g_strdup_printf ("%u:%02u", (guint) (s / 60), (guint) (s % 60));
}

static char *
get_display_name (GFile *file)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *basename = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL)
    return g_strdup (g_file_info_get_display_name (info));
  /* A file that does not exist still has a name worth showing. */
  basename = g_file_get_basename (file);
  if (basename != NULL)
    return g_filename_display_name (basename);
  return g_file_get_parse_name (file);
}

static gboolean
seekable (AttestVideoPage *self)
{
  return self->pipeline != NULL && attest_pipeline_get_seekable (self->pipeline);
}

static void
update_actions (AttestVideoPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean can_seek = seekable (self);

  gtk_widget_action_set_enabled (widget, "video.toggle-play", self->pipeline != NULL);
  gtk_widget_action_set_enabled (widget, "video.step-forward", can_seek);
  gtk_widget_action_set_enabled (widget, "video.step-back", can_seek);
  gtk_widget_action_set_enabled (widget, "video.seek-forward", can_seek);
  gtk_widget_action_set_enabled (widget, "video.seek-back", can_seek);
  gtk_widget_set_sensitive (GTK_WIDGET (self->seek_scale), can_seek);
}

static void
update_play_button (AttestVideoPage *self)
{
  gboolean playing = self->pipeline != NULL && attest_pipeline_get_playing (self->pipeline);
  const char *text = playing ? _("Pause") : _("Play");

  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), text);
  /* An icon-only button: a screen reader says what the tooltip says. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
update_time (AttestVideoPage *self)
{
  GstClockTime position = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  g_autofree char *pos_text = NULL;
  g_autofree char *dur_text = NULL;
  g_autofree char *text = NULL;

  if (self->pipeline != NULL)
    {
      position = attest_pipeline_get_position (self->pipeline);
      duration = attest_pipeline_get_duration (self->pipeline);
    }

  /* Setting the adjustment does not emit GtkRange::change-value, which is the only signal
   * that seeks: no feedback loop between the pipeline and the scale. */
  gtk_adjustment_set_upper (self->seek_adjustment,
                            GST_CLOCK_TIME_IS_VALID (duration) && duration > 0
                            ? (double) duration / GST_SECOND : 1.0);
  gtk_adjustment_set_value (self->seek_adjustment,
                            GST_CLOCK_TIME_IS_VALID (position) ? (double) position / GST_SECOND : 0.0);

  pos_text = format_time (position);
  if (GST_CLOCK_TIME_IS_VALID (duration))
    {
      dur_text = format_time (duration);
      /* Translators: position / duration of the video, e.g. "0:07 / 0:24" */
      text = g_strdup_printf (_("%s / %s"), pos_text, dur_text);
      gtk_label_set_text (self->time_label, text);
    }
  else
    gtk_label_set_text (self->time_label, pos_text);
}

static void
update_faces_label (AttestVideoPage *self)
{
  guint n = attest_video_view_get_visible_faces (self->video_view);
  g_autofree char *text = NULL;

  if (!self->pipeline_analyses)
    text = g_strdup (_("Face detection off"));
  else if (!attest_video_view_get_boxes_shown (self->video_view))
    /* The latest analysis is for another frame: say nothing about this one yet. */
    text = g_strdup (_("Looking for faces…"));
  else if (n == 0)
    text = g_strdup (_("No faces"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u face", "%u faces", n), n);

  gtk_label_set_text (self->faces_label, text);
}

static void
update_controls (AttestVideoPage *self)
{
  update_actions (self);
  update_play_button (self);
  update_time (self);
  update_faces_label (self);
}

static void
on_pipeline_error (AttestVideoPage *self,
                   GError          *error,
                   gpointer         pipeline)
{
  _attest_video_page_toast (self, error != NULL ? error->message : _("The video stopped"));
  update_controls (self);
}

static gboolean
on_seek_change_value (GtkRange        *range,
                      GtkScrollType    scroll,
                      double           value,
                      AttestVideoPage *self)
{
  double upper = gtk_adjustment_get_upper (self->seek_adjustment);

  if (seekable (self))
    attest_pipeline_seek (self->pipeline, (GstClockTime) (CLAMP (value, 0.0, upper) * GST_SECOND));
  return FALSE;
}

/* ---- the video on screen ---- */

/* Makes `pipeline` the one on screen (NULL: nothing open) and closes the previous one. */
/* The recording of the network camera on screen ends (its last segment is closed and
 * handed on); nothing is recorded while nothing is watched. */
static void
stop_recording (AttestVideoPage *self)
{
  if (self->recorder == NULL)
    return;
  /* It finishes on its own and is released when it says it stopped. */
  attest_recorder_stop (self->recorder);
}

static void
set_pipeline (AttestVideoPage *self,
              AttestPipeline  *pipeline,
              const char      *title)
{
  g_autoptr (AttestPipeline) old = g_steal_pointer (&self->pipeline);

  if (pipeline != NULL)
    self->pipeline = g_object_ref (pipeline);
  self->pipeline_analyses = pipeline != NULL && self->vision != NULL;

  stop_recording (self);
  /* A face selected in the previous video is nobody in this one. */
  attest_video_view_select_face (self->video_view, -1);
  g_signal_group_set_target (self->pipeline_signals, self->pipeline);
  g_binding_group_set_source (self->pipeline_bindings, self->pipeline);

  if (self->pipeline == NULL)
    {
      attest_video_view_set_paintable (self->video_view, NULL);
      attest_video_view_set_detections (self->video_view, NULL);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "video");

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE_URI]);

  if (old != NULL)
    attest_pipeline_close (old);

  update_controls (self);
}

/* ---- opening ---- */

typedef struct
{
  AttestVideoPage *self;
  AttestPipeline  *pipeline;
  GFile           *file;
  GCancellable    *cancellable;
} OpenRequest;

static void
open_request_free (OpenRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->pipeline);
  g_clear_object (&request->file);
  g_clear_object (&request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpenRequest, open_request_free)

static void
set_opening (AttestVideoPage *self,
             GCancellable    *cancellable)
{
  gboolean was = self->open_cancellable != NULL;

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  if (cancellable != NULL)
    self->open_cancellable = g_object_ref (cancellable);
  if (was != (cancellable != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPENING]);
}

static void
open_file_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (OpenRequest) request = user_data;
  AttestVideoPage *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean ok;

  ok = attest_pipeline_open_file_finish (request->pipeline, result, &error);

  /* Superseded by a newer open, or the page is going away. */
  if (g_cancellable_is_cancelled (request->cancellable))
    {
      if (ok)
        attest_pipeline_close (request->pipeline);
      return;
    }

  g_clear_object (&self->open_cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPENING]);
  name = get_display_name (request->file);

  if (!ok)
    {
      g_autofree char *message = NULL;

      /* The pipeline's messages name the file; make sure any other one does too. */
      if (error->message != NULL && strstr (error->message, name) != NULL)
        message = g_strdup (error->message);
      else
        message = g_strdup_printf (_("Cannot open “%s”: %s"), name, error->message);
      _attest_video_page_toast (self, message);
      g_clear_pointer (&self->seek_uri, g_free);
      return;
    }

  set_pipeline (self, request->pipeline, name);
  attest_pipeline_play (request->pipeline);
}

void
attest_video_page_open_file (AttestVideoPage *self,
                             GFile           *file)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  OpenRequest *request;

  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  set_opening (self, cancellable);
  request = g_new0 (OpenRequest, 1);
  request->self = g_object_ref (self);
  request->pipeline = attest_pipeline_new (self->vision);
  _attest_video_page_setup_pipeline (self, request->pipeline);
  request->file = g_object_ref (file);
  request->cancellable = g_object_ref (cancellable);

  attest_pipeline_open_file_async (request->pipeline, file, request->cancellable,
                                   open_file_done, request);
}

void
attest_video_page_open_camera (AttestVideoPage *self)
{
  g_autoptr (AttestPipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  pipeline = attest_pipeline_new (self->vision);
  _attest_video_page_setup_pipeline (self, pipeline);
  if (!attest_pipeline_open_camera (pipeline, NULL, &error))
    {
      _attest_video_page_toast (self, error->message);
      return;
    }

  /* A camera replaces a file being opened. */
  set_opening (self, NULL);
  set_pipeline (self, pipeline, _("Camera"));
  attest_pipeline_play (pipeline);
}

/* ---- network cameras ---- */

static void
show_recording (AttestVideoPage *self,
                const char      *text)
{
  gtk_widget_set_visible (GTK_WIDGET (self->recording_label), text != NULL);
  if (text != NULL)
    gtk_label_set_text (self->recording_label, text);
}

static void
on_segment_recorded (AttestRecorder  *recorder,
                     const char      *path,
                     guint64          start,
                     guint64          duration,
                     AttestVideoPage *self)
{
  g_autofree char *text = NULL;

  self->n_recorded++;
  if (recorder == self->recorder && attest_recorder_get_recording (recorder))
    {
      /* Translators: the recording indicator, "● Recording · 3 segments". */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "● Recording · %u segment",
                                           "● Recording · %u segments", self->n_recorded),
                              self->n_recorded);
      show_recording (self, text);
    }
  g_signal_emit_by_name (self, "segment-recorded", path);
}

static void
on_recording_dropped (AttestRecorder  *recorder,
                      GError          *error,
                      guint            retry_in,
                      AttestVideoPage *self)
{
  g_autofree char *text = g_strdup_printf (_("%s; reconnecting in %u s"), error->message,
                                           retry_in);

  show_recording (self, _("Reconnecting…"));
  _attest_video_page_toast (self, text);
}

static void
on_recording_failed (AttestRecorder  *recorder,
                     GError          *error,
                     AttestVideoPage *self)
{
  _attest_video_page_toast (self, error->message);
}

static void
on_recording_stopped (AttestRecorder  *recorder,
                      AttestVideoPage *self)
{
  if (recorder == self->recorder)
    {
      g_signal_handlers_disconnect_by_data (recorder, self);
      g_clear_object (&self->recorder);
      show_recording (self, NULL);
    }
}

gboolean
attest_video_page_open_stream (AttestVideoPage  *self,
                               const char       *uri,
                               const char       *user,
                               const char       *password,
                               const char       *folder,
                               GError          **error)
{
  g_autoptr (AttestPipeline) pipeline = NULL;
  g_autoptr (AttestRecorder) recorder = NULL;

  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (folder != NULL, FALSE);

  recorder = attest_recorder_new (uri, folder, "camera", self->segment_length, error);
  if (recorder == NULL)
    return FALSE;
  if (user != NULL)
    attest_recorder_set_credentials (recorder, user, password);
  pipeline = attest_pipeline_new (self->vision);
  _attest_video_page_setup_pipeline (self, pipeline);
  if (!attest_pipeline_open_stream (pipeline, uri, user, password, error))
    return FALSE;

  /* A network camera replaces a file being opened. */
  set_opening (self, NULL);
  set_pipeline (self, pipeline, attest_recorder_get_display_name (recorder));
  attest_pipeline_play (pipeline);

  self->recorder = g_steal_pointer (&recorder);
  self->n_recorded = 0;
  g_signal_connect (self->recorder, "segment-closed", G_CALLBACK (on_segment_recorded), self);
  g_signal_connect (self->recorder, "dropped", G_CALLBACK (on_recording_dropped), self);
  g_signal_connect (self->recorder, "failed", G_CALLBACK (on_recording_failed), self);
  g_signal_connect (self->recorder, "stopped", G_CALLBACK (on_recording_stopped), self);
  attest_recorder_start (self->recorder);
  if (self->recorder != NULL)
    show_recording (self, _("● Recording"));
  return TRUE;
}

void
attest_video_page_set_segment_length (AttestVideoPage *self,
                                      GstClockTime     length)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  self->segment_length = length > 0 ? length : 300 * GST_SECOND;
}

const char *
_attest_video_page_get_recording_text (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->recording_label))
         ? gtk_label_get_text (self->recording_label) : NULL;
}

/* ---- Play This Moment ---- */

static gboolean
same_uri (const char *a,
          const char *b)
{
  g_autoptr (GFile) fa = NULL;
  g_autoptr (GFile) fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_file_new_for_uri (a);
  fb = g_file_new_for_uri (b);
  return g_file_equal (fa, fb);
}

static gboolean
seek_idle_cb (gpointer data)
{
  AttestVideoPage *self = data;

  self->seek_idle = 0;
  if (self->pipeline != NULL && same_uri (attest_pipeline_get_uri (self->pipeline), self->seek_uri))
    {
      attest_pipeline_seek (self->pipeline, (GstClockTime) MAX (self->seek_ms, 0) * GST_MSECOND);
      attest_pipeline_play (self->pipeline);
    }
  g_clear_pointer (&self->seek_uri, g_free);
  return G_SOURCE_REMOVE;
}

/* Every pipeline that comes on screen gets the index and the rejections as they are now (one
 * opened while either was loading was set up with what was there before), and the moment
 * asked for. */
static void
on_pipeline_bind (GSignalGroup    *group,
                  GObject         *pipeline,
                  AttestVideoPage *self)
{
  attest_pipeline_set_matcher (ATTEST_PIPELINE (pipeline), self->matcher, self->identity_names);
  attest_pipeline_set_rejections (ATTEST_PIPELINE (pipeline), self->rejections);
  if (self->seek_uri != NULL && self->seek_idle == 0 &&
      same_uri (attest_pipeline_get_uri (ATTEST_PIPELINE (pipeline)), self->seek_uri))
    /* After it has started playing from the start. */
    self->seek_idle = g_idle_add (seek_idle_cb, self);
}

void
attest_video_page_play_moment (AttestVideoPage *self,
                               const char      *uri,
                               gint64           ms)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));
  g_return_if_fail (uri != NULL);

  g_free (self->seek_uri);
  self->seek_uri = g_strdup (uri);
  self->seek_ms = ms;
  if (self->pipeline != NULL && same_uri (attest_pipeline_get_uri (self->pipeline), uri))
    {
      if (self->seek_idle == 0)
        self->seek_idle = g_idle_add (seek_idle_cb, self);
    }
  else
    {
      g_autoptr (GFile) file = g_file_new_for_uri (uri);

      attest_video_page_open_file (self, file);
    }
}

/* ---- actions ---- */

static void
toggle_play_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (widget);

  if (self->pipeline != NULL)
    attest_pipeline_toggle_play (self->pipeline);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (widget);

  if (seekable (self))
    attest_pipeline_step (self->pipeline, g_str_equal (action_name, "video.step-forward") ? 1 : -1);
}

static void
seek_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (widget);
  GstClockTime position, duration, target;

  if (!seekable (self))
    return;

  position = attest_pipeline_get_position (self->pipeline);
  duration = attest_pipeline_get_duration (self->pipeline);
  if (!GST_CLOCK_TIME_IS_VALID (position))
    position = 0;

  if (g_str_equal (action_name, "video.seek-forward"))
    {
      target = position + SEEK_STEP;
      if (GST_CLOCK_TIME_IS_VALID (duration) && target > duration)
        target = duration;
    }
  else
    target = position > SEEK_STEP ? position - SEEK_STEP : 0;

  attest_pipeline_seek (self->pipeline, target);
}

/* The keys drive the video from anywhere in the window (capture phase, before a focused
 * button takes them) while the page is on screen, except where typing or a menu needs them. */
static gboolean
shortcut_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (user_data);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));
  const char *action = g_variant_get_string (args, NULL);
  gboolean video_key = g_str_has_prefix (action, "video.");

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  if (video_key && focus != NULL &&
      (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;
  if (video_key && self->pipeline == NULL)
    return FALSE;
  if (video_key && !g_str_equal (action, "video.toggle-play") && !seekable (self))
    return FALSE;

  return gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

void
attest_video_page_add_shortcuts (AttestVideoPage *self,
                                 GtkWidget       *window)
{
  static const struct { guint key; GdkModifierType mods; const char *action; } keys[] = {
    { GDK_KEY_space, 0, "video.toggle-play" },
    { GDK_KEY_period, 0, "video.step-forward" },
    { GDK_KEY_comma, 0, "video.step-back" },
    { GDK_KEY_Right, 0, "video.seek-forward" },
    { GDK_KEY_Left, 0, "video.seek-back" },
    { GDK_KEY_e, GDK_CONTROL_MASK, "face.enrol" },
    { GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "face.send-to-review" },
  };
  GtkEventController *controller;

  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));
  g_return_if_fail (GTK_IS_WIDGET (window));

  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (controller, "attest-video-shortcuts");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut =
        gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].key, keys[i].mods),
                                         gtk_callback_action_new (shortcut_cb, self, NULL),
                                         "s", keys[i].action);

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (window, controller);
}

/* ---- setters ---- */

void
attest_video_page_set_vision (AttestVideoPage *self,
                              AttestVision    *vision)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  self->vision = vision;
  /* The rejected probes are compared by this model's embeddings. */
  _attest_video_page_reload_rejections (self);
}

void
attest_video_page_set_store (AttestVideoPage *self,
                             AttestStore     *store)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  attest_candidate_panel_set_store (self->candidate_panel, store);
  /* A reject or an undo, here or in another process, changes what may be suggested. */
  if (store != NULL)
    g_signal_connect_object (store, "changed::rejections", G_CALLBACK (_attest_video_page_reload_rejections), self,
                             G_CONNECT_SWAPPED);
  _attest_video_page_reload_rejections (self);
}

void
attest_video_page_set_matcher (AttestVideoPage *self,
                               AttestMatcher   *matcher,
                               GHashTable      *identity_names)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  if (matcher != NULL)
    attest_matcher_ref (matcher);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  self->matcher = matcher;
  if (identity_names != NULL)
    g_hash_table_ref (identity_names);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  self->identity_names = identity_names;

  /* The video on screen is compared with the new gallery from its next analysed frame (a
   * paused frame at once). */
  if (self->pipeline != NULL)
    attest_pipeline_set_matcher (self->pipeline, matcher, identity_names);
  _attest_video_page_update_revealer (self);
}

void
attest_video_page_set_impostor_stats (AttestVideoPage           *self,
                                      const AttestImpostorStats *stats,
                                      gboolean                   enough)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  attest_candidate_panel_set_impostor_stats (self->candidate_panel, stats, enough);
}

void
attest_video_page_set_match_threshold (AttestVideoPage *self,
                                       double           threshold)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  if (self->match_threshold == threshold)
    return;
  self->match_threshold = threshold;
  attest_video_view_set_match_threshold (self->video_view, threshold);
  attest_candidate_panel_set_threshold (self->candidate_panel, threshold);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_THRESHOLD]);
}

const char *
attest_video_page_get_title (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  return self->title;
}

const char *
attest_video_page_get_file_uri (AttestVideoPage *self)
{
  const char *uri;

  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  uri = self->pipeline != NULL ? attest_pipeline_get_uri (self->pipeline) : NULL;
  return uri != NULL && g_str_has_prefix (uri, "file:") ? uri : NULL;
}

gboolean
attest_video_page_get_opening (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), FALSE);

  return self->open_cancellable != NULL;
}

void
attest_video_page_pause (AttestVideoPage *self)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAGE (self));

  if (self->pipeline != NULL && attest_pipeline_get_playing (self->pipeline))
    attest_pipeline_pause (self->pipeline);
}

GtkWidget *
attest_video_page_get_controls (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  return self->controls;
}

AttestPipeline *
_attest_video_page_get_pipeline (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  return self->pipeline;
}

AttestVideoView *
_attest_video_page_get_video_view (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  return self->video_view;
}

AttestCandidatePanel *
_attest_video_page_get_candidate_panel (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), NULL);

  return self->candidate_panel;
}

guint
_attest_video_page_get_queue_in_flight (AttestVideoPage *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAGE (self), 0);

  return self->queue_in_flight;
}

/* ---- GObject ---- */

GtkWidget *
attest_video_page_new (void)
{
  return g_object_new (ATTEST_TYPE_VIDEO_PAGE, NULL);
}

static void
attest_video_page_dispose (GObject *object)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (object);

  set_opening (self, NULL);
  if (self->recorder != NULL)
    {
      /* The window closes: the segment being written ends where it is (still readable). */
      g_signal_handlers_disconnect_by_data (self->recorder, self);
      g_clear_object (&self->recorder);
    }
  g_cancellable_cancel (self->rejections_cancellable);
  g_clear_object (&self->rejections_cancellable);
  g_clear_handle_id (&self->seek_idle, g_source_remove);
  if (self->pipeline != NULL)
    {
      g_signal_group_set_target (self->pipeline_signals, NULL);
      g_binding_group_set_source (self->pipeline_bindings, NULL);
      attest_pipeline_close (self->pipeline);
      g_clear_object (&self->pipeline);
    }
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_VIDEO_PAGE);

  G_OBJECT_CLASS (attest_video_page_parent_class)->dispose (object);
}

static void
attest_video_page_finalize (GObject *object)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (object);

  g_clear_object (&self->pipeline_signals);
  g_clear_object (&self->pipeline_bindings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  g_clear_pointer (&self->rejections, attest_rejections_unref);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->last_queue_error, g_free);
  g_clear_pointer (&self->seek_uri, g_free);

  G_OBJECT_CLASS (attest_video_page_parent_class)->finalize (object);
}

static void
attest_video_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (object);

  switch (prop_id)
    {
    case PROP_MATCH_THRESHOLD:
      g_value_set_double (value, self->match_threshold);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_FILE_URI:
      g_value_set_string (value, attest_video_page_get_file_uri (self));
      break;
    case PROP_OPENING:
      g_value_set_boolean (value, attest_video_page_get_opening (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_video_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (object);

  switch (prop_id)
    {
    case PROP_MATCH_THRESHOLD:
      attest_video_page_set_match_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_video_page_class_init (AttestVideoPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_video_page_dispose;
  object_class->finalize = attest_video_page_finalize;
  object_class->get_property = attest_video_page_get_property;
  object_class->set_property = attest_video_page_set_property;

  properties[PROP_MATCH_THRESHOLD] =
    g_param_spec_double ("match-threshold", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE_URI] =
    g_param_spec_string ("file-uri", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPENING] =
    g_param_spec_boolean ("opening", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_signal_new ("segment-recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ENROL_FACE] =
    g_signal_new ("enrol-face", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 6, GDK_TYPE_TEXTURE, G_TYPE_POINTER,
                  G_TYPE_BOOLEAN, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64);

  g_type_ensure (ATTEST_TYPE_VIDEO_VIEW);
  g_type_ensure (ATTEST_TYPE_SIDE_LAYOUT);
  g_type_ensure (ATTEST_TYPE_CANDIDATE_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-video-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, video_view);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, play_button);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, seek_scale);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, seek_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, time_label);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, faces_label);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, recording_label);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, controls);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, panel_revealer);
  gtk_widget_class_bind_template_child (widget_class, AttestVideoPage, candidate_panel);
  gtk_widget_class_bind_template_callback (widget_class, on_seek_change_value);

  gtk_widget_class_install_action (widget_class, "video.toggle-play", NULL, toggle_play_action);
  gtk_widget_class_install_action (widget_class, "video.step-forward", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "video.step-back", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "video.seek-forward", NULL, seek_action);
  gtk_widget_class_install_action (widget_class, "video.seek-back", NULL, seek_action);
  gtk_widget_class_install_action (widget_class, "face.enrol", NULL, _attest_video_page_enrol_action);
  gtk_widget_class_install_action (widget_class, "face.send-to-review", NULL,
                                   _attest_video_page_send_to_review_action);
}

static void
attest_video_page_init (AttestVideoPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The root stack is AdwBin's child, not a bound template child: disposing the template
   * would unparent it behind AdwBin's back. */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  self->match_threshold = 0.5;
  self->segment_length = 300 * GST_SECOND;
  attest_video_view_set_match_threshold (self->video_view, self->match_threshold);
  attest_candidate_panel_set_threshold (self->candidate_panel, self->match_threshold);

  self->pipeline_signals = g_signal_group_new (ATTEST_TYPE_PIPELINE);
  g_signal_group_connect_swapped (self->pipeline_signals, "notify::playing",
                                  G_CALLBACK (update_play_button), self);
  g_signal_group_connect_swapped (self->pipeline_signals, "notify::position",
                                  G_CALLBACK (update_time), self);
  g_signal_group_connect_swapped (self->pipeline_signals, "notify::duration",
                                  G_CALLBACK (update_time), self);
  g_signal_group_connect_swapped (self->pipeline_signals, "notify::seekable",
                                  G_CALLBACK (update_actions), self);
  g_signal_group_connect_swapped (self->pipeline_signals, "eos",
                                  G_CALLBACK (update_play_button), self);
  g_signal_group_connect_swapped (self->pipeline_signals, "error",
                                  G_CALLBACK (on_pipeline_error), self);
  g_signal_connect (self->pipeline_signals, "bind", G_CALLBACK (on_pipeline_bind), self);

  self->pipeline_bindings = g_binding_group_new ();
  g_binding_group_bind (self->pipeline_bindings, "paintable",
                        self->video_view, "paintable", G_BINDING_SYNC_CREATE);
  /* The pipeline's "detections" follow the frame on screen: on every frame shown it looks
   * up the newest result computed for that frame or an earlier one (results are computed
   * ahead of the screen while playing), and the view draws it under its PTS rule. */
  g_binding_group_bind (self->pipeline_bindings, "detections",
                        self->video_view, "detections", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->pipeline_bindings, "analysis-interval",
                        self->video_view, "analysis-interval", G_BINDING_SYNC_CREATE);
  /* A box may be drawn by hand only on a paused frame. */
  g_binding_group_bind (self->pipeline_bindings, "playing",
                        self->video_view, "can-draw-box",
                        G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  g_signal_connect_swapped (self->video_view, "notify::visible-faces",
                            G_CALLBACK (update_faces_label), self);
  g_signal_connect_swapped (self->video_view, "notify::boxes-shown",
                            G_CALLBACK (update_faces_label), self);
  _attest_video_page_init_faces (self);

  attest_candidate_panel_set_impostor_stats (self->candidate_panel, NULL, FALSE);
  update_controls (self);
}
