/* attest-window.c: the main window (its actions and shortcuts: attest-window-actions.c).
 *
 * Each open (file or camera) builds a fresh AttestPipeline and swaps it in only once it has
 * prerolled, so a file that fails to open leaves the video that was on screen untouched. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "media/attest-pipeline.h"
#include "widgets/attest-side-layout.h"
#include "widgets/attest-video-view.h"
#include "attest-window-private.h"

G_DEFINE_FINAL_TYPE (AttestWindow, attest_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  AttestWindow   *window;
  AttestPipeline *pipeline;
  GFile          *file;
  GCancellable   *cancellable;
} OpenRequest;

static void
open_request_free (OpenRequest *request)
{
  g_clear_object (&request->window);
  g_clear_object (&request->pipeline);
  g_clear_object (&request->file);
  g_clear_object (&request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpenRequest, open_request_free)

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

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL)
    return g_strdup (g_file_info_get_display_name (info));

  /* A file that does not exist still has a name worth showing. */
  {
    g_autofree char *basename = g_file_get_basename (file);

    if (basename != NULL)
      return g_filename_display_name (basename);
  }

  return g_file_get_parse_name (file);
}

gboolean
_attest_window_pipeline_seekable (AttestWindow *self)
{
  return self->pipeline != NULL && attest_pipeline_get_seekable (self->pipeline);
}

static void
update_actions (AttestWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean open = self->pipeline != NULL;
  gboolean seekable = _attest_window_pipeline_seekable (self);
  const char *uri;

  gtk_widget_action_set_enabled (widget, "video.toggle-play", open);
  gtk_widget_action_set_enabled (widget, "video.step-forward", seekable);
  gtk_widget_action_set_enabled (widget, "video.step-back", seekable);
  gtk_widget_action_set_enabled (widget, "video.seek-forward", seekable);
  gtk_widget_action_set_enabled (widget, "video.seek-back", seekable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->seek_scale), seekable);
  /* "Scan This Video": a file on screen (a camera is not a file to scan). */
  uri = open ? attest_pipeline_get_uri (self->pipeline) : NULL;
  gtk_widget_action_set_enabled (widget, "win.scan-video",
                                 uri != NULL && g_str_has_prefix (uri, "file:"));
}

static void
update_play_button (AttestWindow *self)
{
  gboolean playing = self->pipeline != NULL && attest_pipeline_get_playing (self->pipeline);

  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
  /* An icon-only button: a screen reader says what the tooltip says. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, playing ? _("Pause") : _("Play"),
                                  -1);
}

static void
update_time (AttestWindow *self)
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
update_faces_label (AttestWindow *self)
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
update_controls (AttestWindow *self)
{
  update_actions (self);
  update_play_button (self);
  update_time (self);
  update_faces_label (self);
}

static void
on_pipeline_error (AttestWindow *self,
                   GError       *error,
                   gpointer      pipeline)
{
  g_assert (ATTEST_IS_WINDOW (self));

  attest_window_show_toast (self, error != NULL ? error->message : _("The video stopped"));
  update_controls (self);
}

/* Makes `pipeline` the one on screen (NULL: nothing open) and closes the previous one. */
static void
set_pipeline (AttestWindow   *self,
              AttestPipeline *pipeline,
              gboolean        analyses)
{
  g_autoptr (AttestPipeline) old = g_steal_pointer (&self->pipeline);

  if (pipeline != NULL)
    self->pipeline = g_object_ref (pipeline);
  self->pipeline_analyses = pipeline != NULL && analyses;

  /* A face selected in the previous video is nobody in this one. */
  attest_video_view_select_face (self->video_view, -1);
  g_signal_group_set_target (self->pipeline_signals, self->pipeline);
  g_binding_group_set_source (self->pipeline_bindings, self->pipeline);

  if (self->pipeline == NULL)
    {
      attest_video_view_set_paintable (self->video_view, NULL);
      attest_video_view_set_detections (self->video_view, NULL);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "video");

  if (old != NULL)
    attest_pipeline_close (old);

  update_controls (self);
}

static void
open_file_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (OpenRequest) request = user_data;
  AttestWindow *self = request->window;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean ok;

  ok = attest_pipeline_open_file_finish (request->pipeline, result, &error);

  /* Superseded by a newer open, or the window is going away. */
  if (g_cancellable_is_cancelled (request->cancellable))
    {
      if (ok)
        attest_pipeline_close (request->pipeline);
      return;
    }

  g_clear_object (&self->open_cancellable);
  name = get_display_name (request->file);

  if (!ok)
    {
      g_autofree char *message = NULL;

      /* The pipeline's messages name the file; make sure any other one does too. */
      if (error->message != NULL && strstr (error->message, name) != NULL)
        message = g_strdup (error->message);
      else
        message = g_strdup_printf (_("Cannot open “%s”: %s"), name, error->message);

      attest_window_show_toast (self, message);
      return;
    }

  set_pipeline (self, request->pipeline, self->vision != NULL);
  adw_view_switcher_title_set_subtitle (self->switcher_title, name);
  attest_pipeline_play (request->pipeline);
}

