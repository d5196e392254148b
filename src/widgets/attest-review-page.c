/* attest-review-page.c: see attest-review-page.h. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "attest-keynav.h"
#include "attest-review-page-private.h"
#include "attest-side-layout.h"

G_DEFINE_FINAL_TYPE (AttestReviewPage, attest_review_page, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_MATCH_THRESHOLD,
  PROP_N_PENDING,
  PROP_SCANNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PLAY_MOMENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
status_text (const char *status)
{
  if (g_strcmp0 (status, "pending") == 0)
    return _("Pending");
  if (g_strcmp0 (status, "confirmed") == 0)
    return _("Confirmed");
  if (g_strcmp0 (status, "rejected") == 0)
    return _("Rejected");
  if (g_strcmp0 (status, "skipped") == 0)
    return _("Skipped");
  if (g_strcmp0 (status, "unsure") == 0)
    return _("Unsure");
  return status;
}

static char *
source_name (const AttestReviewItem *item)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *base = NULL;

  if (item->source_uri == NULL)
    return g_strdup (_("Unknown video"));
  file = g_file_new_for_uri (item->source_uri);
  base = g_file_get_basename (file);
  return base != NULL ? g_filename_display_name (base) : g_strdup (item->source_uri);
}

/* A dim one-line caption of a queue row, shortened where `ellipsize` says. */
static GtkWidget *
caption_label (const char         *text,
               PangoEllipsizeMode  ellipsize,
               const char         *tooltip)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), ellipsize);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static GtkWidget *
new_row (AttestReviewPage       *self,
         const AttestReviewItem *item)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *title, *status;
  g_autoptr (GdkTexture) probe = NULL;
  g_autofree char *moment = attest_review_format_moment (item);
  g_autofree char *file = source_name (item);
  g_autofree char *sub = NULL;
  g_autofree char *status_class = NULL;

  if (item->probe_png != NULL)
    probe = gdk_texture_new_from_bytes (item->probe_png, NULL);
  gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (probe));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_widget_set_size_request (picture, 40, 40);
  gtk_frame_set_child (GTK_FRAME (frame), picture);
  gtk_widget_set_valign (frame, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (frame, "attest-review-face");
  gtk_box_append (GTK_BOX (box), frame);

  {
    gboolean above = FALSE;

    for (guint i = 0; i < item->n_candidates; i++)
      above = above || item->candidates[i].score >= item->threshold;
    /* A face sent to review that reached no one's threshold is not anybody's suggestion. */
    title = gtk_label_new (above ? item->candidates[0].name : _("No Match"));
  }
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 24);
  gtk_box_append (GTK_BOX (texts), title);
  /* The moment, and on a line of its own the video it is in: a narrow list keeps the name's
   * start and end ("case-12-…-cam3.mp4"). */
  sub = g_strdup_printf ("%s\n%s", moment, file);
  gtk_box_append (GTK_BOX (texts), caption_label (moment, PANGO_ELLIPSIZE_END, sub));
  gtk_box_append (GTK_BOX (texts), caption_label (file, PANGO_ELLIPSIZE_MIDDLE, sub));
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), texts);

  status = gtk_label_new (status_text (item->status));
  gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (status, "attest-review-status");
  status_class = g_strdup_printf ("attest-status-%s", item->status);
  gtk_widget_add_css_class (status, status_class);
  gtk_box_append (GTK_BOX (box), status);
  g_ptr_array_add (self->status_labels, status);

  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
sync_selection (AttestReviewPage *self)
{
  GtkListBoxRow *row = NULL;

  for (guint i = 0; self->items != NULL && i < self->items->len; i++)
    if (((AttestReviewItem *) self->items->pdata[i])->id == self->current)
      row = gtk_list_box_get_row_at_index (self->queue_list, (int) i);

  self->selecting = TRUE;
  gtk_list_box_select_row (self->queue_list, row);
  self->selecting = FALSE;
  gtk_stack_set_visible_child_name (self->detail_stack, self->current >= 0 ? "item" : "done");
}

