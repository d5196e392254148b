/* attest-settings.c: GSettings "org.gnome.Attest" as properties (GNOME Console's KgxSettings). */
#include "config.h"

#include <gio/gio.h>

#include "attest-settings.h"

struct _AttestSettings
{
  GObject    parent_instance;

  GSettings *settings;  /* NULL when the schema is not installed: values then live here only */

  double     match_threshold;
  char      *reviewer_name;
  char      *last_folder;
  int        window_width;
  int        window_height;
  gboolean   window_maximized;
  gboolean   blind_review;
};

G_DEFINE_FINAL_TYPE (AttestSettings, attest_settings, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MATCH_THRESHOLD,
  PROP_REVIEWER_NAME,
  PROP_LAST_FOLDER,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  PROP_BLIND_REVIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Property name and GSettings key are the same string. */
static const int bound_props[] = {
  PROP_MATCH_THRESHOLD, PROP_REVIEWER_NAME, PROP_LAST_FOLDER,
  PROP_WINDOW_WIDTH, PROP_WINDOW_HEIGHT, PROP_WINDOW_MAXIMIZED,
  PROP_BLIND_REVIEW,
};

static void
set_string (AttestSettings *self,
            char          **field,
            const char     *value,
            int             prop)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_int (AttestSettings *self,
         int            *field,
         int             value,
         int             prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
attest_settings_constructed (GObject *object)
{
  AttestSettings *self = ATTEST_SETTINGS (object);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  G_OBJECT_CLASS (attest_settings_parent_class)->constructed (object);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  /* g_settings_new() aborts on a missing schema; an uninstalled run without
   * GSETTINGS_SCHEMA_DIR should still work, just without remembering anything. */
  if (schema == NULL)
    {
      g_message ("GSettings schema %s is not installed: preferences will not be saved", APP_ID);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bound_props); i++)
    {
      const char *name = g_param_spec_get_name (properties[bound_props[i]]);

      g_settings_bind (self->settings, name, self, name, G_SETTINGS_BIND_DEFAULT);
    }
}

static void
attest_settings_finalize (GObject *object)
{
  AttestSettings *self = ATTEST_SETTINGS (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->reviewer_name, g_free);
  g_clear_pointer (&self->last_folder, g_free);

  G_OBJECT_CLASS (attest_settings_parent_class)->finalize (object);
}

static void
attest_settings_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AttestSettings *self = ATTEST_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_MATCH_THRESHOLD:
      g_value_set_double (value, self->match_threshold);
      break;
    case PROP_REVIEWER_NAME:
      g_value_set_string (value, self->reviewer_name);
      break;
    case PROP_LAST_FOLDER:
      g_value_set_string (value, self->last_folder);
      break;
    case PROP_WINDOW_WIDTH:
      g_value_set_int (value, self->window_width);
      break;
    case PROP_WINDOW_HEIGHT:
      g_value_set_int (value, self->window_height);
      break;
    case PROP_WINDOW_MAXIMIZED:
      g_value_set_boolean (value, self->window_maximized);
      break;
    case PROP_BLIND_REVIEW:
      g_value_set_boolean (value, self->blind_review);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_settings_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  AttestSettings *self = ATTEST_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_MATCH_THRESHOLD:
      attest_settings_set_match_threshold (self, g_value_get_double (value));
      break;
    case PROP_REVIEWER_NAME:
      set_string (self, &self->reviewer_name, g_value_get_string (value), PROP_REVIEWER_NAME);
      break;
    case PROP_LAST_FOLDER:
      set_string (self, &self->last_folder, g_value_get_string (value), PROP_LAST_FOLDER);
      break;
    case PROP_WINDOW_WIDTH:
      set_int (self, &self->window_width, g_value_get_int (value), PROP_WINDOW_WIDTH);
      break;
    case PROP_WINDOW_HEIGHT:
      set_int (self, &self->window_height, g_value_get_int (value), PROP_WINDOW_HEIGHT);
      break;
    case PROP_WINDOW_MAXIMIZED:
      set_int (self, &self->window_maximized, !!g_value_get_boolean (value), PROP_WINDOW_MAXIMIZED);
      break;
    case PROP_BLIND_REVIEW:
      set_int (self, &self->blind_review, !!g_value_get_boolean (value), PROP_BLIND_REVIEW);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_settings_class_init (AttestSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = attest_settings_constructed;
  object_class->finalize = attest_settings_finalize;
  object_class->get_property = attest_settings_get_property;
  object_class->set_property = attest_settings_set_property;

  /* Defaults repeat the schema's, for runs without it. */
  properties[PROP_MATCH_THRESHOLD] =
    g_param_spec_double ("match-threshold", NULL, NULL, 0.0, 1.0, 0.45, flags);
  properties[PROP_REVIEWER_NAME] =
    g_param_spec_string ("reviewer-name", NULL, NULL, "", flags);
  properties[PROP_LAST_FOLDER] =
    g_param_spec_string ("last-folder", NULL, NULL, "", flags);
  properties[PROP_WINDOW_WIDTH] =
    g_param_spec_int ("window-width", NULL, NULL, -1, G_MAXINT, 1100, flags);
  properties[PROP_WINDOW_HEIGHT] =
    g_param_spec_int ("window-height", NULL, NULL, -1, G_MAXINT, 720, flags);
  properties[PROP_WINDOW_MAXIMIZED] =
    g_param_spec_boolean ("window-maximized", NULL, NULL, FALSE, flags);
  properties[PROP_BLIND_REVIEW] =
    g_param_spec_boolean ("blind-review", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attest_settings_init (AttestSettings *self)
{
  self->match_threshold = 0.45;
  self->reviewer_name = g_strdup ("");
  self->last_folder = g_strdup ("");
  self->window_width = 1100;
  self->window_height = 720;
}

AttestSettings *
attest_settings_new (void)
{
  return g_object_new (ATTEST_TYPE_SETTINGS, NULL);
}

double
attest_settings_get_match_threshold (AttestSettings *self)
{
  g_return_val_if_fail (ATTEST_IS_SETTINGS (self), 0.45);

  return self->match_threshold;
}

void
attest_settings_set_match_threshold (AttestSettings *self,
                                     double          threshold)
{
  g_return_if_fail (ATTEST_IS_SETTINGS (self));

  threshold = CLAMP (threshold, 0.0, 1.0);
  if (G_APPROX_VALUE (self->match_threshold, threshold, 1e-9))
    return;

  self->match_threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_THRESHOLD]);
}

const char *
attest_settings_get_reviewer_name (AttestSettings *self)
{
  g_return_val_if_fail (ATTEST_IS_SETTINGS (self), "");

  return self->reviewer_name;
}

void
attest_settings_set_reviewer_name (AttestSettings *self,
                                   const char     *name)
{
  g_return_if_fail (ATTEST_IS_SETTINGS (self));

  set_string (self, &self->reviewer_name, name, PROP_REVIEWER_NAME);
}

const char *
attest_settings_get_last_folder (AttestSettings *self)
{
  g_return_val_if_fail (ATTEST_IS_SETTINGS (self), "");

  return self->last_folder;
}

void
attest_settings_set_last_folder (AttestSettings *self,
                                 const char     *uri)
{
  g_return_if_fail (ATTEST_IS_SETTINGS (self));

  set_string (self, &self->last_folder, uri, PROP_LAST_FOLDER);
}

void
attest_settings_get_window_state (AttestSettings *self,
                                  int            *width,
                                  int            *height,
                                  gboolean       *maximized)
{
  g_return_if_fail (ATTEST_IS_SETTINGS (self));

  if (width)
    *width = self->window_width;
  if (height)
    *height = self->window_height;
  if (maximized)
    *maximized = self->window_maximized;
}

void
attest_settings_set_window_state (AttestSettings *self,
                                  int             width,
                                  int             height,
                                  gboolean        maximized)
{
  g_return_if_fail (ATTEST_IS_SETTINGS (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_int (self, &self->window_width, width, PROP_WINDOW_WIDTH);
  set_int (self, &self->window_height, height, PROP_WINDOW_HEIGHT);
  set_int (self, &self->window_maximized, !!maximized, PROP_WINDOW_MAXIMIZED);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
attest_settings_get_blind_review (AttestSettings *self)
{
  g_return_val_if_fail (ATTEST_IS_SETTINGS (self), FALSE);

  return self->blind_review;
}

void
attest_settings_set_blind_review (AttestSettings *self,
                                  gboolean        blind)
{
  g_return_if_fail (ATTEST_IS_SETTINGS (self));

  set_int (self, &self->blind_review, !!blind, PROP_BLIND_REVIEW);
}
