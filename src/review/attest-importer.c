/* attest-importer.c: enrolling faces from image files (see attest-importer.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "review/attest-importer.h"
#include "review/attest-search.h"
#include "store/attest-gallery.h"

#define THUMBNAIL_SIZE 96
/* attest_importer_import_file() looks the identity up; a folder import once per person. */
#define IDENTITY_UNKNOWN G_GINT64_CONSTANT (-2)

struct _AttestImporter
{
  GObject       parent_instance;

  AttestStore  *store;
  AttestVision *vision;  /* not owned */
  char         *actor;
  char         *basis;
};

enum
{
  PROP_0,
  PROP_STORE,
  PROP_VISION,
  PROP_ACTOR,
  PROP_BASIS,
  N_PROPS
};

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_RESULT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AttestImporter, attest_importer, G_TYPE_OBJECT)
G_DEFINE_QUARK (attest-importer-error-quark, attest_importer_error)
G_DEFINE_BOXED_TYPE (AttestImportResult, attest_import_result,
                     attest_import_result_copy, attest_import_result_free)

/* ---- results ---- */

AttestImportResult *
attest_import_result_copy (const AttestImportResult *result)
{
  AttestImportResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = g_new (AttestImportResult, 1);
  *copy = *result;
  copy->file = g_strdup (result->file);
  copy->reason = g_strdup (result->reason);
  copy->identity = g_strdup (result->identity);
  copy->warning = g_strdup (result->warning);
  return copy;
}

void
attest_import_result_clear (AttestImportResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->file, g_free);
  g_clear_pointer (&result->reason, g_free);
  g_clear_pointer (&result->identity, g_free);
  g_clear_pointer (&result->warning, g_free);
  result->status = ATTEST_IMPORT_SKIPPED;
  result->skip = ATTEST_IMPORT_SKIP_NONE;
  result->face_id = -1;
}

void
attest_import_result_free (AttestImportResult *result)
{
  if (result == NULL)
    return;
  attest_import_result_clear (result);
  g_free (result);
}

/* Why a file is not a photo to enrol, in words: a video named like a photo is said to be one
 * (its bytes, not its name, decide), an image outside Attest's limits says which limit. */
static char *
not_an_image_reason (GBytes       *bytes,
                     const GError *error)
{
  gsize size = 0;
  const guchar *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  g_autofree char *type = data != NULL ? g_content_type_guess (NULL, data, MIN (size, 4096), NULL)
                                       : NULL;

  if (type != NULL && (g_content_type_is_a (type, "video/*") ||
                       g_content_type_is_mime_type (type, "application/mp4")))
    return g_strdup (_("a video, not a photo: open it in the player and enrol a face by "
                       "clicking it"));
  if (error != NULL && error->domain == ATTEST_VISION_ERROR &&
      strstr (error->message, "pixels") != NULL)
    return g_strdup (error->message);
  return g_strdup (_("not an image"));
}

static void
result_set (AttestImportResult *out,
            const char         *path,
            const char         *identity,
            AttestImportSkip    skip,
            char               *reason,  /* taken; NULL: "" */
            gint64              face_id)
{
  attest_import_result_clear (out);
  out->file = g_strdup (path);
  out->identity = g_strdup (identity);
  out->skip = skip;
  out->status = skip == ATTEST_IMPORT_SKIP_NONE ? ATTEST_IMPORT_ENROLLED : ATTEST_IMPORT_SKIPPED;
  out->reason = reason != NULL ? reason : g_strdup ("");
  out->face_id = face_id;
}

/* ---- names ---- */

/* Whitespace runs collapsed, ends trimmed, as the store keeps names; NULL when blank. */
static char *
clean_name (const char *name)
{
  g_auto (GStrv) words = NULL;
  g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
  g_auto (GStrv) joined = NULL;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return NULL;
  words = g_strsplit_set (name, " \t\n\r\v\f", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (kept, words[i]);
  joined = g_strv_builder_end (kept);
  if (joined[0] == NULL)
    return NULL;
  return g_strjoinv (" ", joined);
}

static gboolean
is_blank_name (const char *name)
{
  g_autofree char *clean = clean_name (name);

  return clean == NULL;
}

/* What two names share to be "the same name" (ignoring case, as the store does). */
static char *
name_key (const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  return g_utf8_normalize (folded, -1, G_NORMALIZE_ALL);
}

/* The identity named `name` (ignoring case): its id, or -1 when there is none yet. */
static gboolean
find_identity (AttestStore  *store,
               const char   *name,
               gint64       *id_out,
               char        **stored_name_out,
               GError      **error)
{
  g_autoptr (GListStore) found = attest_store_list_identities (store, name, error);
  g_autofree char *key = NULL;

  *id_out = -1;
  if (found == NULL)
    return FALSE;
  key = name_key (name);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (found)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (found), i);
      g_autofree char *other = name_key (attest_identity_get_name (identity));

      if (g_strcmp0 (key, other) == 0)
        {
          *id_out = attest_identity_get_id (identity);
          g_free (*stored_name_out);
          *stored_name_out = g_strdup (attest_identity_get_name (identity));
          return TRUE;
        }
    }
  return TRUE;
}

