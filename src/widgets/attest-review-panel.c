/* attest-review-panel.c: see attest-review-panel.h. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "store/attest-gallery.h"
#include "attest-match-text.h"
#include "attest-keynav.h"
#include "attest-review-panel.h"
#include "attest-wrap-layout.h"

/* Gallery faces shown for a candidate; more are counted in the heading. */
#define MAX_GALLERY_FACES 12
#define FACE_SIZE 84
#define FRAME_SIZE 64

struct _AttestReviewPanel
{
  GtkBox                   parent_instance;

  /* template */
  GtkWidget               *source_note;
  GtkLabel                *source_note_label;
  GtkLabel                *title_label;
  GtkLabel                *status_label;
  GtkPicture              *probe_picture;
  GtkWidget               *decision_area;
  char                    *text_at_decision; /* the rationale when the last decision was
                                              * made; what is typed after it is for the next
                                              * item (NULL: no decision pending) */
  GtkLabel                *time_label;
  GtkLabel                *quality_label;
  GtkWidget               *frames_section;
  GtkFlowBox              *frames_box;
  GtkLabel                *faces_heading;
  GtkFlowBox              *faces_box;
  GtkLabel                *faces_placeholder;
  GtkListBox              *candidates_list;
  GtkWidget               *score_box;
  GtkLabel                *score_label;
  GtkLevelBar             *score_bar;
  GtkLabel                *fmr_label;
  GtkWidget               *name_list;
  AdwEntryRow             *name_row;
  AdwEntryRow             *rationale_row;
  GtkLabel                *hint_label;

  AttestStore             *store;
  char                    *reviewer_name;
  gboolean                 blind_review;
  AttestImpostorStats      stats;
  gboolean                 have_stats;
  gboolean                 stats_enough;

  AttestReviewItem        *item;
  gboolean                *rejected;
  GPtrArray               *checks;        /* GtkCheckButton per candidate shown (borrowed) */
  GArray                  *check_index;   /* candidate index of each check */
  int                      selected;      /* candidate index, -1: none */
  AttestReviewSourceState  source_state;
  gboolean                 busy;
  GtkWidget               *shortcut_scope;  /* weak: the shortcuts work while it is mapped */
  guint                    n_gallery_faces;
  guint                    n_frames;
  GCancellable            *faces_cancellable;
};

G_DEFINE_FINAL_TYPE (AttestReviewPanel, attest_review_panel, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_REVIEWER_NAME,
  PROP_BLIND_REVIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_DECIDE,
  SIGNAL_PLAY_MOMENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- helpers ---- */

static gboolean
item_is_open (const AttestReviewItem *item)
{
  return item != NULL &&
         (g_strcmp0 (item->status, "pending") == 0 || g_strcmp0 (item->status, "skipped") == 0 ||
          g_strcmp0 (item->status, "unsure") == 0);
}

static gboolean
have_reviewer (AttestReviewPanel *self)
{
  const char *name = self->reviewer_name;
  g_autofree char *stripped = g_strstrip (g_strdup (name != NULL ? name : ""));

  return *stripped != '\0';
}

static char *
get_rationale (AttestReviewPanel *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rationale_row))));
}

static gboolean
any_above_threshold (const AttestReviewItem *item)
{
  for (guint i = 0; i < item->n_candidates; i++)
    if (item->candidates[i].score >= item->threshold)
      return TRUE;
  return FALSE;
}

/* The candidates at or above the threshold; for a face sent to review without any (a "No
 * match"), all of them, marked as below it. */
static gboolean
candidate_shown (AttestReviewPanel *self,
                 guint              i)
{
  return self->item->candidates[i].score >= self->item->threshold ||
         !any_above_threshold (self->item);
}

static gboolean
score_hidden (AttestReviewPanel *self)
{
  return self->blind_review && item_is_open (self->item);
}

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

/* "0:12.4" */
static char *
format_ms_tenths (gint64 ms)
{
  gint64 t = MAX (ms, 0) / 100;

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d.%d", t / 600, (int) (t / 10 % 60), (int) (t % 10));
}

/* "0:10" */
static char *
format_ms_seconds (gint64 ms)
{
  gint64 s = MAX (ms, 0) / 1000;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", s / 60, (int) (s % 60));
}