void
attest_window_open_file (AttestWindow *self,
                         GFile        *file)
{
  OpenRequest *request;

  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  self->open_cancellable = g_cancellable_new ();

  request = g_new0 (OpenRequest, 1);
  request->window = g_object_ref (self);
  request->pipeline = attest_pipeline_new (self->vision);
  _attest_window_setup_pipeline (self, request->pipeline);
  request->file = g_object_ref (file);
  request->cancellable = g_object_ref (self->open_cancellable);

  attest_pipeline_open_file_async (request->pipeline, file, request->cancellable,
                                   open_file_done, request);
}

void
attest_window_open_camera (AttestWindow *self)
{
  g_autoptr (AttestPipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (ATTEST_IS_WINDOW (self));

  pipeline = attest_pipeline_new (self->vision);
  _attest_window_setup_pipeline (self, pipeline);
  if (!attest_pipeline_open_camera (pipeline, NULL, &error))
    {
      attest_window_show_toast (self, error->message);
      return;
    }

  /* A camera replaces a file being opened. */
  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);

  set_pipeline (self, pipeline, self->vision != NULL);
  adw_view_switcher_title_set_subtitle (self->switcher_title, _("Camera"));
  attest_pipeline_play (pipeline);
}

static gboolean
on_seek_change_value (GtkRange      *range,
                      GtkScrollType  scroll,
                      double         value,
                      AttestWindow  *self)
{
  double upper = gtk_adjustment_get_upper (self->seek_adjustment);

  if (_attest_window_pipeline_seekable (self))
    attest_pipeline_seek (self->pipeline, (GstClockTime) (CLAMP (value, 0.0, upper) * GST_SECOND));

  return FALSE;
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         AttestWindow  *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files != NULL)
        file = files->data;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;

  attest_window_open_file (self, file);
  return TRUE;
}

static void
on_banner_copy_clicked (AttestWindow *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          attest_vision_fetch_command ());
  attest_window_show_toast (self, _("Command copied"));
}

static void
on_banner_close_clicked (AttestWindow *self)
{
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

static void
on_visible_faces_changed (AttestWindow *self)
{
  update_faces_label (self);
}

static gboolean
attest_window_close_request (GtkWindow *window)
{
  AttestWindow *self = ATTEST_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  attest_settings_set_window_state (self->settings, width, height,
                                    gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (attest_window_parent_class)->close_request (window);
}

static void
attest_window_constructed (GObject *object)
{
  AttestWindow *self = ATTEST_WINDOW (object);
  int width, height;
  gboolean maximized;

  G_OBJECT_CLASS (attest_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = attest_settings_new ();
  /* The pages take the reviewer's name and blind review as properties: the settings stay in
   * src/app. The review panel sets the name when the reviewer first enters it. */
  g_object_bind_property (self->settings, "reviewer-name", self->gallery_page, "reviewer-name",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "reviewer-name",
                          attest_review_page_get_panel (self->review_page), "reviewer-name",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->settings, "blind-review",
                          attest_review_page_get_panel (self->review_page), "blind-review",
                          G_BINDING_SYNC_CREATE);

  attest_settings_get_window_state (self->settings, &width, &height, &maximized);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (maximized)
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
attest_window_dispose (GObject *object)
{
  AttestWindow *self = ATTEST_WINDOW (object);

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  if (self->pipeline != NULL)
    {
      g_signal_group_set_target (self->pipeline_signals, NULL);
      g_binding_group_set_source (self->pipeline_bindings, NULL);
      attest_pipeline_close (self->pipeline);
      g_clear_object (&self->pipeline);
    }

  _attest_window_dispose_gallery (self);
  _attest_window_dispose_review (self);
  _attest_window_dispose_matching (self);
  _attest_window_dispose_queue (self);
  _attest_window_dispose_audit (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_WINDOW);

  G_OBJECT_CLASS (attest_window_parent_class)->dispose (object);
}

static void
attest_window_finalize (GObject *object)
{
  AttestWindow *self = ATTEST_WINDOW (object);

  if (self->toast_css != NULL)
    gtk_style_context_remove_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                   GTK_STYLE_PROVIDER (self->toast_css));
  g_clear_object (&self->toast_css);
  g_clear_object (&self->pipeline_signals);
  g_clear_object (&self->pipeline_bindings);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_toast_title, g_free);

  G_OBJECT_CLASS (attest_window_parent_class)->finalize (object);
}

static void
attest_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AttestWindow *self = ATTEST_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  AttestWindow *self = ATTEST_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_window_class_init (AttestWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = attest_window_constructed;
  object_class->dispose = attest_window_dispose;
  object_class->finalize = attest_window_finalize;
  object_class->get_property = attest_window_get_property;
  object_class->set_property = attest_window_set_property;
  window_class->close_request = attest_window_close_request;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, ATTEST_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ATTEST_TYPE_VIDEO_VIEW);
  g_type_ensure (ATTEST_TYPE_SIDE_LAYOUT);
  g_type_ensure (ATTEST_TYPE_GALLERY_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, controls);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, gallery_page);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, video_view);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, seek_scale);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, seek_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, faces_label);
  gtk_widget_class_bind_template_callback (widget_class, on_seek_change_value);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_close_clicked);

  _attest_window_class_install_actions (widget_class);
  _attest_window_class_init_matching (widget_class);
  _attest_window_class_init_queue (widget_class);
  _attest_window_class_init_audit (widget_class);
  _attest_window_class_init_review (widget_class);
}

