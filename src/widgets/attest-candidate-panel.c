/* attest-candidate-panel.c: see attest-candidate-panel.h.
 *
 * Gallery thumbnails are read from the store on a worker thread (the store may be busy
 * writing) and cached by face id for the panel's life: a face's thumbnail never changes. */
#include "config.h"

#include <glib/gi18n.h>

#include "store/attest-gallery.h"
#include "attest-candidate-panel.h"
#include "attest-wrap-layout.h"
#include "attest-candidate-row.h"
#include "attest-match-text.h"

struct _AttestCandidatePanel
{
  GtkBox          parent_instance;

  /* template */
  GtkLabel       *notice_label;
  GtkStack       *content_stack;
  GtkPicture     *probe_picture;
  GtkLabel       *title_label;
  GtkLabel       *state_label;
  GtkLabel       *quality_label;
  GtkListBox     *candidates_list;
  GtkLabel       *placeholder_label;
  GtkButton      *enrol_button;
  GtkLabel       *fmr_label;

  AttestStore    *store;
  GHashTable     *thumbnails;   /* gint64 * face id -> GdkTexture (NULL: none stored) */
  GCancellable   *cancellable;

  gboolean        has_face;
  AttestFaceInfo  info;
  AttestBox       box;
  guint           position;     /* 1-based among the faces on screen; 0: not known */
  guint           n_on_screen;
  double          threshold;
  GPtrArray      *rows;         /* AttestCandidateRow, in order (borrowed from the list) */
};

G_DEFINE_FINAL_TYPE (AttestCandidatePanel, attest_candidate_panel, GTK_TYPE_BOX)

/* ---- thumbnails ---- */

static void
unref_texture (gpointer texture)
{
  /* NULL: the face has no thumbnail (remembered so it is not asked again). */
  if (texture != NULL)
    g_object_unref (texture);
}

static void
apply_thumbnail (AttestCandidatePanel *self,
                 gint64                face_id,
                 GdkTexture           *texture)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      AttestCandidateRow *row = g_ptr_array_index (self->rows, i);

      if (attest_candidate_row_get_face_id (row) == face_id)
        attest_candidate_row_set_thumbnail (row, GDK_PAINTABLE (texture));
    }
}

/* A face's thumbnail, read from the store on its writer thread. */
typedef struct
{
  AttestCandidatePanel *panel;
  gint64                face_id;
} ThumbnailRequest;

static void
load_thumbnail_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ThumbnailRequest *request = user_data;
  g_autoptr (AttestCandidatePanel) self = request->panel;
  gint64 face_id = request->face_id;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestFace) face = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  g_free (request);
  face = attest_store_get_face_finish (ATTEST_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (face != NULL && attest_face_get_thumbnail (face) != NULL)
    texture = gdk_texture_new_from_bytes (attest_face_get_thumbnail (face), &error);
  /* A face deleted meanwhile, or a damaged PNG: the row keeps its placeholder. */
  if (error != NULL)
    g_debug ("No thumbnail for gallery face %" G_GINT64_FORMAT ": %s", face_id, error->message);

  g_hash_table_insert (self->thumbnails, g_memdup2 (&face_id, sizeof face_id),
                       texture != NULL ? g_object_ref (texture) : NULL);
  if (texture != NULL)
    apply_thumbnail (self, face_id, texture);
}

static void
request_thumbnail (AttestCandidatePanel *self,
                   AttestCandidateRow   *row)
{
  gint64 face_id = attest_candidate_row_get_face_id (row);
  ThumbnailRequest *request;
  gpointer texture;

  if (g_hash_table_lookup_extended (self->thumbnails, &face_id, NULL, &texture))
    {
      attest_candidate_row_set_thumbnail (row, texture);
      return;
    }
  if (self->store == NULL)
    return;

  request = g_new0 (ThumbnailRequest, 1);
  request->panel = g_object_ref (self);
  request->face_id = face_id;
  attest_store_get_face_async (self->store, face_id, self->cancellable, load_thumbnail_done,
                               request);
}

/* ---- contents ---- */

