/* attest-enrol-dialog.c: enrol one face from a video frame (see attest-enrol-dialog.h).
 *
 * Two jobs run off the main thread: measuring the face when it is set (quality gate +
 * crop), and on Enrol computing its embedding and the video file's SHA-256. The write itself
 * is attest_store_enrol_face_async. While either runs the dialog cannot be closed, so an
 * enrolment is never half-reported. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "widgets/attest-a11y.h"
#include "store/attest-file-hash.h"
#include "store/attest-gallery.h"
#include "attest-enrol-dialog.h"
#include "attest-enrol-dialog-private.h"

#define THUMBNAIL_SIZE 96

struct _AttestEnrolDialog
{
  AdwWindow       parent_instance;

  /* template */
  GtkPicture     *crop_picture;
  GtkSpinner     *spinner;
  GtkLabel       *source_label;
  GtkLabel       *quality_label;
  GtkLabel       *message_label;
  AdwComboRow    *identity_row;
  AdwEntryRow    *name_row;
  AdwEntryRow    *notes_row;
  AdwEntryRow    *basis_row;
  AdwEntryRow    *reviewer_row;
  GtkStringList  *identity_names;

  AttestStore    *store;
  AttestVision   *vision;           /* not owned */
  AttestSettings *settings;

  GArray         *identity_ids;     /* gint64, parallel to identity_names after "New Person" */
  gint64          proposed_id;      /* selected once listed (-1: "New Person") */
  GCancellable   *cancellable;      /* cancelled on dispose */

  AttestImage    *image;            /* the frame, BGR */
  AttestBox       box;
  gboolean        hand_drawn;
  char           *source_uri;
  gint64          source_ms;

  gboolean        measured;
  gboolean        quality_ok;
  GBytes         *crop_png;
  guint           busy;
};

G_DEFINE_FINAL_TYPE (AttestEnrolDialog, attest_enrol_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_ENROLLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- state ------------------------------------------------------------------------- */

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static char *
stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
new_person_selected (AttestEnrolDialog *self)
{
  return adw_combo_row_get_selected (self->identity_row) == 0 ||
         adw_combo_row_get_selected (self->identity_row) == GTK_INVALID_LIST_POSITION;
}

static void
set_message (AttestEnrolDialog *self,
             const char        *message)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && *message != '\0');
}

static void
update_state (AttestEnrolDialog *self)
{
  gboolean new_person = new_person_selected (self);
  gboolean ready;

  gtk_widget_set_visible (GTK_WIDGET (self->name_row), new_person);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_row), new_person);

  ready = self->measured && self->quality_ok && self->busy == 0 &&
          !is_blank (gtk_editable_get_text (GTK_EDITABLE (self->basis_row))) &&
          !is_blank (gtk_editable_get_text (GTK_EDITABLE (self->reviewer_row))) &&
          (!new_person || !is_blank (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enrol.enrol", ready);
  gtk_spinner_set_spinning (self->spinner, self->busy > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy > 0);
}

static void
on_entry_changed (AttestEnrolDialog *self)
{
  update_state (self);
}

/* ---- the people to choose from ------------------------------------------------------ */

/* "Enrol As" starts at the person the face was suggested as, once the people are listed. */
static void
select_proposed (AttestEnrolDialog *self)
{
  for (guint i = 0; self->proposed_id >= 0 && i < self->identity_ids->len; i++)
    if (g_array_index (self->identity_ids, gint64, i) == self->proposed_id)
      {
        adw_combo_row_set_selected (self->identity_row, i + 1);
        return;
      }
}

static void
identities_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (AttestEnrolDialog) self = user_data;
  g_autoptr (GListStore) identities = NULL;
  g_autoptr (GError) error = NULL;
  guint n;

  identities = attest_store_list_identities_finish (ATTEST_STORE (source), result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (identities == NULL)
    {
      set_message (self, error->message);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (identities));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (identities), i);
      gint64 id = attest_identity_get_id (identity);

      g_array_append_val (self->identity_ids, id);
      gtk_string_list_append (self->identity_names, attest_identity_get_name (identity));
    }
  select_proposed (self);
  update_state (self);
}

/* ---- measuring the face ------------------------------------------------------------ */

typedef struct
{
  AttestImage  *image;    /* borrowed from the dialog, which outlives the task */
  AttestBox     box;
  AttestVision *vision;
  AttestQuality quality;
  GBytes       *crop_png;
} MeasureJob;

static void
measure_job_free (MeasureJob *job)
{
  g_clear_pointer (&job->crop_png, g_bytes_unref);
  g_free (job);
}