/* ---- one image ---- */

static char *
unreadable_reason (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_strdup (_("could not be read: no such file"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return g_strdup (_("could not be read: permission denied"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    return g_strdup (_("could not be read: it is a folder"));
  return g_strdup_printf (_("could not be read: %s"), error->message);
}

static gboolean
check_ready (AttestImporter  *self,
             const char      *name,
             GError         **error)
{
  if (self->basis == NULL)
    {
      g_set_error_literal (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID,
                           _("Say how you know who these people are: the basis for enrolling "
                             "is empty"));
      return FALSE;
    }
  if (self->actor == NULL)
    {
      g_set_error_literal (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID,
                           _("Say who is enrolling these faces: the reviewer name is empty"));
      return FALSE;
    }
  if (name != NULL && is_blank_name (name))
    {
      g_set_error_literal (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID,
                           _("Say whose faces these are: the identity name is empty"));
      return FALSE;
    }
  return TRUE;
}

/* Imports `path` for `name` (already cleaned). *identity_id: IDENTITY_UNKNOWN to look it up,
 * else the id found before (-1: none yet); updated. FALSE only for a database failure. */
static gboolean
import_one (AttestImporter      *self,
            const char          *path,
            const char          *name,
            gint64              *identity_id,
            AttestImportResult  *out,
            GError             **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (AttestStill) still = NULL;
  g_autoptr (GBytes) thumbnail = NULL;
  g_autoptr (AttestFace) face = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *identity = g_strdup (name);
  g_autoptr (GBytes) bytes = NULL;
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  float embedding[ATTEST_EMBEDDING_DIM];
  AttestQuality quality;
  AttestBox box;
  gint64 face_id = -1;
  gboolean duplicate = FALSE;
  gboolean created;
  guint n_faces;

  /* First, so every result names the identity as stored. */
  if (*identity_id == IDENTITY_UNKNOWN &&
      !find_identity (self->store, name, identity_id, &identity, error))
    return FALSE;

  /* Read once: the bytes hashed are the bytes decoded and enrolled, whatever happens to the
   * file meanwhile. Only a regular file: a pipe or a device would never end. Not cancellable:
   * cancelling stops between images, never inside one. */
  {
    g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                                    G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                    G_FILE_QUERY_INFO_NONE, NULL, NULL);
    char *contents = NULL;
    gsize length = 0;

    if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "");
    else if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_SPECIAL)
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                           _("not a regular file"));
    /* Read whole into memory: a file larger than any photo Attest reads is not read at all. */
    else if (info != NULL && g_file_info_get_size (info) > ATTEST_VISION_MAX_FILE_BYTES)
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("too large to be a photo (%" G_GOFFSET_FORMAT " MB; at most %d MB)"),
                   g_file_info_get_size (info) / 1000000, ATTEST_VISION_MAX_FILE_BYTES / 1000000);
    if (local_error == NULL && !g_file_load_contents (file, NULL, &contents, &length, NULL,
                                                      &local_error))
      contents = NULL;
    if (local_error != NULL)
      {
        result_set (out, path, identity, ATTEST_IMPORT_SKIP_UNREADABLE,
                    unreadable_reason (local_error), -1);
        return TRUE;
      }
    bytes = g_bytes_new_take (contents, length);
    sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  }

  /* Already taken: answered before any image work, so a re-import is quick. */
  if (*identity_id > 0)
    {
      face_id = attest_store_find_face_by_file (self->store, *identity_id, sha256, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (face_id > 0)
        {
          result_set (out, path, identity, ATTEST_IMPORT_SKIP_ALREADY_ENROLLED,
                      g_strdup (_("already enrolled")), face_id);
          return TRUE;
        }
    }

  {
    g_autofree char *display = g_filename_display_name (path);
    AttestImage *image = attest_image_decode (bytes, display, &local_error);

    still = image != NULL ? attest_still_new (self->vision, image) : NULL;
  }
  if (still == NULL)
    {
      result_set (out, path, identity, ATTEST_IMPORT_SKIP_NOT_AN_IMAGE,
                  not_an_image_reason (bytes, local_error), -1);
      return TRUE;
    }
  n_faces = attest_still_get_n_faces (still);
  if (n_faces == 0)
    {
      result_set (out, path, identity, ATTEST_IMPORT_SKIP_NO_FACE,
                  g_strdup (_("no face found")), -1);
      return TRUE;
    }
  if (n_faces > 1)
    {
      /* Which face is the person is for a human to say (enrol by click), not a guess. */
      result_set (out, path, identity, ATTEST_IMPORT_SKIP_SEVERAL_FACES,
                  g_strdup_printf (_("several faces (%u)"), n_faces), -1);
      return TRUE;
    }

  if (!attest_still_examine_face (still, 0, &quality, embedding, &local_error))
    {
      result_set (out, path, identity, ATTEST_IMPORT_SKIP_FAILED,
                  g_strdup (local_error->message), -1);
      return TRUE;
    }
  if (quality.issue != ATTEST_QUALITY_OK)
    {
      result_set (out, path, identity, ATTEST_IMPORT_SKIP_POOR_QUALITY,
                  attest_quality_describe (&quality), -1);
      return TRUE;
    }
  thumbnail = attest_image_crop_png (attest_still_get_view (still), attest_still_get_box (still, 0),
                                     THUMBNAIL_SIZE, &local_error);
  if (thumbnail == NULL)
    {
      result_set (out, path, identity, ATTEST_IMPORT_SKIP_FAILED,
                  g_strdup (local_error->message), -1);
      return TRUE;
    }

  attest_still_get_file_box (still, 0, &box);
  uri = g_file_get_uri (file);
  /* By name, not by the id found above: the store resolves it in the same transaction, so
   * an identity renamed or deleted meanwhile cannot be written to by mistake. */
  e.identity_name = name;
  e.create_identity = FALSE;
  e.basis = self->basis;
  e.actor = self->actor;
  e.embedding = embedding;
  e.model_id = attest_vision_get_model_id (self->vision);
  e.thumbnail_png = thumbnail;
  e.source_uri = uri;
  e.source_sha256 = sha256;
  e.source_ms = -1;
  e.has_box = TRUE;
  e.box_x = box.x;
  e.box_y = box.y;
  e.box_w = box.w;
  e.box_h = box.h;
  e.file_sha256 = sha256;
  e.via_import = TRUE;

  if (!attest_store_enrol_face (self->store, &e, &face_id, &duplicate, &local_error))
    {
      if (local_error->domain == ATTEST_GALLERY_ERROR)
        {
          /* A refusal about this face: the next image may still go in. */
          result_set (out, path, identity, ATTEST_IMPORT_SKIP_FAILED,
                      g_strdup (local_error->message), -1);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  created = *identity_id <= 0;
  face = attest_store_get_face (self->store, face_id, NULL);
  if (face != NULL)
    {
      g_free (identity);
      identity = g_strdup (attest_face_get_identity_name (face));
      *identity_id = attest_face_get_identity_id (face);
    }
  if (duplicate)
    result_set (out, path, identity, ATTEST_IMPORT_SKIP_ALREADY_ENROLLED,
                g_strdup (_("already enrolled")), face_id);
  else
    result_set (out, path, identity, ATTEST_IMPORT_SKIP_NONE, NULL, face_id);

  /* A new person whose name looks like someone's already there: perhaps the same person
   * typed another way ("John_Salley" beside "John Salley"). Said, not refused. */
  if (created && *identity_id > 0)
    {
      g_autofree char *like = attest_store_find_name_like (self->store, identity, *identity_id,
                                                           NULL);

      if (like != NULL)
        out->warning = g_strdup_printf (_("a new person whose name looks like “%s”, already in "
                                          "the gallery"), like);
    }
  return TRUE;
}

gboolean
attest_importer_import_file (AttestImporter      *self,
                             const char          *path,
                             const char          *identity_name,
                             AttestImportResult  *out,
                             GError             **error)
{
  g_autofree char *name = NULL;
  gint64 identity_id = IDENTITY_UNKNOWN;

  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (identity_name != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_ready (self, identity_name, error))
    return FALSE;
  name = clean_name (identity_name);
  return import_one (self, path, name, &identity_id, out, error);
}

/* ---- background imports ---- */

typedef struct
{
  char    *path;
  char    *identity;    /* cleaned; NULL: an image outside any person folder */
  gboolean unreadable;  /* a person folder that could not be listed */
  char    *reason;
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job->identity);
  g_free (job->reason);
  g_free (job);
}

typedef struct
{
  GFile        *dir;        /* folder import; NULL: files */
  GPtrArray    *jobs;       /* Job*; listed in the worker for a folder import */
  GPtrArray    *results;    /* AttestImportResult* */

  /* Hand-shake with the caller's main context: the worker waits until what it posted has
   * been delivered (or the import is cancelled). */
  GMutex        lock;
  GCond         cond;
  guint         posted;
  guint         delivered;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_clear_object (&data->dir);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_mutex_clear (&data->lock);
  g_cond_clear (&data->cond);
  g_free (data);
}

typedef struct
{
  GTask              *task;
  AttestImportResult *result;  /* NULL: progress only */
  guint               done;
  guint               total;
} Delivery;

static void
delivery_free (Delivery *delivery)
{
  g_clear_object (&delivery->task);
  g_clear_pointer (&delivery->result, attest_import_result_free);
  g_free (delivery);
}

static gboolean
deliver (gpointer user_data)
{
  Delivery *delivery = user_data;
  AttestImporter *self = g_task_get_source_object (delivery->task);
  ImportData *data = g_task_get_task_data (delivery->task);

  if (delivery->result != NULL)
    g_signal_emit (self, signals[SIGNAL_RESULT], 0, delivery->result);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, delivery->done, delivery->total);

  g_mutex_lock (&data->lock);
  data->delivered++;
  g_cond_broadcast (&data->cond);
  g_mutex_unlock (&data->lock);
  return G_SOURCE_REMOVE;
}