static gboolean
same_candidates (const AttestFaceInfo *a,
                 const AttestFaceInfo *b)
{
  if (a->compared != b->compared || a->n_candidates != b->n_candidates ||
      a->n_hidden != b->n_hidden)
    return FALSE;
  for (guint i = 0; i < a->n_hidden; i++)
    if (a->hidden[i].candidate.identity_id != b->hidden[i].candidate.identity_id ||
        a->hidden[i].rejection_id != b->hidden[i].rejection_id ||
        a->hidden[i].candidate.score != b->hidden[i].candidate.score)
      return FALSE;
  for (guint i = 0; i < a->n_candidates; i++)
    if (a->candidates[i].identity_id != b->candidates[i].identity_id ||
        a->candidates[i].face_id != b->candidates[i].face_id ||
        a->candidates[i].score != b->candidates[i].score ||
        g_strcmp0 (a->candidates[i].name, b->candidates[i].name) != 0)
      return FALSE;
  return TRUE;
}

static void
rebuild_rows (AttestCandidatePanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->candidates_list))) != NULL)
    gtk_list_box_remove (self->candidates_list, child);
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < self->info.n_candidates; i++)
    {
      GtkWidget *row = attest_candidate_row_new (&self->info.candidates[i], self->threshold);

      gtk_list_box_append (self->candidates_list, row);
      g_ptr_array_add (self->rows, row);
      request_thumbnail (self, ATTEST_CANDIDATE_ROW (row));
    }
  /* What a rejection hides for this face stays in view, said as such. */
  for (guint i = 0; i < self->info.n_hidden; i++)
    {
      GtkWidget *row = attest_candidate_row_new_hidden (&self->info.hidden[i], self->threshold);

      gtk_list_box_append (self->candidates_list, row);
      g_ptr_array_add (self->rows, row);
      request_thumbnail (self, ATTEST_CANDIDATE_ROW (row));
    }

  if (self->info.compared)
    gtk_label_set_text (self->placeholder_label, _("The gallery has no one to compare with."));
  else if (self->info.quality_reason != NULL)
    gtk_label_set_text (self->placeholder_label,
                        _("This face is not compared: it is too poor to compare."));
  else
    gtk_label_set_text (self->placeholder_label,
                        _("Not compared yet: the gallery is loading, or no gallery is open."));
}

static void
update_texts (AttestCandidatePanel *self)
{
  AttestFaceState state = attest_face_info_get_state (&self->info, self->threshold);
  g_autofree char *text = attest_match_text_label (&self->info, &self->box, state,
                                                   self->threshold);
  g_autofree char *title = NULL;
  g_autofree char *quality = NULL;

  if (self->position > 0 && self->n_on_screen > 0)
    /* Translators: the selected face among those on screen, counted left to right as the
     * detector lists them: "Face 1 of 2". */
    title = g_strdup_printf (_("Face %u of %u"), self->position, self->n_on_screen);
  else
    title = g_strdup (_("Selected Face"));
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->state_label, text);

  if (!self->info.assessed && self->info.quality_reason == NULL)
    quality = g_strdup (_("Quality not measured"));
  else if (self->info.quality_reason != NULL)
    quality = g_strdup_printf (_("Quality on this frame: %s"), self->info.quality_reason);
  else
    quality = g_strdup_printf (_("Quality on this frame: good (%.0f px wide)"),
                               self->info.quality.width);
  gtk_label_set_text (self->quality_label, quality);
}

void
attest_candidate_panel_set_face (AttestCandidatePanel *self,
                                 gboolean              has_face,
                                 const AttestFaceInfo *info,
                                 const AttestBox      *box,
                                 GdkPaintable         *probe)
{
  AttestFaceInfo empty = { 0 };
  gboolean rebuild;

  g_return_if_fail (ATTEST_IS_CANDIDATE_PANEL (self));

  if (info == NULL)
    info = &empty;

  rebuild = has_face != self->has_face || !same_candidates (info, &self->info);
  self->has_face = has_face;
  attest_face_info_clear (&self->info);
  attest_face_info_copy (&self->info, info);
  if (box != NULL)
    self->box = *box;

  gtk_stack_set_visible_child_name (self->content_stack, has_face ? "face" : "none");
  if (probe != NULL || !has_face)
    gtk_picture_set_paintable (self->probe_picture, probe);
  if (rebuild)
    rebuild_rows (self);
  update_texts (self);
}