static void
measure_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MeasureJob *job = task_data;
  const AttestImageView *view = attest_image_get_view (job->image);
  GError *error = NULL;

  if (!attest_vision_assess (job->vision, view, &job->box, &job->quality, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  job->crop_png = attest_image_crop_png (view, &job->box, THUMBNAIL_SIZE, &error);
  if (job->crop_png == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
measure_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AttestEnrolDialog *self = ATTEST_ENROL_DIALOG (source);
  MeasureJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;

  self->busy--;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("This face cannot be measured: %s"),
                                                  error->message);

      gtk_label_set_text (self->quality_label, _("Cannot be enrolled"));
      set_message (self, message);
      update_state (self);
      return;
    }

  self->measured = TRUE;
  self->quality_ok = job->quality.issue == ATTEST_QUALITY_OK;
  self->crop_png = g_bytes_ref (job->crop_png);

  {
    g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (self->crop_png, NULL);

    gtk_picture_set_paintable (self->crop_picture, GDK_PAINTABLE (texture));
  }

  if (self->quality_ok)
    text = g_strdup_printf (_("Good enough to enrol: %.0f px wide, turned %.0f°"),
                            job->quality.width, fabsf (job->quality.yaw));
  else
    {
      reason = attest_quality_describe (&job->quality);
      text = g_strdup_printf (_("Too poor to enrol: %s"), reason);
      set_message (self, self->hand_drawn
                   ? _("The box drawn does not hold a face good enough to enrol. Draw it "
                       "around one face, or choose a frame where the face is larger, "
                       "sharper or turned to the camera.")
                   : _("This face is too poor to enrol. Choose a frame where the face is "
                       "larger, sharper or turned to the camera."));
    }
  gtk_label_set_text (self->quality_label, text);
  update_state (self);
}

static char *
format_ms (gint64 ms)
{
  gint64 s = ms / 1000;

  if (s >= 3600)
    return g_strdup_printf ("%d:%02d:%02d.%d", (int) (s / 3600), (int) (s / 60 % 60),
                            (int) (s % 60), (int) (ms % 1000 / 100));
  return g_strdup_printf ("%d:%02d.%d", (int) (s / 60), (int) (s % 60), (int) (ms % 1000 / 100));
}

void
attest_enrol_dialog_set_face (AttestEnrolDialog *self,
                              GdkTexture        *frame,
                              const AttestBox   *box,
                              gboolean           hand_drawn,
                              const char        *source_uri,
                              gint64             source_ms)
{
  g_autoptr (GTask) task = NULL;
  g_autofree guint8 *pixels = NULL;
  g_autofree char *source_text = NULL;
  g_autofree char *name = NULL;
  AttestImageView view;
  MeasureJob *job;
  int width, height;

  g_return_if_fail (ATTEST_IS_ENROL_DIALOG (self));
  g_return_if_fail (GDK_IS_TEXTURE (frame));
  g_return_if_fail (box != NULL);
  g_return_if_fail (self->image == NULL);

  /* The frame on screen is copied now: playback may move on while the dialog is open. */
  width = gdk_texture_get_width (frame);
  height = gdk_texture_get_height (frame);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (frame, pixels, (gsize) width * 4);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  /* Downloads are native-endian ARGB: A, R, G, B bytes here. */
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      guint8 *p = pixels + i * 4, a = p[0], r = p[1], g = p[2], b = p[3];

      p[0] = b, p[1] = g, p[2] = r, p[3] = a;
    }
#endif
  view = (AttestImageView) { pixels, width, height, width * 4, ATTEST_PIXELS_BGRA };
  self->image = attest_image_new_from_view (&view);
  self->box = *box;
  self->box.score = hand_drawn ? 1.0f : box->score;
  self->hand_drawn = hand_drawn;
  self->source_uri = g_strdup (source_uri);
  self->source_ms = source_ms;

  if (source_uri != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (source_uri);
      g_autofree char *basename = g_file_get_basename (file);

      name = basename != NULL ? g_filename_display_name (basename) : g_strdup (source_uri);
    }
  else
    name = g_strdup (_("Camera"));

  if (source_ms >= 0)
    {
      g_autofree char *time = format_ms (source_ms);

      /* Translators: "video.mp4 at 0:12.4" */
      source_text = g_strdup_printf (_("%s at %s"), name, time);
    }
  else
    source_text = g_steal_pointer (&name);
  gtk_label_set_text (self->source_label, source_text);
  gtk_label_set_text (self->quality_label, _("Measuring the face…"));

  job = g_new0 (MeasureJob, 1);
  job->image = self->image;
  job->box = self->box;
  job->vision = self->vision;

  self->busy++;
  update_state (self);
  task = g_task_new (self, NULL, measure_done, NULL);
  g_task_set_source_tag (task, attest_enrol_dialog_set_face);
  g_task_set_task_data (task, job, (GDestroyNotify) measure_job_free);
  g_task_run_in_thread (task, measure_thread);
}