char *
attest_review_format_moment (const AttestReviewItem *item)
{
  g_autofree char *best = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  g_return_val_if_fail (item != NULL, NULL);

  best = format_ms_tenths (item->best_ms);
  start = format_ms_seconds (item->start_ms);
  end = format_ms_seconds (item->end_ms);
  /* Translators: the face's best frame, then the span it is on screen: "0:12.4, on screen 0:10–0:15". */
  return g_strdup_printf (_("%s, on screen %s–%s"), best, start, end);
}

/* ---- the state shown ---- */

static void
update_actions (AttestReviewPanel *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean open = item_is_open (self->item);
  gboolean named = have_reviewer (self);
  gboolean candidate = open && self->selected >= 0;
  g_autofree char *rationale = get_rationale (self);
  gboolean ready = named && !self->busy;
  const char *hint;

  gtk_widget_action_set_enabled (widget, "review.confirm", ready && candidate && *rationale != '\0');
  gtk_widget_action_set_enabled (widget, "review.reject", ready && candidate);
  gtk_widget_action_set_enabled (widget, "review.skip", ready && open);
  gtk_widget_action_set_enabled (widget, "review.unsure", ready && open);
  gtk_widget_action_set_enabled (widget, "review.undo", ready);
  gtk_widget_action_set_enabled (widget, "review.play",
                                 self->item != NULL && self->item->source_uri != NULL &&
                                 self->source_state == ATTEST_REVIEW_SOURCE_OK);
  gtk_widget_set_visible (self->name_list, !named);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rationale_row), open);

  if (!named)
    hint = _("Enter your name first: it is recorded with every decision.");
  else if (self->item == NULL)
    hint = "";
  else if (!open)
    hint = _("Already decided. Undo (Alt+U) reverses the last decision.");
  else if (self->selected < 0 && self->item->n_candidates == 0)
    hint = _("No gallery person scored for this face: skip it or mark it unsure.");
  else if (self->selected < 0)
    hint = _("Every candidate has been rejected: skip it or mark it unsure.");
  else if (*rationale == '\0')
    hint = _("To confirm, write a rationale: what shows this is the same person.");
  else
    hint = _("Ctrl+Return confirms · Alt+R rejects · Alt+S skips · Alt+N marks unsure");
  gtk_label_set_text (self->hint_label, hint);
}

static void
update_score (AttestReviewPanel *self)
{
  const AttestReviewCandidate *c;
  g_autofree char *score = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fmr = NULL;

  if (self->item == NULL)
    return;

  fmr = attest_match_text_fmr (self->have_stats ? &self->stats : NULL, self->stats_enough);
  if (self->have_stats && fabs (self->stats.threshold - self->item->threshold) > 1e-6)
    {
      g_autofree char *now = g_steal_pointer (&fmr);

      /* Translators: the item was found at another threshold than the one now set. */
      fmr = g_strdup_printf (_("Found at threshold %.2f. %s"), self->item->threshold, now);
    }
  gtk_label_set_text (self->fmr_label, fmr);

  if (score_hidden (self))
    {
      gtk_label_set_text (self->score_label, _("Score hidden until you decide (blind review)"));
      gtk_widget_set_visible (GTK_WIDGET (self->score_bar), FALSE);
      return;
    }
  if (self->selected < 0)
    {
      gtk_label_set_text (self->score_label, _("No candidate left to decide"));
      gtk_widget_set_visible (GTK_WIDGET (self->score_bar), FALSE);
      return;
    }

  c = &self->item->candidates[self->selected];
  score = attest_match_text_score (c->score, self->item->threshold);
  if (c->score < self->item->threshold)
    /* Translators: "Score 0.38 (threshold 0.45), below the threshold". */
    text = g_strdup_printf (_("Score %s, below the threshold"), score);
  else
    /* Translators: "Score 0.62 (threshold 0.45)"; cosine similarity, not a probability. */
    text = g_strdup_printf (_("Score %s"), score);
  gtk_label_set_text (self->score_label, text);
  gtk_level_bar_set_value (self->score_bar, CLAMP (c->score, 0.0, 1.0));
  gtk_widget_set_visible (GTK_WIDGET (self->score_bar), TRUE);
}