static void
on_row_activated (AttestReviewPage *self,
                  GtkListBoxRow    *row)
{
  int i = gtk_list_box_row_get_index (row);

  if (self->items == NULL || i < 0 || (guint) i >= self->items->len)
    return;
  _attest_review_page_item_activated (self, ((AttestReviewItem *) self->items->pdata[i])->id);
}

/* On screen: the queue as it is now, and the rationale ready for typing. */
static void
on_map (AttestReviewPage *self)
{
  attest_review_page_reload (self);
  attest_review_panel_focus_rationale (self->panel);
}

static void
cancel_scan_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  _attest_review_page_cancel_scan (ATTEST_REVIEW_PAGE (widget));
}

void
_attest_review_page_scanning_changed (AttestReviewPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scan.cancel",
                                 attest_review_page_get_scanning (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);
}

void
_attest_review_page_set_n_pending (AttestReviewPage *self,
                                   guint             n_pending)
{
  if (self->n_pending == n_pending)
    return;
  self->n_pending = n_pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

guint
attest_review_page_get_n_pending (AttestReviewPage *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PAGE (self), 0);

  return self->n_pending;
}

void
attest_review_page_set_match_threshold (AttestReviewPage *self,
                                        double            threshold)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  if (self->match_threshold == threshold)
    return;
  self->match_threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_THRESHOLD]);
}

void
attest_review_page_add_shortcuts (AttestReviewPage *self,
                                  GtkWidget        *window)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  attest_review_panel_add_shortcuts (self->panel, window, GTK_WIDGET (self));
}

static void
attest_review_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttestReviewPage *self = ATTEST_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_MATCH_THRESHOLD:
      g_value_set_double (value, self->match_threshold);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_SCANNING:
      g_value_set_boolean (value, attest_review_page_get_scanning (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_review_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_MATCH_THRESHOLD:
      attest_review_page_set_match_threshold (ATTEST_REVIEW_PAGE (object),
                                              g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_review_page_dispose (GObject *object)
{
  _attest_review_page_dispose_queue (ATTEST_REVIEW_PAGE (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), ATTEST_TYPE_REVIEW_PAGE);

  G_OBJECT_CLASS (attest_review_page_parent_class)->dispose (object);
}

static void
attest_review_page_finalize (GObject *object)
{
  AttestReviewPage *self = ATTEST_REVIEW_PAGE (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->status_labels, g_ptr_array_unref);

  G_OBJECT_CLASS (attest_review_page_parent_class)->finalize (object);
}

static void
attest_review_page_class_init (AttestReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_review_page_dispose;
  object_class->finalize = attest_review_page_finalize;
  object_class->get_property = attest_review_page_get_property;
  object_class->set_property = attest_review_page_set_property;

  properties[PROP_MATCH_THRESHOLD] =
    g_param_spec_double ("match-threshold", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* "Play This Moment": play uri from ms on the Video page. */
  signals[SIGNAL_PLAY_MOMENT] =
    g_signal_new ("play-moment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "scan.cancel", NULL, cancel_scan_action);

  g_type_ensure (ATTEST_TYPE_REVIEW_PANEL);
  g_type_ensure (ATTEST_TYPE_SIDE_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, scan_revealer);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, scan_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, scan_progress);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, page_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, empty_scan_button);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, scan_button);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, queue_list);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, done_page);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPage, panel);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
attest_review_page_init (AttestReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The queue is one Tab stop (arrows move between items): Tab goes on to the item. */
  attest_keynav_one_tab_stop (GTK_WIDGET (self->queue_list));

  self->status_labels = g_ptr_array_new ();
  self->current = -1;
  self->match_threshold = 0.5;
  gtk_stack_set_visible_child_name (self->page_stack, "empty");
  _attest_review_page_init_queue (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scan.cancel", FALSE);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
}

GtkWidget *
attest_review_page_new (void)
{
  return g_object_new (ATTEST_TYPE_REVIEW_PAGE, NULL);
}

AttestReviewPanel *
attest_review_page_get_panel (AttestReviewPage *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PAGE (self), NULL);

  return self->panel;
}

