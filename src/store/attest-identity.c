/* attest-identity.c: a read-only snapshot of one gallery identity (see attest-identity.h). */
#include "config.h"

#include "attest-identity.h"

struct _AttestIdentity
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
  char    *notes;
  guint    n_faces;
  guint    n_matches;
  GBytes  *cover;
  gint64   created_at;
  char    *created_by;
};

G_DEFINE_FINAL_TYPE (AttestIdentity, attest_identity, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_NOTES,
  PROP_N_FACES,
  PROP_N_MATCHES,
  PROP_COVER,
  PROP_CREATED_AT,
  PROP_CREATED_BY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attest_identity_finalize (GObject *object)
{
  AttestIdentity *self = ATTEST_IDENTITY (object);

  g_free (self->name);
  g_free (self->notes);
  g_clear_pointer (&self->cover, g_bytes_unref);
  g_free (self->created_by);

  G_OBJECT_CLASS (attest_identity_parent_class)->finalize (object);
}

static void
attest_identity_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AttestIdentity *self = ATTEST_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_NOTES:
      g_value_set_string (value, self->notes);
      break;
    case PROP_N_FACES:
      g_value_set_uint (value, self->n_faces);
      break;
    case PROP_N_MATCHES:
      g_value_set_uint (value, self->n_matches);
      break;
    case PROP_COVER:
      g_value_set_boxed (value, self->cover);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_CREATED_BY:
      g_value_set_string (value, self->created_by);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_identity_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  AttestIdentity *self = ATTEST_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_NOTES:
      self->notes = g_value_dup_string (value);
      break;
    case PROP_N_FACES:
      self->n_faces = g_value_get_uint (value);
      break;
    case PROP_N_MATCHES:
      self->n_matches = g_value_get_uint (value);
      break;
    case PROP_COVER:
      self->cover = g_value_dup_boxed (value);
      break;
    case PROP_CREATED_AT:
      self->created_at = g_value_get_int64 (value);
      break;
    case PROP_CREATED_BY:
      self->created_by = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_identity_class_init (AttestIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = attest_identity_finalize;
  object_class->get_property = attest_identity_get_property;
  object_class->set_property = attest_identity_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_NOTES] =
    g_param_spec_string ("notes", NULL, NULL, NULL, flags);
  properties[PROP_N_FACES] =
    g_param_spec_uint ("n-faces", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_MATCHES] =
    g_param_spec_uint ("n-matches", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_COVER] =
    g_param_spec_boxed ("cover", NULL, NULL, G_TYPE_BYTES, flags);
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CREATED_BY] =
    g_param_spec_string ("created-by", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attest_identity_init (AttestIdentity *self)
{
  self->id = -1;
}

gint64
attest_identity_get_id (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), -1);

  return self->id;
}

const char *
attest_identity_get_name (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), NULL);

  return self->name;
}

const char *
attest_identity_get_notes (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), NULL);

  return self->notes;
}

guint
attest_identity_get_n_faces (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), 0);

  return self->n_faces;
}

guint
attest_identity_get_n_matches (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), 0);

  return self->n_matches;
}

GBytes *
attest_identity_get_cover (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), NULL);

  return self->cover;
}

gint64
attest_identity_get_created_at (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), 0);

  return self->created_at;
}

const char *
attest_identity_get_created_by (AttestIdentity *self)
{
  g_return_val_if_fail (ATTEST_IS_IDENTITY (self), NULL);

  return self->created_by;
}