static void
clear_flow_box (GtkFlowBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_flow_box_remove (box, child);
}

static GtkWidget *
new_face_picture (GdkPaintable *paintable,
                  int           size,
                  const char   *tooltip)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *picture = gtk_picture_new_for_paintable (paintable);

  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_widget_set_size_request (picture, size, size);
  gtk_frame_set_child (GTK_FRAME (frame), picture);
  gtk_widget_add_css_class (frame, "attest-review-face");
  gtk_widget_set_halign (frame, GTK_ALIGN_START);
  gtk_widget_set_valign (frame, GTK_ALIGN_START);
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (frame, tooltip);
  return frame;
}

static void
on_faces_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListStore) faces = attest_store_list_faces_finish (ATTEST_STORE (source), result, &error);
  AttestReviewPanel *self;
  const AttestReviewCandidate *c;
  g_autofree char *heading = NULL;
  guint n;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ATTEST_REVIEW_PANEL (user_data);
  if (self->item == NULL || self->selected < 0)
    return;
  c = &self->item->candidates[self->selected];

  clear_flow_box (self->faces_box);
  self->n_gallery_faces = 0;
  if (faces == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The gallery faces cannot be shown: %s"),
                                               error->message);

      gtk_label_set_text (self->faces_placeholder, text);
      gtk_widget_set_visible (GTK_WIDGET (self->faces_placeholder), TRUE);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (faces));
  /* The face that scored best first, then the others in enrolment order. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n && self->n_gallery_faces < MAX_GALLERY_FACES; i++)
      {
        g_autoptr (AttestFace) face = g_list_model_get_item (G_LIST_MODEL (faces), i);
        gboolean best = attest_face_get_id (face) == c->face_id;
        GBytes *png = attest_face_get_thumbnail (face);
        g_autoptr (GdkTexture) texture = NULL;
        GtkWidget *picture;

        if (best != (pass == 0))
          continue;
        if (png != NULL)
          texture = gdk_texture_new_from_bytes (png, NULL);
        picture = new_face_picture (GDK_PAINTABLE (texture), FACE_SIZE,
                                    best ? _("The gallery face that scored best") : NULL);
        if (best)
          gtk_widget_add_css_class (picture, "attest-review-best");
        gtk_flow_box_append (self->faces_box, picture);
        self->n_gallery_faces++;
      }

  /* Translators: "Gallery Faces of Ada Lovelace (3)". */
  heading = g_strdup_printf (_("Gallery Faces of %s (%u)"), c->name, n);
  gtk_label_set_text (self->faces_heading, heading);
  gtk_widget_set_visible (GTK_WIDGET (self->faces_placeholder), n == 0);
  if (n == 0)
    gtk_label_set_text (self->faces_placeholder, _("No gallery faces left for this person"));
}

static void
update_gallery_faces (AttestReviewPanel *self)
{
  g_cancellable_cancel (self->faces_cancellable);
  g_clear_object (&self->faces_cancellable);
  clear_flow_box (self->faces_box);
  self->n_gallery_faces = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->faces_placeholder), FALSE);

  if (self->item == NULL || self->selected < 0)
    {
      gtk_label_set_text (self->faces_heading, _("Gallery Faces"));
      return;
    }
  {
    const AttestReviewCandidate *c = &self->item->candidates[self->selected];
    g_autofree char *heading = g_strdup_printf (_("Gallery Faces of %s"), c->name);

    gtk_label_set_text (self->faces_heading, heading);
    if (self->store == NULL)
      return;
    self->faces_cancellable = g_cancellable_new ();
    attest_store_list_faces_async (self->store, c->identity_id, self->faces_cancellable,
                                   on_faces_listed, self);
  }
}

static void
update_title (AttestReviewPanel *self)
{
  g_autofree char *title = NULL;

  if (self->item == NULL)
    return;
  if (self->selected >= 0 && item_is_open (self->item))
    /* Translators: the question the reviewer answers. */
    title = g_strdup_printf (_("Is This %s?"), self->item->candidates[self->selected].name);
  else if (self->selected >= 0)
    title = g_strdup (self->item->candidates[self->selected].name);
  else if (self->item->n_candidates == 0)
    title = g_strdup (_("No Candidate"));
  else
    title = g_strdup (_("No Candidate Left"));
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->status_label, status_text (self->item->status));
  {
    const char *statuses[] = { "pending", "confirmed", "rejected", "skipped", "unsure" };

    for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
      {
        g_autofree char *css = g_strdup_printf ("attest-status-%s", statuses[i]);

        if (g_strcmp0 (self->item->status, statuses[i]) == 0)
          gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css);
        else
          gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), css);
      }
  }
}