void
_attest_review_page_show_items (AttestReviewPage *self,
                                GPtrArray        *items)
{
  GtkWidget *child;
  guint open = 0, decided = 0;
  g_autofree char *count = NULL;
  g_autofree char *done = NULL;

  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  if (items != NULL)
    g_ptr_array_ref (items);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = items;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queue_list))) != NULL)
    gtk_list_box_remove (self->queue_list, child);
  g_ptr_array_set_size (self->status_labels, 0);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      AttestReviewItem *item = items->pdata[i];

      gtk_list_box_append (self->queue_list, new_row (self, item));
      if (g_strcmp0 (item->status, "pending") == 0)
        open++;
      else if (g_strcmp0 (item->status, "confirmed") == 0 || g_strcmp0 (item->status, "rejected") == 0)
        decided++;
    }

  {
    guint later = (items != NULL ? items->len : 0) - open - decided;
    g_autofree char *title = NULL;

    /* Skipped and unsure faces are not reviewed: the count and the page say they wait. */
    if (later > 0)
      {
        g_autofree char *to_review = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "%u Face to Review",
                                                                   "%u Faces to Review", open),
                                                      open);

        count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u Set Aside",
                                              "%s, %u Set Aside", later), to_review, later);
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Face Set Aside",
                                              "%u Faces Set Aside", later), later);
        done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Nothing else waits, but %u face is skipped or marked unsure and is not decided yet: pick it in the list to decide it.",
                                             "Nothing else waits, but %u faces are skipped or marked unsure and are not decided yet: pick one in the list to decide it.",
                                             later), later);
        adw_status_page_set_icon_name (self->done_page, "document-open-recent-symbolic");
      }
    else
      {
        count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Face to Review",
                                              "%u Faces to Review", open), open);
        title = g_strdup (_("All Faces Reviewed"));
        done = g_strdup (_("Every face in the queue is decided. Pick one in the list to see it again."));
        adw_status_page_set_icon_name (self->done_page, "emblem-ok-symbolic");
      }
    adw_status_page_set_title (self->done_page, title);
  }
  gtk_label_set_text (self->count_label, count);
  adw_status_page_set_description (self->done_page, done);
  gtk_stack_set_visible_child_name (self->page_stack, items != NULL && items->len > 0 ? "queue" : "empty");
  sync_selection (self);
}

void
_attest_review_page_show_current (AttestReviewPage *self,
                                  gint64            item_id)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  self->current = item_id;
  sync_selection (self);
}

void
_attest_review_page_show_scan (AttestReviewPage *self,
                               const char       *label,
                               double            fraction)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  gtk_revealer_set_reveal_child (self->scan_revealer, label != NULL);
  if (label != NULL)
    gtk_label_set_text (self->scan_label, label);
  gtk_progress_bar_set_fraction (self->scan_progress, CLAMP (fraction, 0.0, 1.0));
}

guint
attest_review_page_get_n_rows (AttestReviewPage *self)
{
  return self->items != NULL ? self->items->len : 0;
}

const char *
attest_review_page_get_row_status (AttestReviewPage *self,
                                   guint             i)
{
  g_return_val_if_fail (i < self->status_labels->len, NULL);

  return gtk_label_get_text (self->status_labels->pdata[i]);
}

gint64
attest_review_page_get_row_item (AttestReviewPage *self,
                                 guint             i)
{
  g_return_val_if_fail (self->items != NULL && i < self->items->len, -1);

  return ((AttestReviewItem *) self->items->pdata[i])->id;
}

const char *
attest_review_page_get_state (AttestReviewPage *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->page_stack), "empty") == 0)
    return "empty";
  return gtk_stack_get_visible_child_name (self->detail_stack);
}

const char *
_attest_review_page_get_done_title (AttestReviewPage *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PAGE (self), NULL);

  return adw_status_page_get_title (self->done_page);
}

const char *
_attest_review_page_get_count_text (AttestReviewPage *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PAGE (self), NULL);

  return gtk_label_get_text (self->count_label);
}

const char *
attest_review_page_get_scan_text (AttestReviewPage *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PAGE (self), NULL);

  return gtk_revealer_get_reveal_child (self->scan_revealer) ? gtk_label_get_text (self->scan_label) : NULL;
}