void
attest_candidate_panel_set_threshold (AttestCandidatePanel *self,
                                      double                threshold)
{
  g_return_if_fail (ATTEST_IS_CANDIDATE_PANEL (self));

  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  rebuild_rows (self);
  update_texts (self);
}

void
attest_candidate_panel_set_impostor_stats (AttestCandidatePanel      *self,
                                           const AttestImpostorStats *stats,
                                           gboolean                   enough)
{
  g_autofree char *text = NULL;

  g_return_if_fail (ATTEST_IS_CANDIDATE_PANEL (self));

  text = attest_match_text_fmr (stats, enough);
  gtk_label_set_text (self->fmr_label, text);
}

void
attest_candidate_panel_set_store (AttestCandidatePanel *self,
                                  AttestStore          *store)
{
  g_return_if_fail (ATTEST_IS_CANDIDATE_PANEL (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  if (self->store == store)
    return;
  g_set_object (&self->store, store);
  g_hash_table_remove_all (self->thumbnails);
  for (guint i = 0; i < self->rows->len; i++)
    request_thumbnail (self, g_ptr_array_index (self->rows, i));
}

/* ---- object ---- */

static void
attest_candidate_panel_dispose (GObject *object)
{
  AttestCandidatePanel *self = ATTEST_CANDIDATE_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_ptr_array_set_size (self->rows, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_CANDIDATE_PANEL);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (attest_candidate_panel_parent_class)->dispose (object);
}

static void
attest_candidate_panel_finalize (GObject *object)
{
  AttestCandidatePanel *self = ATTEST_CANDIDATE_PANEL (object);

  attest_face_info_clear (&self->info);
  g_hash_table_unref (self->thumbnails);
  g_ptr_array_unref (self->rows);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (attest_candidate_panel_parent_class)->finalize (object);
}

static void
attest_candidate_panel_class_init (AttestCandidatePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_candidate_panel_dispose;
  object_class->finalize = attest_candidate_panel_finalize;

  g_type_ensure (ATTEST_TYPE_WRAP_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/attest-candidate-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, notice_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, content_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, probe_picture);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, state_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, quality_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, candidates_list);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, enrol_button);
  gtk_widget_class_bind_template_child (widget_class, AttestCandidatePanel, fmr_label);
  gtk_widget_class_set_css_name (widget_class, "attest-candidate-panel");
}

static void
attest_candidate_panel_init (AttestCandidatePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->thumbnails = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                            unref_texture);
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
  attest_candidate_panel_set_impostor_stats (self, NULL, FALSE);
  rebuild_rows (self);
  update_texts (self);
}

GtkWidget *
attest_candidate_panel_new (void)
{
  return g_object_new (ATTEST_TYPE_CANDIDATE_PANEL, NULL);
}

guint
attest_candidate_panel_get_n_rows (AttestCandidatePanel *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_PANEL (self), 0);
  return self->rows->len;
}

GtkWidget *
attest_candidate_panel_get_row (AttestCandidatePanel *self,
                                guint                 i)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_PANEL (self), NULL);
  g_return_val_if_fail (i < self->rows->len, NULL);
  return g_ptr_array_index (self->rows, i);
}

const char *
attest_candidate_panel_get_fmr_text (AttestCandidatePanel *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_PANEL (self), NULL);
  return gtk_label_get_text (self->fmr_label);
}

void
attest_candidate_panel_set_position (AttestCandidatePanel *self,
                                     guint                 position,
                                     guint                 n_on_screen)
{
  g_return_if_fail (ATTEST_IS_CANDIDATE_PANEL (self));

  self->position = position;
  self->n_on_screen = n_on_screen;
  if (self->has_face)
    update_texts (self);
}

const char *
attest_candidate_panel_get_title_text (AttestCandidatePanel *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_PANEL (self), NULL);

  return gtk_label_get_text (self->title_label);
}

const char *
attest_candidate_panel_get_state_text (AttestCandidatePanel *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_PANEL (self), NULL);
  return gtk_label_get_text (self->state_label);
}

gboolean
attest_candidate_panel_get_has_face (AttestCandidatePanel *self)
{
  g_return_val_if_fail (ATTEST_IS_CANDIDATE_PANEL (self), FALSE);
  return self->has_face;
}