static void
wake_worker (GCancellable *cancellable,
             gpointer      user_data)
{
  ImportData *data = user_data;

  g_mutex_lock (&data->lock);
  g_cond_broadcast (&data->cond);
  g_mutex_unlock (&data->lock);
}

/* Posts signals to the caller's context and waits until they were emitted there. */
static void
post_and_wait (GTask                    *task,
               const AttestImportResult *result,
               guint                     done,
               guint                     total)
{
  ImportData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->task = g_object_ref (task);
  delivery->result = result != NULL ? attest_import_result_copy (result) : NULL;
  delivery->done = done;
  delivery->total = total;

  g_mutex_lock (&data->lock);
  data->posted++;
  g_mutex_unlock (&data->lock);
  /* Always a source, never g_main_context_invoke(): that may run the callback right here
   * when this worker thread manages to acquire the default context. */
  {
    g_autoptr (GSource) source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, deliver, delivery, (GDestroyNotify) delivery_free);
    g_source_set_static_name (source, "[attest] import progress");
    g_source_attach (source, g_task_get_context (task));
  }

  g_mutex_lock (&data->lock);
  while (data->delivered < data->posted &&
         !(cancellable != NULL && g_cancellable_is_cancelled (cancellable)))
    g_cond_wait (&data->cond, &data->lock);
  g_mutex_unlock (&data->lock);
}

