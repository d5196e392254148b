/* attest-gallery-page-merge.c: the Gallery page's "Merge Into…" (gallery.merge).
 *
 * The dialog proposes the person whose faces are most like the selected person's (the best
 * pair of faces made by the same model), lists the others after, most alike first, and shows
 * both people's faces side by side so the reviewer compares faces, not names. A merge is
 * recorded in the audit log; its toast offers Undo, an audited reversal
 * (attest_store_undo_merge). */
#include "config.h"

#include <glib/gi18n.h>

#include "store/attest-gallery.h"
#include "attest-a11y.h"
#include "attest-gallery-page-private.h"

/* Faces shown per person in the dialog. */
#define MAX_SHOWN_FACES 4

typedef struct
{
  gint64     id;
  char      *name;
  double     score;   /* best cosine between a face of theirs and one of the subject's;
                       * -2: no face made by the same model */
  GPtrArray *thumbs;  /* GBytes (PNG), up to MAX_SHOWN_FACES */
} MergeTarget;

typedef struct _MergeChoice
{
  gint64     subject;
  char      *subject_name;
  GPtrArray *subject_thumbs;
  GPtrArray *targets;  /* MergeTarget*, most alike first */
} MergeChoice;

static void
merge_target_free (gpointer data)
{
  MergeTarget *t = data;

  g_free (t->name);
  g_ptr_array_unref (t->thumbs);
  g_free (t);
}

static void
merge_choice_free (MergeChoice *choice)
{
  g_free (choice->subject_name);
  g_ptr_array_unref (choice->subject_thumbs);
  g_ptr_array_unref (choice->targets);
  g_free (choice);
}

static GPtrArray *
thumbs_of (GListModel *faces)
{
  GPtrArray *thumbs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < g_list_model_get_n_items (faces) && thumbs->len < MAX_SHOWN_FACES; i++)
    {
      g_autoptr (AttestFace) face = g_list_model_get_item (faces, i);

      if (attest_face_get_thumbnail (face) != NULL)
        g_ptr_array_add (thumbs, g_bytes_ref (attest_face_get_thumbnail (face)));
    }
  return thumbs;
}

/* The best cosine between a face in `a` and one in `b` made by the same model, -2: none. */
static double
best_score (GListModel *a,
            GListModel *b)
{
  double best = -2;

  for (guint i = 0; i < g_list_model_get_n_items (a); i++)
    {
      g_autoptr (AttestFace) fa = g_list_model_get_item (a, i);
      guint na = 0;
      const float *ea = attest_face_get_embedding (fa, &na);

      for (guint j = 0; ea != NULL && j < g_list_model_get_n_items (b); j++)
        {
          g_autoptr (AttestFace) fb = g_list_model_get_item (b, j);
          guint nb = 0;
          const float *eb = attest_face_get_embedding (fb, &nb);
          double dot = 0;

          if (eb == NULL || na != nb ||
              g_strcmp0 (attest_face_get_model_id (fa), attest_face_get_model_id (fb)) != 0)
            continue;
          /* Stored embeddings are L2-normalised: the dot product is the cosine. */
          for (guint k = 0; k < na; k++)
            dot += (double) ea[k] * eb[k];
          best = MAX (best, dot);
        }
    }
  return best;
}

static int
compare_targets (gconstpointer a,
                 gconstpointer b)
{
  const MergeTarget *x = *(MergeTarget **) a;
  const MergeTarget *y = *(MergeTarget **) b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return g_utf8_collate (x->name, y->name);
}

/* On the store's worker: every other person, with how alike their faces are. */
static gpointer
read_merge_choice (AttestStore  *store,
                   gpointer      data,
                   GError      **error)
{
  gint64 subject = *(gint64 *) data;
  g_autoptr (GListStore) all = NULL;
  g_autoptr (GListStore) subject_faces = NULL;
  MergeChoice *choice;

  all = attest_store_list_identities (store, NULL, error);
  if (all == NULL)
    return NULL;
  subject_faces = attest_store_list_faces (store, subject, error);
  if (subject_faces == NULL)
    return NULL;

  choice = g_new0 (MergeChoice, 1);
  choice->subject = subject;
  choice->subject_thumbs = thumbs_of (G_LIST_MODEL (subject_faces));
  choice->targets = g_ptr_array_new_with_free_func (merge_target_free);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (all)); i++)
    {
      g_autoptr (AttestIdentity) other = g_list_model_get_item (G_LIST_MODEL (all), i);
      g_autoptr (GListStore) faces = NULL;
      MergeTarget *target;

      if (attest_identity_get_id (other) == subject)
        {
          choice->subject_name = g_strdup (attest_identity_get_name (other));
          continue;
        }
      faces = attest_store_list_faces (store, attest_identity_get_id (other), error);
      if (faces == NULL)
        {
          merge_choice_free (choice);
          return NULL;
        }
      target = g_new0 (MergeTarget, 1);
      target->id = attest_identity_get_id (other);
      target->name = g_strdup (attest_identity_get_name (other));
      target->score = best_score (G_LIST_MODEL (subject_faces), G_LIST_MODEL (faces));
      target->thumbs = thumbs_of (G_LIST_MODEL (faces));
      g_ptr_array_add (choice->targets, target);
    }
  g_ptr_array_sort (choice->targets, compare_targets);
  return choice;
}

