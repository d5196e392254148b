/* attest-face.c: a read-only snapshot of one enrolled face (see attest-face.h). */
#include "config.h"

#include "attest-face.h"

struct _AttestFace
{
  GObject   parent_instance;

  gint64    id;
  gint64    identity_id;
  char     *identity_name;
  GBytes   *thumbnail;
  GBytes   *embedding;
  char     *model_id;
  char     *source_uri;
  char     *source_sha256;
  gint64    source_ms;
  gboolean  has_box;
  double    box[4];
  char     *file_sha256;
  char     *enrolled_by;
  gint64    enrolled_at;
  char     *basis;
};

G_DEFINE_FINAL_TYPE (AttestFace, attest_face, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_IDENTITY_ID,
  PROP_IDENTITY_NAME,
  PROP_THUMBNAIL,
  PROP_EMBEDDING,
  PROP_MODEL_ID,
  PROP_SOURCE_URI,
  PROP_SOURCE_SHA256,
  PROP_SOURCE_MS,
  PROP_HAS_BOX,
  PROP_BOX_X,
  PROP_BOX_Y,
  PROP_BOX_W,
  PROP_BOX_H,
  PROP_FILE_SHA256,
  PROP_ENROLLED_BY,
  PROP_ENROLLED_AT,
  PROP_BASIS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attest_face_finalize (GObject *object)
{
  AttestFace *self = ATTEST_FACE (object);

  g_free (self->identity_name);
  g_clear_pointer (&self->thumbnail, g_bytes_unref);
  g_clear_pointer (&self->embedding, g_bytes_unref);
  g_free (self->model_id);
  g_free (self->source_uri);
  g_free (self->source_sha256);
  g_free (self->file_sha256);
  g_free (self->enrolled_by);
  g_free (self->basis);

  G_OBJECT_CLASS (attest_face_parent_class)->finalize (object);
}

static void
attest_face_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  AttestFace *self = ATTEST_FACE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_IDENTITY_ID:
      g_value_set_int64 (value, self->identity_id);
      break;
    case PROP_IDENTITY_NAME:
      g_value_set_string (value, self->identity_name);
      break;
    case PROP_THUMBNAIL:
      g_value_set_boxed (value, self->thumbnail);
      break;
    case PROP_EMBEDDING:
      g_value_set_boxed (value, self->embedding);
      break;
    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;
    case PROP_SOURCE_URI:
      g_value_set_string (value, self->source_uri);
      break;
    case PROP_SOURCE_SHA256:
      g_value_set_string (value, self->source_sha256);
      break;
    case PROP_SOURCE_MS:
      g_value_set_int64 (value, self->source_ms);
      break;
    case PROP_HAS_BOX:
      g_value_set_boolean (value, self->has_box);
      break;
    case PROP_BOX_X:
    case PROP_BOX_Y:
    case PROP_BOX_W:
    case PROP_BOX_H:
      g_value_set_double (value, self->box[prop_id - PROP_BOX_X]);
      break;
    case PROP_FILE_SHA256:
      g_value_set_string (value, self->file_sha256);
      break;
    case PROP_ENROLLED_BY:
      g_value_set_string (value, self->enrolled_by);
      break;
    case PROP_ENROLLED_AT:
      g_value_set_int64 (value, self->enrolled_at);
      break;
    case PROP_BASIS:
      g_value_set_string (value, self->basis);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_face_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  AttestFace *self = ATTEST_FACE (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_IDENTITY_ID:
      self->identity_id = g_value_get_int64 (value);
      break;
    case PROP_IDENTITY_NAME:
      self->identity_name = g_value_dup_string (value);
      break;
    case PROP_THUMBNAIL:
      self->thumbnail = g_value_dup_boxed (value);
      break;
    case PROP_EMBEDDING:
      self->embedding = g_value_dup_boxed (value);
      break;
    case PROP_MODEL_ID:
      self->model_id = g_value_dup_string (value);
      break;
    case PROP_SOURCE_URI:
      self->source_uri = g_value_dup_string (value);
      break;
    case PROP_SOURCE_SHA256:
      self->source_sha256 = g_value_dup_string (value);
      break;
    case PROP_SOURCE_MS:
      self->source_ms = g_value_get_int64 (value);
      break;
    case PROP_HAS_BOX:
      self->has_box = g_value_get_boolean (value);
      break;
    case PROP_BOX_X:
    case PROP_BOX_Y:
    case PROP_BOX_W:
    case PROP_BOX_H:
      self->box[prop_id - PROP_BOX_X] = g_value_get_double (value);
      break;
    case PROP_FILE_SHA256:
      self->file_sha256 = g_value_dup_string (value);
      break;
    case PROP_ENROLLED_BY:
      self->enrolled_by = g_value_dup_string (value);
      break;
    case PROP_ENROLLED_AT:
      self->enrolled_at = g_value_get_int64 (value);
      break;
    case PROP_BASIS:
      self->basis = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_face_class_init (AttestFaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = attest_face_finalize;
  object_class->get_property = attest_face_get_property;
  object_class->set_property = attest_face_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_IDENTITY_ID] =
    g_param_spec_int64 ("identity-id", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_IDENTITY_NAME] =
    g_param_spec_string ("identity-name", NULL, NULL, NULL, flags);
  properties[PROP_THUMBNAIL] =
    g_param_spec_boxed ("thumbnail", NULL, NULL, G_TYPE_BYTES, flags);
  properties[PROP_EMBEDDING] =
    g_param_spec_boxed ("embedding", NULL, NULL, G_TYPE_BYTES, flags);
  properties[PROP_MODEL_ID] =
    g_param_spec_string ("model-id", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_URI] =
    g_param_spec_string ("source-uri", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_SHA256] =
    g_param_spec_string ("source-sha256", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_MS] =
    g_param_spec_int64 ("source-ms", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_HAS_BOX] =
    g_param_spec_boolean ("has-box", NULL, NULL, FALSE, flags);
  properties[PROP_BOX_X] =
    g_param_spec_double ("box-x", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_BOX_Y] =
    g_param_spec_double ("box-y", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_BOX_W] =
    g_param_spec_double ("box-width", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_BOX_H] =
    g_param_spec_double ("box-height", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_FILE_SHA256] =
    g_param_spec_string ("file-sha256", NULL, NULL, NULL, flags);
  properties[PROP_ENROLLED_BY] =
    g_param_spec_string ("enrolled-by", NULL, NULL, NULL, flags);
  properties[PROP_ENROLLED_AT] =
    g_param_spec_int64 ("enrolled-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BASIS] =
    g_param_spec_string ("basis", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attest_face_init (AttestFace *self)
{
  self->id = -1;
  self->identity_id = -1;
  self->source_ms = -1;
}

gint64
attest_face_get_id (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), -1);

  return self->id;
}

gint64
attest_face_get_identity_id (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), -1);

  return self->identity_id;
}