static gboolean
has_image_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  return dot != NULL && dot != name &&
         (g_ascii_strcasecmp (dot, ".jpg") == 0 || g_ascii_strcasecmp (dot, ".jpeg") == 0 ||
          g_ascii_strcasecmp (dot, ".png") == 0);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  /* Byte order: the same on every machine and locale. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names of `dir`'s children: folders in *folders, image files in *images; sorted. */
static gboolean
list_folder (GFile         *dir,
             GPtrArray    **folders,
             GPtrArray    **images,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GError) local_error = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (dir,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                        G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (children == NULL)
    return FALSE;

  *folders = g_ptr_array_new_with_free_func (g_free);
  *images = g_ptr_array_new_with_free_func (g_free);
  while ((info = g_file_enumerator_next_file (children, cancellable, &local_error)) != NULL)
    {
      const char *name = g_file_info_get_name (info);

      if (!g_file_info_get_is_hidden (info) && name[0] != '.')
        {
          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            g_ptr_array_add (*folders, g_strdup (name));
          else if (has_image_extension (name))
            g_ptr_array_add (*images, g_strdup (name));
        }
      g_object_unref (info);
    }
  if (local_error != NULL)
    {
      g_clear_pointer (folders, g_ptr_array_unref);
      g_clear_pointer (images, g_ptr_array_unref);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_ptr_array_sort (*folders, compare_names);
  g_ptr_array_sort (*images, compare_names);
  return TRUE;
}

static gboolean
plan_folder (ImportData    *data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GPtrArray) loose = NULL;
  g_autofree char *display = g_file_get_parse_name (data->dir);
  g_autoptr (GError) local_error = NULL;

  if (!list_folder (data->dir, &folders, &loose, cancellable, &local_error))
    {
      /* GIO's own text repeats the path and reads "Error opening directory": say it once. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("The folder “%s” does not exist"), display);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                     _("“%s” is not a folder: choose the folder that holds one folder of "
                       "photos per person"), display);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                     _("The folder “%s” cannot be read: permission denied"), display);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    _("Could not read the folder “%s”: "), display);
      return FALSE;
    }
  if (folders->len == 0)
    {
      g_set_error (error, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_NO_SUBFOLDERS,
                   _("“%s” has no sub-folders: put each person’s photos in a folder named "
                     "after them"), display);
      return FALSE;
    }

  for (guint i = 0; i < loose->len; i++)
    {
      Job *job = g_new0 (Job, 1);
      g_autoptr (GFile) child = g_file_get_child (data->dir, g_ptr_array_index (loose, i));

      job->path = g_file_get_path (child);
      g_ptr_array_add (data->jobs, job);
    }

  for (guint i = 0; i < folders->len; i++)
    {
      const char *folder = g_ptr_array_index (folders, i);
      g_autoptr (GFile) person = g_file_get_child (data->dir, folder);
      g_autofree char *display_name = g_filename_display_name (folder);
      g_autofree char *name = clean_name (display_name);
      g_autoptr (GPtrArray) sub_folders = NULL;
      g_autoptr (GPtrArray) images = NULL;

      if (name == NULL)
        continue;
      if (!list_folder (person, &sub_folders, &images, cancellable, &local_error))
        {
          /* One person's folder is not readable: say so, import the others. */
          Job *job = g_new0 (Job, 1);

          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          job->path = g_file_get_path (person);
          job->identity = g_strdup (name);
          job->unreadable = TRUE;
          job->reason = unreadable_reason (local_error);
          g_ptr_array_add (data->jobs, job);
          g_clear_error (&local_error);
          continue;
        }
      for (guint j = 0; j < images->len; j++)
        {
          Job *job = g_new0 (Job, 1);
          g_autoptr (GFile) child = g_file_get_child (person, g_ptr_array_index (images, j));

          job->path = g_file_get_path (child);
          job->identity = g_strdup (name);
          g_ptr_array_add (data->jobs, job);
        }
    }
  return TRUE;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AttestImporter *self = source_object;
  ImportData *data = task_data;
  g_autoptr (GError) error = NULL;
  const char *last_identity = NULL;
  gint64 identity_id = IDENTITY_UNKNOWN;
  gulong cancel_id = 0;

  if (data->dir != NULL && !plan_folder (data, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (wake_worker), data, NULL);

  post_and_wait (task, NULL, 0, data->jobs->len);
  for (guint i = 0; i < data->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (data->jobs, i);
      AttestImportResult result = { .face_id = -1 };

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;

      if (job->identity == NULL)
        result_set (&result, job->path, "", ATTEST_IMPORT_SKIP_NOT_IN_A_FOLDER,
                    g_strdup (_("not in a person’s folder")), -1);
      else if (job->unreadable)
        result_set (&result, job->path, job->identity, ATTEST_IMPORT_SKIP_UNREADABLE,
                    g_strdup (job->reason), -1);
      else
        {
          /* Jobs come grouped by person: look each identity up once. */
          if (g_strcmp0 (job->identity, last_identity) != 0)
            identity_id = IDENTITY_UNKNOWN;
          last_identity = job->identity;
          if (!import_one (self, job->path, job->identity, &identity_id, &result, &error))
            break;
        }

      g_ptr_array_add (data->results, attest_import_result_copy (&result));
      post_and_wait (task, &result, i + 1, data->jobs->len);
      attest_import_result_clear (&result);
    }

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_ptr_array_ref (data->results),
                           (GDestroyNotify) g_ptr_array_unref);
}