/* ---- merging and its undo ---- */

static void
on_undo_clicked (AdwToast          *toast,
                 AttestGalleryPage *self)
{
  _attest_gallery_page_undo_merge (self);
}

static void
merge_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = attest_store_merge_identities_finish (ATTEST_STORE (source), result, &error);
  GtkWidget *overlay;

  _attest_gallery_page_edit_finished (self, ok, error);
  if (!ok)
    return;

  /* libadwaita 1.2: the toast's button signal, as an action would not reach the page. */
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_free (self->last_message);
  self->last_message = g_strdup (_("People merged: the merge is in the audit log"));
  if (overlay != NULL)
    {
      AdwToast *toast = adw_toast_new (self->last_message);

      adw_toast_set_timeout (toast, 10);
      adw_toast_set_button_label (toast, _("Undo"));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
}

void
_attest_gallery_page_merge (AttestGalleryPage *self,
                            gint64             from_id,
                            gint64             into_id)
{
  const char *actor;

  g_return_if_fail (ATTEST_IS_GALLERY_PAGE (self));

  if (self->store == NULL || (actor = _attest_gallery_page_get_actor (self)) == NULL)
    return;

  self->select_id = into_id;
  self->undo_from = from_id;
  self->undo_into = into_id;
  self->busy++;
  attest_store_merge_identities_async (self->store, from_id, into_id, actor, NULL, NULL,
                                       merge_done, g_object_ref (self));
}

static void
undo_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = attest_store_undo_merge_finish (ATTEST_STORE (source), result, &error);

  _attest_gallery_page_edit_finished (self, ok, error);
  if (ok)
    _attest_gallery_page_show_message (self, _("Merge undone: both people are back, and the "
                                               "undo is in the audit log"));
}

void
_attest_gallery_page_undo_merge (AttestGalleryPage *self)
{
  const char *actor;

  g_return_if_fail (ATTEST_IS_GALLERY_PAGE (self));

  if (self->store == NULL || self->undo_from < 0 ||
      (actor = _attest_gallery_page_get_actor (self)) == NULL)
    return;
  self->select_id = self->undo_from;
  self->busy++;
  attest_store_undo_merge_async (self->store, self->undo_from, self->undo_into, actor, NULL,
                                 undo_done, g_object_ref (self));
  self->undo_from = self->undo_into = -1;
}

/* ---- the dialog ---- */

/* "NAME" over a row of up to MAX_SHOWN_FACES faces. */
static GtkWidget *
faces_column (const char *name,
              GPtrArray  *thumbs,
              GtkWidget **row_out)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_set_halign (row, GTK_ALIGN_CENTER);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (column), label);
  gtk_box_append (GTK_BOX (column), row);
  for (guint i = 0; i < thumbs->len; i++)
    {
      g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (thumbs->pdata[i], NULL);
      GtkWidget *picture;
      g_autofree char *alt = NULL;

      if (texture == NULL)
        continue;
      picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_widget_set_size_request (picture, 56, 56);
      /* Translators: a face in the Merge dialog, "Face 2 of Ann". */
      alt = g_strdup_printf (_("Face %u of %s"), i + 1, name);
      gtk_picture_set_alternative_text (GTK_PICTURE (picture), alt);
      gtk_box_append (GTK_BOX (row), picture);
    }
  if (thumbs->len == 0)
    gtk_box_append (GTK_BOX (row), gtk_label_new (_("No faces")));
  if (row_out != NULL)
    *row_out = column;
  return column;
}

static void
show_target_faces (AttestGalleryPage *self,
                   guint              position)
{
  GtkWidget *parent, *old;
  MergeTarget *target;
  GtkWidget *column;

  if (self->merge_faces == NULL || self->merge_choice == NULL ||
      position >= self->merge_choice->targets->len)
    return;
  target = self->merge_choice->targets->pdata[position];
  old = self->merge_faces;
  parent = gtk_widget_get_parent (old);
  column = faces_column (target->name, target->thumbs, NULL);
  gtk_box_insert_child_after (GTK_BOX (parent), column, old);
  gtk_box_remove (GTK_BOX (parent), old);
  g_set_weak_pointer (&self->merge_faces, column);
}