static void
select_candidate (AttestReviewPanel *self,
                  int                index)
{
  if (self->selected == index)
    return;
  self->selected = index;
  update_title (self);
  update_score (self);
  update_gallery_faces (self);
  update_actions (self);
}

static void
on_check_toggled (GtkCheckButton    *check,
                  AttestReviewPanel *self)
{
  if (!gtk_check_button_get_active (check))
    return;
  for (guint i = 0; i < self->checks->len; i++)
    if (self->checks->pdata[i] == (gpointer) check)
      select_candidate (self, g_array_index (self->check_index, int, i));
}

static void
rebuild_candidates (AttestReviewPanel *self)
{
  GtkWidget *child;
  GtkCheckButton *group = NULL;
  gboolean hidden = score_hidden (self);
  int first = -1;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->candidates_list))) != NULL)
    gtk_list_box_remove (self->candidates_list, child);
  g_ptr_array_set_size (self->checks, 0);
  g_array_set_size (self->check_index, 0);
  self->selected = -2;  /* forces the refresh in select_candidate */

  for (guint i = 0; self->item != NULL && i < self->item->n_candidates; i++)
    {
      const AttestReviewCandidate *c = &self->item->candidates[i];
      gboolean rejected = self->rejected != NULL && self->rejected[i];
      GtkWidget *row, *check;
      g_autofree char *subtitle = NULL;
      int index = (int) i;

      if (!candidate_shown (self, i))
        continue;

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), c->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (rejected)
        subtitle = g_strdup (_("Rejected for this face"));
      else if (!hidden && c->score < self->item->threshold)
        {
          g_autofree char *score = attest_match_text_score (c->score, self->item->threshold);

          /* Translators: a candidate shown for a face sent to review although none reached
           * the threshold. */
          subtitle = g_strdup_printf (_("%s · below the threshold"), score);
        }
      else if (!hidden)
        subtitle = attest_match_text_score (c->score, self->item->threshold);
      if (subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      else
        group = GTK_CHECK_BUTTON (check);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_widget_set_sensitive (row, !rejected && item_is_open (self->item));
      g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), self);
      gtk_list_box_append (self->candidates_list, row);
      g_ptr_array_add (self->checks, check);
      g_array_append_val (self->check_index, index);

      if (first < 0 && (!rejected || !item_is_open (self->item)))
        {
          first = index;
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
        }
    }

  if (self->selected == -2)
    select_candidate (self, first);
}

static void
update_source_note (AttestReviewPanel *self)
{
  const char *text = NULL;

  if (self->item != NULL && self->source_state == ATTEST_REVIEW_SOURCE_MISSING)
    text = _("The video this face was found in is missing (moved or deleted). You can still "
             "decide from the stored face; the moment cannot be played.");
  else if (self->item != NULL && self->source_state == ATTEST_REVIEW_SOURCE_CHANGED)
    text = _("The video file has changed since this face was found in it. You can still "
             "decide from the stored face; the moment cannot be played.");
  gtk_widget_set_visible (self->source_note, text != NULL);
  gtk_label_set_text (self->source_note_label, text != NULL ? text : "");
}