/* ---- enrolling --------------------------------------------------------------------- */

typedef struct
{
  AttestImage  *image;      /* borrowed */
  AttestBox     box;
  AttestVision *vision;
  char         *source_uri;
  float         embedding[ATTEST_EMBEDDING_DIM];
  char         *sha256;
} EmbedJob;

static void
embed_job_free (EmbedJob *job)
{
  g_free (job->source_uri);
  g_free (job->sha256);
  g_free (job);
}

static void
embed_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EmbedJob *job = task_data;
  GError *error = NULL;

  if (!attest_vision_embed (job->vision, attest_image_get_view (job->image), &job->box,
                            job->embedding, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (job->source_uri != NULL)
    {
      job->sha256 = attest_file_sha256_cached (job->source_uri, cancellable, &error);
      if (job->sha256 == NULL)
        {
          g_prefix_error (&error, _("Cannot read the video to record where the face came from: "));
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  AttestEnrolDialog *self;
  char              *name;
} EnrolRequest;

static void
enrol_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  EnrolRequest *request = user_data;
  g_autoptr (AttestEnrolDialog) self = request->self;
  g_autofree char *name = request->name;
  g_autoptr (GError) error = NULL;
  gint64 face_id = -1;

  g_free (request);
  self->busy--;

  if (!attest_store_enrol_face_finish (ATTEST_STORE (source), result, &face_id, NULL, &error))
    {
      set_message (self, error->message);
      update_state (self);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_ENROLLED], 0, face_id, name);
  update_state (self);
  gtk_window_close (GTK_WINDOW (self));
}

static void
embed_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AttestEnrolDialog *self = ATTEST_ENROL_DIALOG (source);
  EmbedJob *job = g_task_get_task_data (G_TASK (result));
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *basis = NULL;
  g_autofree char *actor = NULL;
  EnrolRequest *request;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->busy--;
      if (!g_cancellable_is_cancelled (self->cancellable))
        {
          set_message (self, error->message);
          update_state (self);
        }
      return;
    }

  basis = stripped_text (self->basis_row);
  actor = stripped_text (self->reviewer_row);
  if (new_person_selected (self))
    {
      name = stripped_text (self->name_row);
      notes = stripped_text (self->notes_row);
      e.identity_name = name;
      e.create_identity = TRUE;
      e.notes = *notes != '\0' ? notes : NULL;
    }
  else
    {
      guint pos = adw_combo_row_get_selected (self->identity_row);

      e.identity_id = g_array_index (self->identity_ids, gint64, pos - 1);
      name = g_strdup (gtk_string_list_get_string (self->identity_names, pos));
    }

  e.basis = basis;
  e.actor = actor;
  e.embedding = job->embedding;
  e.model_id = attest_vision_get_model_id (self->vision);
  e.thumbnail_png = self->crop_png;
  e.source_uri = self->source_uri;
  e.source_sha256 = job->sha256;
  e.source_ms = self->source_ms;
  e.has_box = TRUE;
  e.box_x = self->box.x;
  e.box_y = self->box.y;
  e.box_w = self->box.w;
  e.box_h = self->box.h;

  /* The reviewer typed their name here because the settings had none: keep it. */
  if (is_blank (attest_settings_get_reviewer_name (self->settings)))
    attest_settings_set_reviewer_name (self->settings, actor);

  /* The write is not cancelled with the dialog: once asked for, it completes and is
   * reported (the dialog cannot close while busy). */
  request = g_new0 (EnrolRequest, 1);
  request->self = g_object_ref (self);
  request->name = g_steal_pointer (&name);
  attest_store_enrol_face_async (self->store, &e, NULL, enrol_done, request);
}

static void
enrol_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  AttestEnrolDialog *self = ATTEST_ENROL_DIALOG (widget);
  g_autoptr (GTask) task = NULL;
  EmbedJob *job;

  if (!self->measured || !self->quality_ok || self->busy > 0)
    return;

  set_message (self, NULL);
  job = g_new0 (EmbedJob, 1);
  job->image = self->image;
  job->box = self->box;
  job->vision = self->vision;
  job->source_uri = g_strdup (self->source_uri);

  self->busy++;
  update_state (self);
  task = g_task_new (self, self->cancellable, embed_done, NULL);
  g_task_set_source_tag (task, enrol_action);
  g_task_set_task_data (task, job, (GDestroyNotify) embed_job_free);
  g_task_run_in_thread (task, embed_thread);
}