static void
start_import (AttestImporter      *self,
              ImportData          *data,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) import_data_free);
  if (!check_ready (self, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_run_in_thread (task, import_thread);
}

static ImportData *
import_data_new (void)
{
  ImportData *data = g_new0 (ImportData, 1);

  data->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_import_result_free);
  g_mutex_init (&data->lock);
  g_cond_init (&data->cond);
  return data;
}

void
attest_importer_import_folder_async (AttestImporter      *self,
                                     GFile               *dir,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  ImportData *data;

  g_return_if_fail (ATTEST_IS_IMPORTER (self));
  g_return_if_fail (G_IS_FILE (dir));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = import_data_new ();
  data->dir = g_object_ref (dir);
  start_import (self, data, attest_importer_import_folder_async, cancellable, callback, user_data);
}

GPtrArray *
attest_importer_import_folder_finish (AttestImporter  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        attest_importer_import_folder_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
attest_importer_import_files_async (AttestImporter      *self,
                                    GFile              **files,
                                    guint                n_files,
                                    const char          *identity_name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *name = NULL;
  ImportData *data;

  g_return_if_fail (ATTEST_IS_IMPORTER (self));
  g_return_if_fail (files != NULL || n_files == 0);
  g_return_if_fail (identity_name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = import_data_new ();
  name = clean_name (identity_name);
  if (name == NULL)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      import_data_free (data);
      g_task_set_source_tag (task, attest_importer_import_files_async);
      g_task_return_new_error (task, ATTEST_IMPORTER_ERROR, ATTEST_IMPORTER_ERROR_INVALID,
                               "%s", _("Say whose faces these are: the identity name is empty"));
      return;
    }
  for (guint i = 0; i < n_files; i++)
    {
      Job *job = g_new0 (Job, 1);

      job->path = g_file_get_path (files[i]);
      if (job->path == NULL)
        job->path = g_file_get_uri (files[i]);
      job->identity = g_strdup (name);
      g_ptr_array_add (data->jobs, job);
    }
  start_import (self, data, attest_importer_import_files_async, cancellable, callback, user_data);
}

GPtrArray *
attest_importer_import_files_finish (AttestImporter  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        attest_importer_import_files_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object ---- */

AttestImporter *
attest_importer_new (AttestStore  *store,
                     AttestVision *vision,
                     const char   *actor,
                     const char   *basis)
{
  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (vision != NULL, NULL);

  return g_object_new (ATTEST_TYPE_IMPORTER,
                       "store", store,
                       "vision", vision,
                       "actor", actor,
                       "basis", basis,
                       NULL);
}

AttestStore *
attest_importer_get_store (AttestImporter *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), NULL);

  return self->store;
}