static void
show_item (AttestReviewPanel *self)
{
  g_autoptr (GdkTexture) probe = NULL;
  g_autofree char *moment = NULL;
  g_autofree char *quality = NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->rationale_row), "");
  attest_review_panel_set_frames (self, NULL, NULL, 0);

  if (self->item == NULL)
    {
      gtk_picture_set_paintable (self->probe_picture, NULL);
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->status_label, "");
      gtk_label_set_text (self->time_label, "");
      gtk_label_set_text (self->quality_label, "");
      rebuild_candidates (self);
      update_source_note (self);
      update_actions (self);
      return;
    }

  if (self->item->probe_png != NULL)
    probe = gdk_texture_new_from_bytes (self->item->probe_png, NULL);
  gtk_picture_set_paintable (self->probe_picture, GDK_PAINTABLE (probe));

  moment = attest_review_format_moment (self->item);
  gtk_label_set_text (self->time_label, moment);

  /* A face with candidates was compared, and only faces that pass the quality gate are. */
  if (self->item->n_candidates == 0 && self->item->box_w > 0)
    quality = g_strdup_printf (_("Quality: face %.0f × %.0f px in the frame"),
                               self->item->box_w, self->item->box_h);
  else if (self->item->n_candidates == 0)
    quality = g_strdup ("");
  else if (self->item->box_w > 0)
    quality = g_strdup_printf (_("Quality: passed the quality gate, face %.0f × %.0f px in the frame"),
                               self->item->box_w, self->item->box_h);
  else
    quality = g_strdup (_("Quality: passed the quality gate"));
  gtk_label_set_text (self->quality_label, quality);

  rebuild_candidates (self);
  update_source_note (self);
  update_actions (self);
}

/* ---- actions ---- */

static void
emit_decision (AttestReviewPanel    *self,
               AttestReviewDecision  decision)
{
  g_autofree char *rationale = get_rationale (self);
  gint64 identity_id = -1;

  if (decision == ATTEST_REVIEW_DECISION_CONFIRM || decision == ATTEST_REVIEW_DECISION_REJECT)
    {
      if (self->selected < 0)
        return;
      identity_id = self->item->candidates[self->selected].identity_id;
    }
  if (decision == ATTEST_REVIEW_DECISION_CONFIRM && *rationale == '\0')
    {
      update_actions (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_DECIDE], 0, (int) decision, identity_id,
                 *rationale != '\0' ? rationale : NULL);
}

static void
decide_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (widget);

  /* Typing may go on before the next item comes up: that part is kept for it. */
  g_free (self->text_at_decision);
  self->text_at_decision = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rationale_row)));
  if (g_str_equal (action_name, "review.confirm"))
    emit_decision (self, ATTEST_REVIEW_DECISION_CONFIRM);
  else if (g_str_equal (action_name, "review.reject"))
    emit_decision (self, ATTEST_REVIEW_DECISION_REJECT);
  else if (g_str_equal (action_name, "review.skip"))
    emit_decision (self, ATTEST_REVIEW_DECISION_SKIP);
  else if (g_str_equal (action_name, "review.unsure"))
    emit_decision (self, ATTEST_REVIEW_DECISION_UNSURE);
  else
    g_signal_emit (self, signals[SIGNAL_DECIDE], 0, (int) ATTEST_REVIEW_DECISION_UNDO,
                   (gint64) -1, NULL);
}

static void
play_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (widget);

  if (self->item != NULL)
    g_signal_emit (self, signals[SIGNAL_PLAY_MOMENT], 0, self->item->start_ms);
}

static void
on_rationale_changed (AttestReviewPanel *self)
{
  update_actions (self);
}

static void
on_name_apply (AttestReviewPanel *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (*name == '\0')
    return;
  attest_review_panel_set_reviewer_name (self, name);
  attest_review_panel_focus_rationale (self);
}

static void
on_blind_review_changed (AttestReviewPanel *self)
{
  /* Blind review switched: the rows' subtitles and the score follow. */
  int selected = self->selected;

  rebuild_candidates (self);
  if (selected >= 0)
    attest_review_panel_select_identity (self, self->item->candidates[selected].identity_id);
  update_score (self);
  update_actions (self);
}

/* ---- GObject ---- */

static void
attest_review_panel_dispose (GObject *object)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (object);

  g_cancellable_cancel (self->faces_cancellable);
  g_clear_object (&self->faces_cancellable);
  g_clear_object (&self->store);
  if (self->shortcut_scope != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->shortcut_scope), (gpointer *) &self->shortcut_scope);
  self->shortcut_scope = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_REVIEW_PANEL);

  G_OBJECT_CLASS (attest_review_panel_parent_class)->dispose (object);
}