static void
attest_window_init (AttestWindow *self)
{
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));

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

  g_signal_connect_swapped (self->video_view, "notify::visible-faces",
                            G_CALLBACK (on_visible_faces_changed), self);
  g_signal_connect_swapped (self->video_view, "notify::boxes-shown",
                            G_CALLBACK (on_visible_faces_changed), self);

  _attest_window_add_shortcuts (self);
  _attest_window_init_matching (self);
  _attest_window_init_gallery (self);
  _attest_window_init_audit (self);
  _attest_window_init_review (self);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  update_controls (self);
}

AttestWindow *
attest_window_new (GtkApplication *application,
                   AttestSettings *settings)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || ATTEST_IS_SETTINGS (settings), NULL);

  return g_object_new (ATTEST_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       NULL);
}

void
attest_window_set_vision (AttestWindow *self,
                          AttestVision *vision)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  self->vision = vision;
  /* The rejected probes are compared by this model's embeddings. */
  _attest_window_rejections_changed (self);
}

/* The bar at the foot of the page on screen that a toast must not cover: the video controls,
 * or the review item's rationale and decisions. NULL: none. */
static GtkWidget *
bottom_bar (AttestWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "video") == 0)
    return self->controls;
  if (g_strcmp0 (page, "review") == 0)
    return attest_review_panel_get_decision_area (
      attest_review_page_get_panel (self->review_page));
  return NULL;
}

/* libadwaita 1.2 shows toasts at the foot of the window, over the video controls and the
 * review decisions: lift them above the page's bottom bar (a margin under the toast). */
static void
lift_toasts (AttestWindow *self)
{
  GtkWidget *overlay = GTK_WIDGET (self->toast_overlay);
  GtkWidget *bar = bottom_bar (self);
  graphene_rect_t bounds;
  g_autofree char *css = NULL;
  int margin = 12;

  if (bar != NULL && gtk_widget_get_mapped (bar) &&
      gtk_widget_compute_bounds (bar, overlay, &bounds))
    margin = MAX (margin, gtk_widget_get_height (overlay) - (int) bounds.origin.y + 6);
  if (self->toast_css == NULL)
    {
      self->toast_css = gtk_css_provider_new ();
      gtk_style_context_add_provider_for_display (gtk_widget_get_display (overlay),
                                                  GTK_STYLE_PROVIDER (self->toast_css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
    }
  css = g_strdup_printf (".attest-toasts toast { margin-bottom: %dpx; }", margin);
  gtk_css_provider_load_from_data (self->toast_css, css, -1);
}

void
attest_window_show_toast (AttestWindow *self,
                          const char   *message)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  g_free (self->last_toast_title);
  self->last_toast_title = g_strdup (message);

  lift_toasts (self);
  /* libadwaita 1.2 toast titles are Pango markup; file names may hold '&' or '<'. */
  markup = g_markup_escape_text (message, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
attest_window_set_models_error (AttestWindow *self,
                                const char   *message)
{
  g_autofree char *text = NULL;

  g_return_if_fail (ATTEST_IS_WINDOW (self));

  if (message == NULL)
    {
      gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
      return;
    }

  text = g_strdup_printf (_("Face detection is off. %s"), message);
  gtk_label_set_text (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

const char *
_attest_window_get_last_toast_title (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->last_toast_title;
}

AttestPipeline *
_attest_window_get_pipeline (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->pipeline;
}

AttestVideoView *
_attest_window_get_video_view (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->video_view;
}

gboolean
_attest_window_get_opening (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), FALSE);

  return self->open_cancellable != NULL;
}