/* ---- GObject ----------------------------------------------------------------------- */

static gboolean
attest_enrol_dialog_close_request (GtkWindow *window)
{
  AttestEnrolDialog *self = ATTEST_ENROL_DIALOG (window);

  /* Measuring is only reading: let it go. An enrolment under way must be reported. */
  if (self->busy > 0 && self->measured)
    return TRUE;

  return GTK_WINDOW_CLASS (attest_enrol_dialog_parent_class)->close_request (window);
}

static void
attest_enrol_dialog_dispose (GObject *object)
{
  AttestEnrolDialog *self = ATTEST_ENROL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_ENROL_DIALOG);

  G_OBJECT_CLASS (attest_enrol_dialog_parent_class)->dispose (object);
}

static void
attest_enrol_dialog_finalize (GObject *object)
{
  AttestEnrolDialog *self = ATTEST_ENROL_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->identity_ids, g_array_unref);
  g_clear_pointer (&self->image, attest_image_free);
  g_clear_pointer (&self->source_uri, g_free);
  g_clear_pointer (&self->crop_png, g_bytes_unref);

  G_OBJECT_CLASS (attest_enrol_dialog_parent_class)->finalize (object);
}

static void
attest_enrol_dialog_class_init (AttestEnrolDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = attest_enrol_dialog_dispose;
  object_class->finalize = attest_enrol_dialog_finalize;
  window_class->close_request = attest_enrol_dialog_close_request;

  signals[SIGNAL_ENROLLED] =
    g_signal_new ("enrolled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-enrol-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, crop_picture);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, source_label);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, quality_label);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, identity_row);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, notes_row);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, basis_row);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, reviewer_row);
  gtk_widget_class_bind_template_child (widget_class, AttestEnrolDialog, identity_names);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);

  gtk_widget_class_install_action (widget_class, "enrol.enrol", NULL, enrol_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
attest_enrol_dialog_init (AttestEnrolDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  attest_a11y_fix_mnemonic_names (GTK_WIDGET (self));

  self->identity_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->proposed_id = -1;
  self->cancellable = g_cancellable_new ();
  self->source_ms = -1;
  set_message (self, NULL);
}

AttestEnrolDialog *
attest_enrol_dialog_new (GtkWindow      *parent,
                         AttestStore    *store,
                         AttestVision   *vision,
                         AttestSettings *settings)
{
  AttestEnrolDialog *self;
  const char *reviewer;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (vision != NULL, NULL);
  g_return_val_if_fail (ATTEST_IS_SETTINGS (settings), NULL);

  self = g_object_new (ATTEST_TYPE_ENROL_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->vision = vision;
  self->settings = g_object_ref (settings);

  /* Every enrolment names its reviewer: ask here only when Preferences has none. */
  reviewer = attest_settings_get_reviewer_name (settings);
  gtk_editable_set_text (GTK_EDITABLE (self->reviewer_row), reviewer != NULL ? reviewer : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reviewer_row), is_blank (reviewer));

  attest_store_list_identities_async (store, NULL, self->cancellable, identities_done,
                                      g_object_ref (self));
  update_state (self);

  return self;
}

void
attest_enrol_dialog_propose_identity (AttestEnrolDialog *self,
                                      gint64             identity_id)
{
  g_return_if_fail (ATTEST_IS_ENROL_DIALOG (self));

  self->proposed_id = identity_id;
  select_proposed (self);
}

/* ---- for tests --------------------------------------------------------------------- */

gboolean
_attest_enrol_dialog_get_measured (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), FALSE);
  return self->measured;
}

gboolean
_attest_enrol_dialog_get_busy (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), FALSE);
  return self->busy > 0;
}

const char *
_attest_enrol_dialog_get_quality_text (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return gtk_label_get_text (self->quality_label);
}

const char *
_attest_enrol_dialog_get_message (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return gtk_label_get_text (self->message_label);
}

GBytes *
_attest_enrol_dialog_get_crop_png (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return self->crop_png;
}

AdwComboRow *
_attest_enrol_dialog_get_identity_row (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return self->identity_row;
}

GtkEditable *
_attest_enrol_dialog_get_name_row (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return GTK_EDITABLE (self->name_row);
}

GtkEditable *
_attest_enrol_dialog_get_basis_row (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return GTK_EDITABLE (self->basis_row);
}

GtkEditable *
_attest_enrol_dialog_get_reviewer_row (AttestEnrolDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_ENROL_DIALOG (self), NULL);
  return GTK_EDITABLE (self->reviewer_row);
}
