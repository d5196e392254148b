/* attest-window.c: the main window: the header bar, the view stack of pages (Video, Gallery,
 * Review, Audit), the toasts and the models banner. Each page holds its own state and
 * actions and follows the store itself; the window hands the pages what the application
 * holds (store, vision, search index, settings) and routes what one page asks of another.
 * Its own actions and dialogs: attest-window-actions.c. */
#include "config.h"

#include <glib/gi18n.h>

#include "widgets/attest-a11y.h"
#include "attest-window-private.h"

G_DEFINE_FINAL_TYPE (AttestWindow, attest_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- what pages ask of each other ---- */

static void
on_video_title (AttestWindow *self)
{
  adw_view_switcher_title_set_subtitle (self->switcher_title,
                                        attest_video_page_get_title (self->video_page));
}

static void
on_video_file (AttestWindow *self)
{
  /* "Scan This Video": a file on screen (a camera is not a file to scan). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-video",
                                 attest_video_page_get_file_uri (self->video_page) != NULL);
}

static void
on_play_moment (AttestWindow *self,
                const char   *uri,
                gint64        ms)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "video");
  attest_video_page_play_moment (self->video_page, uri, ms);
}

static void
on_n_pending (AttestWindow *self)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->view_stack,
                                                    GTK_WIDGET (self->review_page));
  guint pending = attest_review_page_get_n_pending (self->review_page);

  adw_view_stack_page_set_badge_number (page, pending);
  adw_view_stack_page_set_needs_attention (page, pending > 0);
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

/* ---- toasts ---- */

/* The bar at the foot of the page on screen that a toast must not cover: the video controls,
 * or the review item's rationale and decisions. NULL: none. */
static GtkWidget *
bottom_bar (AttestWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "video") == 0)
    return attest_video_page_get_controls (self->video_page);
  if (g_strcmp0 (page, "review") == 0)
    return attest_review_panel_get_decision_area (attest_review_page_get_panel (self->review_page));
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

/* toast: takes it; title: its plain text. */
static void
add_toast (AttestWindow *self,
           AdwToast     *toast,
           const char   *title)
{
  g_free (self->last_toast_title);
  self->last_toast_title = g_strdup (title);
  lift_toasts (self);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
attest_window_show_toast (AttestWindow *self,
                          const char   *message)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  /* libadwaita 1.2 toast titles are Pango markup; file names may hold '&' or '<'. */
  markup = g_markup_escape_text (message, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 6);
  add_toast (self, toast, message);
}

void
_attest_window_add_toast (AttestWindow *self,
                          AdwToast     *toast,
                          const char   *title)
{
  add_toast (self, toast, title);
}

/* win.show-toast (s): how the pages say something (attest_widget_toast). */
static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  attest_window_show_toast (ATTEST_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* ---- public ---- */

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
  attest_video_page_set_vision (self->video_page, vision);
  attest_review_page_set_vision (self->review_page, vision);
}

void
attest_window_set_store (AttestWindow *self,
                         AttestStore  *store)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  g_set_object (&self->store, store);
  /* Each page follows the store's "changed" signal from here on: whoever writes (this
   * window, another, the CLI beside the app), what shows the store follows it. */
  attest_video_page_set_store (self->video_page, store);
  attest_gallery_page_set_store (self->gallery_page, store);
  attest_review_page_set_store (self->review_page, store);
  attest_audit_page_set_store (self->audit_page, store);
}

void
attest_window_set_matcher (AttestWindow  *self,
                           AttestMatcher *matcher,
                           GHashTable    *identity_names)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  attest_video_page_set_matcher (self->video_page, matcher, identity_names);
  attest_review_page_set_matcher (self->review_page, matcher, identity_names);
}

void
attest_window_set_impostor_stats (AttestWindow              *self,
                                  const AttestImpostorStats *stats,
                                  gboolean                   enough)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  attest_video_page_set_impostor_stats (self->video_page, stats, enough);
  attest_review_page_set_impostor_stats (self->review_page, stats, enough);
}

void
attest_window_open_file (AttestWindow *self,
                         GFile        *file)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  attest_video_page_open_file (self->video_page, file);
}

void
attest_window_open_camera (AttestWindow *self)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  attest_video_page_open_camera (self->video_page);
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

AttestVideoPage *
_attest_window_get_video_page (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->video_page;
}

AttestReviewPage *
_attest_window_get_review_page (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->review_page;
}

AttestAuditPage *
_attest_window_get_audit_page (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->audit_page;
}

/* ---- GObject ---- */

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
  AttestReviewPanel *panel = attest_review_page_get_panel (self->review_page);
  int width, height;
  gboolean maximized;

  G_OBJECT_CLASS (attest_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = attest_settings_new ();
  /* The pages take the settings as properties: the settings stay in src/app. The review
   * panel sets the name when the reviewer first enters it. */
  g_object_bind_property (self->settings, "match-threshold", self->video_page, "match-threshold",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "match-threshold", self->review_page, "match-threshold",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "reviewer-name", self->gallery_page, "reviewer-name",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "reviewer-name", panel, "reviewer-name",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->settings, "blind-review", panel, "blind-review",
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

  _attest_window_dispose_actions (self);
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
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
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

  g_type_ensure (ATTEST_TYPE_VIDEO_PAGE);
  g_type_ensure (ATTEST_TYPE_GALLERY_PAGE);
  g_type_ensure (ATTEST_TYPE_REVIEW_PAGE);
  g_type_ensure (ATTEST_TYPE_AUDIT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, video_page);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, gallery_page);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, review_page);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, audit_page);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_close_clicked);

  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  _attest_window_class_init_actions (widget_class);
}

static void
attest_window_init (AttestWindow *self)
{
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->video_page, "notify::title", G_CALLBACK (on_video_title), self);
  g_signal_connect_swapped (self->video_page, "notify::file-uri", G_CALLBACK (on_video_file), self);
  g_signal_connect_swapped (self->review_page, "play-moment", G_CALLBACK (on_play_moment), self);
  g_signal_connect_swapped (self->review_page, "notify::n-pending", G_CALLBACK (on_n_pending), self);
  /* On the window: they work wherever the focus is while their page is on screen. */
  attest_video_page_add_shortcuts (self->video_page, GTK_WIDGET (self));
  attest_review_page_add_shortcuts (self->review_page, GTK_WIDGET (self));

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  _attest_window_init_actions (self);
  attest_a11y_fix_mnemonic_names (GTK_WIDGET (self));
  on_video_file (self);
  on_n_pending (self);
}