AttestVision *
attest_importer_get_vision (AttestImporter *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), NULL);

  return self->vision;
}

const char *
attest_importer_get_actor (AttestImporter *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), NULL);

  return self->actor;
}

const char *
attest_importer_get_basis (AttestImporter *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORTER (self), NULL);

  return self->basis;
}

/* Blank text is stored as NULL, so "required" has one test. */
static char *
dup_unless_blank (const char *text)
{
  g_autofree char *copy = g_strdup (text);

  if (copy == NULL || g_strstrip (copy)[0] == '\0')
    return NULL;
  return g_strdup (text);
}

static void
attest_importer_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  AttestImporter *self = ATTEST_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_VISION:
      self->vision = g_value_get_pointer (value);
      break;
    case PROP_ACTOR:
      self->actor = dup_unless_blank (g_value_get_string (value));
      break;
    case PROP_BASIS:
      self->basis = dup_unless_blank (g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_importer_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AttestImporter *self = ATTEST_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_VISION:
      g_value_set_pointer (value, self->vision);
      break;
    case PROP_ACTOR:
      g_value_set_string (value, self->actor);
      break;
    case PROP_BASIS:
      g_value_set_string (value, self->basis);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_importer_finalize (GObject *object)
{
  AttestImporter *self = ATTEST_IMPORTER (object);

  g_clear_object (&self->store);
  g_free (self->actor);
  g_free (self->basis);

  G_OBJECT_CLASS (attest_importer_parent_class)->finalize (object);
}

static void
attest_importer_class_init (AttestImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = attest_importer_set_property;
  object_class->get_property = attest_importer_get_property;
  object_class->finalize = attest_importer_finalize;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, ATTEST_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* An AttestVision* (plain struct, not owned). */
  properties[PROP_VISION] =
    g_param_spec_pointer ("vision", NULL, NULL,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTOR] =
    g_param_spec_string ("actor", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASIS] =
    g_param_spec_string ("basis", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted for every image of a background import, on the caller's main context. */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_RESULT] =
    g_signal_new ("result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ATTEST_TYPE_IMPORT_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
attest_importer_init (AttestImporter *self)
{
}