static void
attest_review_panel_finalize (GObject *object)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (object);

  g_clear_pointer (&self->item, attest_review_item_free);
  g_clear_pointer (&self->rejected, g_free);
  g_clear_pointer (&self->checks, g_ptr_array_unref);
  g_clear_pointer (&self->check_index, g_array_unref);
  g_clear_pointer (&self->reviewer_name, g_free);
  g_clear_pointer (&self->text_at_decision, g_free);

  G_OBJECT_CLASS (attest_review_panel_parent_class)->finalize (object);
}

static void
attest_review_panel_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (object);

  switch (prop_id)
    {
    case PROP_REVIEWER_NAME:
      g_value_set_string (value, self->reviewer_name);
      break;
    case PROP_BLIND_REVIEW:
      g_value_set_boolean (value, self->blind_review);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_review_panel_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (object);

  switch (prop_id)
    {
    case PROP_REVIEWER_NAME:
      attest_review_panel_set_reviewer_name (self, g_value_get_string (value));
      break;
    case PROP_BLIND_REVIEW:
      attest_review_panel_set_blind_review (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_review_panel_class_init (AttestReviewPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_review_panel_dispose;
  object_class->finalize = attest_review_panel_finalize;
  object_class->get_property = attest_review_panel_get_property;
  object_class->set_property = attest_review_panel_set_property;

  /* Who decides (recorded with every decision). Blank: the panel asks for it inline and sets
   * it when the reviewer enters it; the window binds it both ways to the settings. */
  properties[PROP_REVIEWER_NAME] =
    g_param_spec_string ("reviewer-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Scores stay hidden until the reviewer has decided. */
  properties[PROP_BLIND_REVIEW] =
    g_param_spec_boolean ("blind-review", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* decision (AttestReviewDecision), identity id (-1: not about one), rationale (may be NULL). */
  signals[SIGNAL_DECIDE] =
    g_signal_new ("decide", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT64, G_TYPE_STRING);
  /* ms: where in the source to play from. */
  signals[SIGNAL_PLAY_MOMENT] =
    g_signal_new ("play-moment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (ATTEST_TYPE_WRAP_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-review-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, source_note);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, decision_area);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, source_note_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, probe_picture);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, time_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, quality_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, frames_section);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, frames_box);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, faces_heading);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, faces_box);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, faces_placeholder);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, candidates_list);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, score_box);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, score_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, score_bar);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, fmr_label);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, name_list);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, name_row);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, rationale_row);
  gtk_widget_class_bind_template_child (widget_class, AttestReviewPanel, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, on_rationale_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_apply);

  gtk_widget_class_install_action (widget_class, "review.confirm", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "review.reject", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "review.skip", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "review.unsure", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "review.undo", NULL, decide_action);
  gtk_widget_class_install_action (widget_class, "review.play", NULL, play_action);
}

static void
attest_review_panel_init (AttestReviewPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Rows of faces are one Tab stop each (arrows move within): Tab gets to the rationale. */
  attest_keynav_one_tab_stop (GTK_WIDGET (self->frames_box));
  attest_keynav_one_tab_stop (GTK_WIDGET (self->faces_box));

  self->checks = g_ptr_array_new ();
  self->check_index = g_array_new (FALSE, FALSE, sizeof (int));
  self->selected = -1;
  gtk_level_bar_remove_offset_value (self->score_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->score_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->score_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  show_item (self);
}

/* ---- public ---- */

GtkWidget *
attest_review_panel_new (void)
{
  return g_object_new (ATTEST_TYPE_REVIEW_PANEL, NULL);
}

void
attest_review_panel_set_store (AttestReviewPanel *self,
                               AttestStore       *store)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  if (g_set_object (&self->store, store))
    update_gallery_faces (self);
}

void
attest_review_panel_set_reviewer_name (AttestReviewPanel *self,
                                       const char        *reviewer_name)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  if (g_strcmp0 (self->reviewer_name, reviewer_name) == 0)
    return;
  g_free (self->reviewer_name);
  self->reviewer_name = g_strdup (reviewer_name);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEWER_NAME]);
}

const char *
attest_review_panel_get_reviewer_name (AttestReviewPanel *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PANEL (self), NULL);

  return self->reviewer_name;
}

void
attest_review_panel_set_blind_review (AttestReviewPanel *self,
                                      gboolean           blind_review)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  blind_review = !!blind_review;
  if (self->blind_review == blind_review)
    return;
  self->blind_review = blind_review;
  on_blind_review_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLIND_REVIEW]);
}

