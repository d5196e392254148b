/* attest-candidate-row.c: see attest-candidate-row.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "attest-candidate-row.h"
#include "attest-match-text.h"

struct _AttestCandidateRow
{
  GtkListBoxRow  parent_instance;

  /* template */
  GtkLabel      *rank_label;
  GtkStack      *thumbnail_stack;
  GtkImage      *placeholder_image;
  GtkPicture    *thumbnail_picture;
  GtkLabel      *name_label;
  GtkLabel      *score_label;
  GtkLabel      *status_label;

  guint          rank;
  char          *name;
  double         score;
  gint64         face_id;
  gboolean       suggested;
};

G_DEFINE_FINAL_TYPE (AttestCandidateRow, attest_candidate_row, GTK_TYPE_LIST_BOX_ROW)

static void
attest_candidate_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ATTEST_TYPE_CANDIDATE_ROW);

  G_OBJECT_CLASS (attest_candidate_row_parent_class)->dispose (object);
}

static void
attest_candidate_row_finalize (GObject *object)
{
  AttestCandidateRow *self = ATTEST_CANDIDATE_ROW (object);

  g_free (self->name);

  G_OBJECT_CLASS (attest_candidate_row_parent_class)->finalize (object);
}

static void
attest_candidate_row_class_init (AttestCandidateRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_candidate_row_dispose;
  object_class->finalize = attest_candidate_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/attest-candidate-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, rank_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, thumbnail_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, placeholder_image);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, thumbnail_picture);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, score_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidateRow, status_label);
}

static void
attest_candidate_row_init (AttestCandidateRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
attest_candidate_row_new (const AttestFaceCandidate *candidate,
                          double                     threshold)
{
  AttestCandidateRow *self;
  g_autofree char *rank = NULL;
  g_autofree char *score = NULL;
  g_autofree char *accessible = NULL;

  g_return_val_if_fail (candidate != NULL, NULL);

  self = g_object_new (ATTEST_TYPE_CANDIDATE_ROW, NULL);
  self->rank = candidate->rank;
  self->name = g_strdup (candidate->name);
  self->score = candidate->score;
  self->face_id = candidate->face_id;
  self->suggested = candidate->score >= threshold;

  rank = g_strdup_printf ("%u", candidate->rank);
  score = attest_match_text_score (candidate->score, threshold);
  gtk_label_set_text (self->rank_label, rank);
  gtk_label_set_text (self->name_label, candidate->name);
  gtk_label_set_text (self->score_label, score);
  {
    /* What the number is, where a reviewer looks for it. */
    g_autofree char *meaning = g_strdup_printf (
      _("How alike this face and %s’s closest gallery face are: %.2f on a scale from -1 to 1. "
        "At or above the threshold (%.2f) the app suggests the person; only a reviewer's "
        "confirmation makes a match. The false-match rate below says how often a different "
        "person reaches the threshold in this gallery."),
      candidate->name, candidate->score, threshold);

    gtk_widget_set_tooltip_text (GTK_WIDGET (self->score_label), meaning);
  }
  gtk_label_set_text (self->status_label,
                      self->suggested ? _("Suggestion — not confirmed")
                                      : _("below threshold — not a match"));
  gtk_widget_add_css_class (GTK_WIDGET (self), self->suggested ? "suggestion" : "below-threshold");

  accessible = g_strdup_printf ("%s %s, %s, %s", rank, candidate->name, score,
                                gtk_label_get_text (self->status_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);

  return GTK_WIDGET (self);
}

GtkWidget *
attest_candidate_row_new_hidden (const AttestHiddenCandidate *hidden,
                                 double                       threshold)
{
  AttestCandidateRow *self;
  g_autofree char *status = NULL;
  g_autofree char *accessible = NULL;
  gint64 s;

  g_return_val_if_fail (hidden != NULL, NULL);

  self = ATTEST_CANDIDATE_ROW (attest_candidate_row_new (&hidden->candidate, threshold));
  self->suggested = FALSE;
  s = MAX (hidden->rejected_ms, 0) / 1000;
  /* Translators: a candidate left out because a reviewer rejected it for this face: who, and
   * where in the video the rejected face was (minutes:seconds). */
  status = g_strdup_printf (_("Hidden: rejected by %s at %" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT),
                            hidden->rejected_by != NULL ? hidden->rejected_by : _("a reviewer"),
                            s / 60, s % 60);
  gtk_label_set_text (self->status_label, status);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "suggestion");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "below-threshold");
  gtk_widget_add_css_class (GTK_WIDGET (self), "hidden-candidate");
  accessible = g_strdup_printf ("%u %s, %s, %s", hidden->candidate.rank, hidden->candidate.name,
                                gtk_label_get_text (self->score_label), status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  return GTK_WIDGET (self);
}

void
attest_candidate_row_set_thumbnail (AttestCandidateRow *self,
                                    GdkPaintable       *thumbnail)
{
  g_return_if_fail (ATTEST_IS_CANDIDATE_ROW (self));

  gtk_picture_set_paintable (self->thumbnail_picture, thumbnail);
  gtk_stack_set_visible_child (self->thumbnail_stack,
                               thumbnail != NULL ? GTK_WIDGET (self->thumbnail_picture)
                                                 : GTK_WIDGET (self->placeholder_image));
}

guint
attest_candidate_row_get_rank (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), 0);
  return self->rank;
}

const char *
attest_candidate_row_get_name (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), NULL);
  return self->name;
}

double
attest_candidate_row_get_score (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), 0);
  return self->score;
}

gint64
attest_candidate_row_get_face_id (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), -1);
  return self->face_id;
}

gboolean
attest_candidate_row_get_suggested (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), FALSE);
  return self->suggested;
}

const char *
attest_candidate_row_get_score_text (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), NULL);
  return gtk_label_get_text (self->score_label);
}

const char *
attest_candidate_row_get_status_text (AttestCandidateRow *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_ROW (self), NULL);
  return gtk_label_get_text (self->status_label);
}
