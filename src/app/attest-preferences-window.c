/* attest-preferences-window.c: edits AttestSettings through property bindings, so every
 * change is saved as it is made. */
#include "config.h"

#include "widgets/attest-a11y.h"
#include "widgets/attest-match-text.h"
#include "attest-preferences-window.h"

struct _AttestPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkAdjustment        *threshold_adjustment;
  AdwEntryRow          *reviewer_row;
  GtkSwitch            *blind_switch;
  GtkLabel             *fmr_label;

  AttestSettings       *settings;
};

G_DEFINE_FINAL_TYPE (AttestPreferencesWindow, attest_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attest_preferences_window_constructed (GObject *object)
{
  AttestPreferencesWindow *self = ATTEST_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (attest_preferences_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = attest_settings_new ();

  g_object_bind_property (self->settings, "match-threshold",
                          self->threshold_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "reviewer-name",
                          self->reviewer_row, "text",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "blind-review",
                          self->blind_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
}

static void
attest_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ATTEST_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (attest_preferences_window_parent_class)->dispose (object);
}

static void
attest_preferences_window_finalize (GObject *object)
{
  AttestPreferencesWindow *self = ATTEST_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (attest_preferences_window_parent_class)->finalize (object);
}

static void
attest_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  AttestPreferencesWindow *self = ATTEST_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  AttestPreferencesWindow *self = ATTEST_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_preferences_window_class_init (AttestPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = attest_preferences_window_constructed;
  object_class->dispose = attest_preferences_window_dispose;
  object_class->finalize = attest_preferences_window_finalize;
  object_class->get_property = attest_preferences_window_get_property;
  object_class->set_property = attest_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, ATTEST_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/attest-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestPreferencesWindow, threshold_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttestPreferencesWindow, fmr_label);
  gtk_widget_class_bind_template_child (widget_class, AttestPreferencesWindow, reviewer_row);
  gtk_widget_class_bind_template_child (widget_class, AttestPreferencesWindow, blind_switch);
}

static void
attest_preferences_window_init (AttestPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  attest_a11y_fix_mnemonic_names (GTK_WIDGET (self));
  attest_preferences_window_set_impostor_stats (self, NULL, FALSE);
}

GtkWidget *
attest_preferences_window_new (GtkWindow      *parent,
                               AttestSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (settings == NULL || ATTEST_IS_SETTINGS (settings), NULL);

  return g_object_new (ATTEST_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       NULL);
}

void
attest_preferences_window_set_impostor_stats (AttestPreferencesWindow   *self,
                                              const AttestImpostorStats *stats,
                                              gboolean                   enough)
{
  g_autofree char *text = NULL;

  g_return_if_fail (ATTEST_IS_PREFERENCES_WINDOW (self));

  text = attest_match_text_fmr (stats, enough);
  gtk_label_set_text (self->fmr_label, text);
}

const char *
attest_preferences_window_get_fmr_text (AttestPreferencesWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_PREFERENCES_WINDOW (self), NULL);

  return gtk_label_get_text (self->fmr_label);
}