static void
on_target_selected (GtkDropDown       *drop_down,
                    GParamSpec        *pspec,
                    AttestGalleryPage *self)
{
  show_target_faces (self, gtk_drop_down_get_selected (drop_down));
}

static void
on_merge_response (AdwMessageDialog  *dialog,
                   const char        *response,
                   AttestGalleryPage *self)
{
  guint position;
  MergeTarget *target;

  if (!g_str_equal (response, "merge") || self->dialog_input == NULL ||
      self->merge_choice == NULL)
    return;

  position = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->dialog_input));
  if (position >= self->merge_choice->targets->len)
    return;
  target = self->merge_choice->targets->pdata[position];
  _attest_gallery_page_merge (self, self->merge_choice->subject, target->id);
}

static void
on_merge_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  MergeChoice *choice;
  AttestIdentity *identity;
  AdwMessageDialog *dialog;
  GtkWidget *box, *faces, *drop_down, *target_column;
  const char *name;

  self->busy--;
  choice = attest_store_read_finish (ATTEST_STORE (source), result, &error);
  if (choice == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _attest_gallery_page_show_message (self, error->message);
      return;
    }
  /* The person may have gone (or another been selected) meanwhile. */
  identity = _attest_gallery_page_get_selected (self);
  if (identity == NULL || attest_identity_get_id (identity) != choice->subject)
    {
      merge_choice_free (choice);
      return;
    }
  g_clear_pointer (&self->merge_choice, merge_choice_free);
  self->merge_choice = choice;

  name = attest_identity_get_name (identity);
  if (choice->targets->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("There is no other person to merge “%s” into"), name);

      _attest_gallery_page_show_message (self, message);
      return;
    }
  for (guint i = 0; i < choice->targets->len; i++)
    gtk_string_list_append (names, ((MergeTarget *) choice->targets->pdata[i])->name);

  heading = g_strdup_printf (_("Merge “%s” Into…"), name);
  body = g_strdup_printf (_("The faces, confirmed matches and notes of “%s” move to the person "
                            "chosen below, and “%s” is removed. Use this when both are the same "
                            "person: compare the faces. The person whose faces are most alike "
                            "comes first. The merge is recorded in the audit log and can be "
                            "undone."), name, name);
  dialog = _attest_gallery_page_new_dialog (self, heading, body);
  adw_message_dialog_add_response (dialog, "merge", _("_Merge"));
  adw_message_dialog_set_response_appearance (dialog, "merge", ADW_RESPONSE_DESTRUCTIVE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  drop_down = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL);
  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop_down), TRUE);
  attest_a11y_name_drop_down (GTK_DROP_DOWN (drop_down), _("Merge into"));
  gtk_box_append (GTK_BOX (box), drop_down);
  faces = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_append (GTK_BOX (faces), faces_column (name, choice->subject_thumbs, NULL));
  faces_column (((MergeTarget *) choice->targets->pdata[0])->name,
                ((MergeTarget *) choice->targets->pdata[0])->thumbs, &target_column);
  gtk_box_append (GTK_BOX (faces), target_column);
  gtk_box_append (GTK_BOX (box), faces);
  adw_message_dialog_set_extra_child (dialog, box);
  g_set_weak_pointer (&self->dialog_input, drop_down);
  g_set_weak_pointer (&self->merge_faces, target_column);
  g_signal_connect_object (drop_down, "notify::selected", G_CALLBACK (on_target_selected), self, 0);

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_merge_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_attest_gallery_page_merge_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (widget);
  AttestIdentity *identity = _attest_gallery_page_get_selected (self);
  gint64 *subject;

  if (identity == NULL || self->store == NULL || _attest_gallery_page_get_actor (self) == NULL)
    return;

  self->dialog_subject = attest_identity_get_id (identity);
  subject = g_new (gint64, 1);
  *subject = self->dialog_subject;
  self->busy++;
  attest_store_read_async (self->store, read_merge_choice, subject, g_free,
                           (GDestroyNotify) merge_choice_free, NULL, on_merge_read,
                           g_object_ref (self));
}

GtkWidget *
_attest_gallery_page_get_merge_faces (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);

  return self->dialog != NULL ? self->merge_faces : NULL;
}

void
_attest_gallery_page_dispose_merge (AttestGalleryPage *self)
{
  g_clear_weak_pointer (&self->merge_faces);
  g_clear_pointer (&self->merge_choice, merge_choice_free);
}