const char *
attest_face_get_identity_name (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->identity_name;
}

GBytes *
attest_face_get_thumbnail (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->thumbnail;
}

GBytes *
attest_face_get_embedding_bytes (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->embedding;
}

const float *
attest_face_get_embedding (AttestFace *self,
                           guint      *n_floats)
{
  gsize size = 0;
  const float *data = NULL;

  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  /* GBytes made by the store copy the blob into malloc'd memory, so it is float-aligned. */
  if (self->embedding != NULL)
    data = g_bytes_get_data (self->embedding, &size);
  if (n_floats != NULL)
    *n_floats = (guint) (size / sizeof (float));
  return data;
}

const char *
attest_face_get_model_id (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->model_id;
}

const char *
attest_face_get_source_uri (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->source_uri;
}

const char *
attest_face_get_source_sha256 (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->source_sha256;
}

gint64
attest_face_get_source_ms (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), -1);

  return self->source_ms;
}

gboolean
attest_face_get_box (AttestFace *self,
                     double     *x,
                     double     *y,
                     double     *width,
                     double     *height)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), FALSE);

  if (!self->has_box)
    return FALSE;

  if (x != NULL)
    *x = self->box[0];
  if (y != NULL)
    *y = self->box[1];
  if (width != NULL)
    *width = self->box[2];
  if (height != NULL)
    *height = self->box[3];
  return TRUE;
}

const char *
attest_face_get_file_sha256 (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->file_sha256;
}

const char *
attest_face_get_enrolled_by (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->enrolled_by;
}

gint64
attest_face_get_enrolled_at (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), 0);

  return self->enrolled_at;
}

const char *
attest_face_get_basis (AttestFace *self)
{
  g_return_val_if_fail (ATTEST_IS_FACE (self), NULL);

  return self->basis;
}