gboolean
attest_review_panel_get_blind_review (AttestReviewPanel *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PANEL (self), FALSE);

  return self->blind_review;
}

void
attest_review_panel_set_impostor_stats (AttestReviewPanel         *self,
                                        const AttestImpostorStats *stats,
                                        gboolean                   enough)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  self->have_stats = stats != NULL;
  if (stats != NULL)
    self->stats = *stats;
  self->stats_enough = stats != NULL && enough;
  update_score (self);
}

void
attest_review_panel_take_item (AttestReviewPanel *self,
                               AttestReviewItem  *item,
                               gboolean          *rejected)
{
  gboolean same;
  g_autofree char *rationale = NULL;

  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  same = item != NULL && self->item != NULL && item->id == self->item->id;
  if (same)
    rationale = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rationale_row)));
  else if (item != NULL && self->text_at_decision != NULL)
    {
      /* The next item after a decision: what was typed since the decision is for it (a
       * reviewer typing on at once loses nothing). */
      const char *now = gtk_editable_get_text (GTK_EDITABLE (self->rationale_row));

      if (g_str_has_prefix (now, self->text_at_decision) &&
          now[strlen (self->text_at_decision)] != '\0')
        rationale = g_strdup (now + strlen (self->text_at_decision));
    }
  if (!same)
    g_clear_pointer (&self->text_at_decision, g_free);

  g_clear_pointer (&self->item, attest_review_item_free);
  g_clear_pointer (&self->rejected, g_free);
  self->item = item;
  self->rejected = rejected;
  if (!same)
    self->source_state = ATTEST_REVIEW_SOURCE_UNKNOWN;
  show_item (self);
  /* The same item read again (after a reject of one of several candidates): the words the
   * reviewer typed stay. */
  if (rationale != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->rationale_row), rationale);
}

AttestReviewItem *
attest_review_panel_get_item (AttestReviewPanel *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PANEL (self), NULL);

  return self->item;
}

void
attest_review_panel_set_source_state (AttestReviewPanel       *self,
                                      AttestReviewSourceState  state)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  self->source_state = state;
  update_source_note (self);
  update_actions (self);
}

void
attest_review_panel_set_frames (AttestReviewPanel  *self,
                                GdkTexture        **frames,
                                const gint64       *frame_ms,
                                guint               n)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  clear_flow_box (self->frames_box);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *at = format_ms_tenths (frame_ms != NULL ? frame_ms[i] : 0);

      gtk_flow_box_append (self->frames_box, new_face_picture (GDK_PAINTABLE (frames[i]), FRAME_SIZE, at));
    }
  gtk_widget_set_visible (self->frames_section, n > 0);
  self->n_frames = n;
}

GtkWidget *
attest_review_panel_get_decision_area (AttestReviewPanel *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PANEL (self), NULL);

  return self->decision_area;
}

guint
attest_review_panel_get_n_frames (AttestReviewPanel *self)
{
  return self->n_frames;
}

void
attest_review_panel_set_busy (AttestReviewPanel *self,
                              gboolean           busy)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  self->busy = busy;
  update_actions (self);
}

gint64
attest_review_panel_get_selected_identity (AttestReviewPanel *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PANEL (self), -1);

  if (self->item == NULL || self->selected < 0)
    return -1;
  return self->item->candidates[self->selected].identity_id;
}

void
attest_review_panel_select_identity (AttestReviewPanel *self,
                                     gint64             identity_id)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  for (guint i = 0; i < self->checks->len; i++)
    {
      int index = g_array_index (self->check_index, int, i);

      if (self->item->candidates[index].identity_id == identity_id &&
          gtk_widget_get_sensitive (gtk_widget_get_ancestor (self->checks->pdata[i], ADW_TYPE_ACTION_ROW)))
        gtk_check_button_set_active (self->checks->pdata[i], TRUE);
    }
}

static gboolean
shortcut_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  AttestReviewPanel *self = ATTEST_REVIEW_PANEL (user_data);
  const char *action = NULL;
  gboolean text_first = FALSE;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  g_variant_get (args, "(&sb)", &action, &text_first);
  /* Only while the page is on screen; the panel itself may be hidden ("all reviewed": undo
   * still works). */
  if (self->shortcut_scope == NULL || !gtk_widget_get_mapped (self->shortcut_scope))
    return FALSE;
  /* Ctrl+Z in a text field undoes typing, never a recorded decision (Alt+U and the Undo
   * button do that from anywhere). */
  if (text_first && focus != NULL && GTK_IS_EDITABLE (focus))
    return FALSE;
  /* A disabled action (Confirm without a rationale) lets the key through unhandled. */
  return gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

void
attest_review_panel_add_shortcuts (AttestReviewPanel *self,
                                   GtkWidget         *widget,
                                   GtkWidget         *scope)
{
  /* text_first: the key belongs to a text field when one has the focus. */
  static const struct
  {
    guint           key;
    GdkModifierType mods;
    const char     *action;
    gboolean        text_first;
  } keys[] = {
    { GDK_KEY_Return, GDK_CONTROL_MASK, "review.confirm", FALSE },
    { GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "review.confirm", FALSE },
    { GDK_KEY_c, GDK_ALT_MASK, "review.confirm", FALSE },
    { GDK_KEY_r, GDK_ALT_MASK, "review.reject", FALSE },
    { GDK_KEY_s, GDK_ALT_MASK, "review.skip", FALSE },
    { GDK_KEY_n, GDK_ALT_MASK, "review.unsure", FALSE },
    { GDK_KEY_z, GDK_CONTROL_MASK, "review.undo", TRUE },
    { GDK_KEY_u, GDK_ALT_MASK, "review.undo", FALSE },
    { GDK_KEY_p, GDK_ALT_MASK, "review.play", FALSE },
  };
  GtkEventController *controller;

  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (GTK_IS_WIDGET (scope));

  if (self->shortcut_scope != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->shortcut_scope), (gpointer *) &self->shortcut_scope);
  self->shortcut_scope = scope;
  g_object_add_weak_pointer (G_OBJECT (scope), (gpointer *) &self->shortcut_scope);

  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (controller, "attest-review-shortcuts");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut =
        gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].key, keys[i].mods),
                                         gtk_callback_action_new (shortcut_cb, self, NULL),
                                         "(sb)", keys[i].action, keys[i].text_first);

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (widget, controller);
}

void
attest_review_panel_focus_rationale (AttestReviewPanel *self)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PANEL (self));

  if (gtk_widget_get_visible (self->name_list))
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->rationale_row));
}

const char *
attest_review_panel_get_score_text (AttestReviewPanel *self)
{
  return gtk_label_get_text (self->score_label);
}

const char *
attest_review_panel_get_fmr_text (AttestReviewPanel *self)
{
  return gtk_label_get_text (self->fmr_label);
}

const char *
attest_review_panel_get_hint_text (AttestReviewPanel *self)
{
  return gtk_label_get_text (self->hint_label);
}

const char *
attest_review_panel_get_time_text (AttestReviewPanel *self)
{
  return gtk_label_get_text (self->time_label);
}

const char *
attest_review_panel_get_title_text (AttestReviewPanel *self)
{
  return gtk_label_get_text (self->title_label);
}

const char *
attest_review_panel_get_source_note (AttestReviewPanel *self)
{
  return gtk_widget_get_visible (self->source_note) ? gtk_label_get_text (self->source_note_label) : NULL;
}

gboolean
attest_review_panel_get_score_visible (AttestReviewPanel *self)
{
  return !score_hidden (self) && gtk_widget_get_visible (GTK_WIDGET (self->score_bar));
}

gboolean
attest_review_panel_get_asks_name (AttestReviewPanel *self)
{
  return gtk_widget_get_visible (self->name_list);
}

guint
attest_review_panel_get_n_gallery_faces (AttestReviewPanel *self)
{
  return self->n_gallery_faces;
}

GtkEditable *
attest_review_panel_get_rationale (AttestReviewPanel *self)
{
  return GTK_EDITABLE (self->rationale_row);
}

GtkEditable *
attest_review_panel_get_name_entry (AttestReviewPanel *self)
{
  return GTK_EDITABLE (self->name_row);
}
