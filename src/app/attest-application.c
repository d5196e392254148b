/* attest-application.c: command-line options, loading the face models and the gallery off
 * the main thread, and the app-wide actions.
 *
 * Neither the models nor the gallery are required to play video: without models the window
 * plays without boxes and says which file is missing; without a gallery a dialog says why
 * and the app carries on. */
#include "config.h"

#include <glib/gi18n.h>

#include "review/attest-search.h"
#include "store/attest-gallery.h"
#include "attest-application.h"
#include "attest-preferences-window.h"
#include "attest-window.h"

struct _AttestApplication
{
  AdwApplication  parent_instance;

  char           *database_path;   /* --database, NULL: attest_store_default_path () */
  char           *models_dir;      /* --models, NULL: attest_vision_default_models_dir () */

  AttestSettings *settings;

  AttestVision   *vision;
  char           *models_error;
  gboolean        models_loading;
  GPtrArray      *pending_files;   /* opened while the models were loading */

  AttestStore    *store;
  char           *store_error;
  gboolean        store_error_shown;

  /* The search index: replaced whole (never refilled in place) so a search running on an
   * analysis worker always sees one consistent gallery. */
  AttestMatcher  *matcher;
  GHashTable     *identity_names;  /* gint64 * -> char * */
  guint           load_serial;     /* newest reload asked for; older results are dropped */
  guint           stats_serial;
  AttestImpostorStats stats;
  gboolean        have_stats;
  gboolean        stats_enough;

  GCancellable   *cancellable;
};

enum {
  SIGNAL_GALLERY_CHANGED,
  SIGNAL_IMPOSTOR_STATS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AttestApplication, attest_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "database", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Gallery database to use instead of the default one"), N_("PATH") },
  { "models", 'm', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Folder holding the face model files"), N_("DIR") },
  { NULL }
};

static void
show_store_error (AttestApplication *self,
                  GtkWindow         *parent)
{
  GtkWidget *dialog;

  if (self->store_error == NULL || self->store_error_shown || parent == NULL)
    return;

  self->store_error_shown = TRUE;
  dialog = adw_message_dialog_new (parent, _("Gallery Database Cannot Be Used"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s\n\nVideos still play and faces are still found, but "
                                    "nothing can be enrolled or recorded until the gallery "
                                    "can be opened."),
                                  self->store_error);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static AttestWindow *
create_window (AttestApplication *self)
{
  AttestWindow *window = attest_window_new (GTK_APPLICATION (self), self->settings);

  attest_window_set_vision (window, self->vision);
  if (self->models_error != NULL)
    attest_window_set_models_error (window, self->models_error);
  attest_window_set_store (window, self->store);
  attest_window_set_matcher (window, self->matcher, self->identity_names);
  attest_window_set_impostor_stats (window, self->have_stats ? &self->stats : NULL,
                                    self->stats_enough);

  return window;
}

static AttestWindow *
get_window (AttestApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (ATTEST_IS_WINDOW (window))
    return ATTEST_WINDOW (window);

  /* The active window may be a dialog: any main window will do. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (ATTEST_IS_WINDOW (l->data))
      return ATTEST_WINDOW (l->data);

  return create_window (self);
}

static void
present_window (AttestApplication *self,
                AttestWindow      *window)
{
  gtk_window_present (GTK_WINDOW (window));
  show_store_error (self, GTK_WINDOW (window));
}

static void
open_files (AttestApplication  *self,
            GFile             **files,
            guint               n_files)
{
  for (guint i = 0; i < n_files; i++)
    {
      /* First file in the current window, any more each in a window of its own. */
      AttestWindow *window = i == 0 ? get_window (self) : create_window (self);

      present_window (self, window);
      attest_window_open_file (window, files[i]);
    }
}

static void
load_models_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *models_dir = task_data;
  GError *error = NULL;
  AttestVision *vision;

  vision = attest_vision_new (models_dir, &error);
  if (vision != NULL)
    g_task_return_pointer (task, vision, (GDestroyNotify) attest_vision_free);
  else
    g_task_return_error (task, error);
}

static void
load_models_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AttestApplication *self = ATTEST_APPLICATION (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pending = NULL;

  self->models_loading = FALSE;
  self->vision = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->vision == NULL)
    {
      self->models_error = g_strdup (error->message);
      g_message ("Face detection is off: %s", error->message);
    }

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (!ATTEST_IS_WINDOW (l->data))
        continue;
      attest_window_set_vision (l->data, self->vision);
      attest_window_set_models_error (l->data, self->models_error);
    }

  attest_application_gallery_changed (self);

  /* Files from the command line waited for the models so their faces get boxed. */
  pending = g_steal_pointer (&self->pending_files);
  if (pending != NULL && pending->len > 0)
    open_files (self, (GFile **) pending->pdata, pending->len);

  g_application_release (G_APPLICATION (self));
}

static void
store_open_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (AttestApplication) self = user_data;
  g_autoptr (GError) error = NULL;

  self->store = attest_store_open_finish (result, &error);
  if (self->store != NULL)
    {
      /* The search index follows the gallery, whoever changes it: this app, or the CLI
       * beside it (looked for twice a second). */
      g_signal_connect_object (self->store, "changed::gallery",
                               G_CALLBACK (attest_application_gallery_changed), self,
                               G_CONNECT_SWAPPED);
      attest_store_watch_others (self->store, 500);
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
        if (ATTEST_IS_WINDOW (l->data))
          attest_window_set_store (l->data, self->store);
      attest_application_gallery_changed (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->store_error = g_strdup (error->message);
  g_message ("Gallery database cannot be used: %s", error->message);
  show_store_error (self, gtk_application_get_active_window (GTK_APPLICATION (self)));
}

/* ---- the search index and what a score means on this gallery ---- */

typedef struct
{
  AttestStore   *store;
  char          *model_id;
  double         threshold;
  guint          serial;
  /* results */
  AttestMatcher *matcher;
  GHashTable    *names;
  AttestImpostorStats stats;
  gboolean       stats_enough;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_free (data->model_id);
  g_clear_pointer (&data->matcher, attest_matcher_unref);
  g_clear_pointer (&data->names, g_hash_table_unref);
  g_free (data);
}

static void
compute_stats (LoadData *data)
{
  data->stats_enough = attest_matcher_impostor_stats (data->matcher, data->threshold,
                                                      &data->stats);
  data->stats.threshold = data->threshold;
}

static void
load_gallery_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr (GListStore) identities = NULL;
  GError *error = NULL;

  data->matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  if (attest_matcher_load_from_store (data->matcher, data->store, data->model_id, &error) < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  identities = attest_store_list_identities (data->store, NULL, &error);
  if (identities == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (identities)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (identities), i);
      gint64 *id = g_new (gint64, 1);

      *id = attest_identity_get_id (identity);
      g_hash_table_insert (data->names, id, g_strdup (attest_identity_get_name (identity)));
    }

  compute_stats (data);
  g_task_return_boolean (task, TRUE);
}

static void
stats_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  compute_stats (task_data);
  g_task_return_boolean (task, TRUE);
}

static void
update_windows_stats (AttestApplication *self)
{
  const AttestImpostorStats *stats = self->have_stats ? &self->stats : NULL;

  /* The candidate panels; Preferences listen to "impostor-stats-changed". */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (ATTEST_IS_WINDOW (l->data))
      attest_window_set_impostor_stats (l->data, stats, self->stats_enough);
}

static void recompute_stats (AttestApplication *self);

static void
take_stats (AttestApplication *self,
            LoadData          *data)
{
  self->stats = data->stats;
  self->stats_enough = data->stats_enough;
  self->have_stats = TRUE;
  update_windows_stats (self);
  g_signal_emit (self, signals[SIGNAL_IMPOSTOR_STATS_CHANGED], 0);

  /* The threshold moved while these were computed. */
  if (data->threshold != attest_settings_get_match_threshold (self->settings))
    recompute_stats (self);
}

static void
stats_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AttestApplication *self = ATTEST_APPLICATION (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;
  /* A newer reload or threshold supersedes these. */
  if (data->serial != self->stats_serial || data->matcher != self->matcher)
    return;
  take_stats (self, data);
}

static void
recompute_stats (AttestApplication *self)
{
  g_autoptr (GTask) task = NULL;
  LoadData *data;

  if (self->matcher == NULL)
    return;

  data = g_new0 (LoadData, 1);
  data->matcher = attest_matcher_ref (self->matcher);
  data->threshold = attest_settings_get_match_threshold (self->settings);
  data->serial = ++self->stats_serial;

  task = g_task_new (self, self->cancellable, stats_done, NULL);
  g_task_set_source_tag (task, recompute_stats);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, stats_thread);
}

static void
load_gallery_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AttestApplication *self = ATTEST_APPLICATION (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The gallery could not be loaded for matching: %s", error->message);
      return;
    }
  if (data->serial != self->load_serial)
    return;

  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  self->matcher = g_steal_pointer (&data->matcher);
  self->identity_names = g_steal_pointer (&data->names);
  /* Stats computed from an older index are void now. */
  self->stats_serial++;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (ATTEST_IS_WINDOW (l->data))
      attest_window_set_matcher (l->data, self->matcher, self->identity_names);

  data->matcher = self->matcher;  /* borrowed, for take_stats' comparison only */
  take_stats (self, data);
  data->matcher = NULL;

  g_signal_emit (self, signals[SIGNAL_GALLERY_CHANGED], 0);
}

void
attest_application_gallery_changed (AttestApplication *self)
{
  g_autoptr (GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (ATTEST_IS_APPLICATION (self));

  /* Both are needed: faces are only comparable with the model that embedded them. */
  if (self->store == NULL || self->vision == NULL)
    return;

  data = g_new0 (LoadData, 1);
  data->store = g_object_ref (self->store);
  data->model_id = g_strdup (attest_vision_get_model_id (self->vision));
  data->threshold = attest_settings_get_match_threshold (self->settings);
  data->serial = ++self->load_serial;

  task = g_task_new (self, self->cancellable, load_gallery_done, NULL);
  g_task_set_source_tag (task, attest_application_gallery_changed);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_gallery_thread);
}

static void
threshold_changed (AttestApplication *self)
{
  recompute_stats (self);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  AttestApplication *self = user_data;
  g_autoptr (GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing (not just quitting) saves each window's size and stops its pipeline. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
preferences_update_stats (AttestApplication       *self,
                          AttestPreferencesWindow *preferences)
{
  attest_preferences_window_set_impostor_stats (preferences,
                                                self->have_stats ? &self->stats : NULL,
                                                self->stats_enough);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  AttestApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences = attest_preferences_window_new (parent, self->settings);

  attest_preferences_window_set_impostor_stats (ATTEST_PREFERENCES_WINDOW (preferences),
                                                self->have_stats ? &self->stats : NULL,
                                                self->stats_enough);
  g_signal_connect_object (self, "impostor-stats-changed",
                           G_CALLBACK (preferences_update_stats), preferences, 0);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  AttestApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *models_dir = self->models_dir ? g_strdup (self->models_dir)
                                                 : attest_vision_default_models_dir ();
  g_autofree char *database = self->database_path ? g_strdup (self->database_path)
                                                  : attest_store_default_path ();
  g_autofree char *debug_info = NULL;
  const char *developers[] = { _("The Attest developers"), NULL };

  debug_info = g_strdup_printf ("Attest %s\nModels folder: %s\nModel: %s\nGallery: %s\n",
                                PACKAGE_VERSION, models_dir,
                                self->vision ? attest_vision_get_model_id (self->vision)
                                             : (self->models_error ? self->models_error : "loading"),
                                self->store ? attest_store_get_path (self->store)
                                            : (self->store_error ? self->store_error : database));

  adw_show_about_window (parent,
                         "application-name", _("Attest"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Attest developers"),
                         "developers", developers,
                         "version", PACKAGE_VERSION,
                         "website", "https://gitlab.gnome.org/World/attest",
                         "comments", _("Review faces in video against a local gallery. A match is "
                                       "only recorded when a reviewer confirms it."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "debug-info", debug_info,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
};

static int
attest_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  AttestApplication *self = ATTEST_APPLICATION (application);
  const char *path = NULL;

  /* Relative paths are taken from where the command was typed. */
  if (g_variant_dict_lookup (options, "database", "^&ay", &path) && path[0] != '\0')
    self->database_path = g_canonicalize_filename (path, NULL);
  if (g_variant_dict_lookup (options, "models", "^&ay", &path) && path[0] != '\0')
    self->models_dir = g_canonicalize_filename (path, NULL);

  return -1;
}

static void
attest_application_startup (GApplication *application)
{
  AttestApplication *self = ATTEST_APPLICATION (application);
  g_autoptr (GTask) task = NULL;
  g_autofree char *database = NULL;

  G_APPLICATION_CLASS (attest_application_parent_class)->startup (application);

  g_set_application_name (_("Attest"));
  gtk_window_set_default_icon_name (APP_ID);

  self->settings = attest_settings_new ();
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->settings, "notify::match-threshold",
                           G_CALLBACK (threshold_changed), self, G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.open",
                                         (const char *[]) { "<Control>o", NULL });

  /* Checking and loading three ONNX files takes a moment: not on the main thread. The hold
   * keeps a command-line open from finishing before they are in. */
  self->models_loading = TRUE;
  g_application_hold (application);
  task = g_task_new (self, self->cancellable, load_models_done, NULL);
  g_task_set_source_tag (task, attest_application_startup);
  g_task_set_task_data (task, g_strdup (self->models_dir), g_free);
  g_task_run_in_thread (task, load_models_thread);

  database = self->database_path ? g_strdup (self->database_path) : attest_store_default_path ();
  attest_store_open_async (database, self->cancellable, store_open_done, g_object_ref (self));
}

static void
attest_application_activate (GApplication *application)
{
  AttestApplication *self = ATTEST_APPLICATION (application);

  present_window (self, get_window (self));
}

static void
attest_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  AttestApplication *self = ATTEST_APPLICATION (application);

  if (!self->models_loading)
    {
      open_files (self, files, n_files);
      return;
    }

  /* Show the window at once; the files follow when the models are in. */
  present_window (self, get_window (self));
  if (self->pending_files == NULL)
    self->pending_files = g_ptr_array_new_with_free_func (g_object_unref);
  for (int i = 0; i < n_files; i++)
    g_ptr_array_add (self->pending_files, g_object_ref (files[i]));
}

static void
attest_application_shutdown (GApplication *application)
{
  AttestApplication *self = ATTEST_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (attest_application_parent_class)->shutdown (application);
}

static void
attest_application_finalize (GObject *object)
{
  AttestApplication *self = ATTEST_APPLICATION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending_files, g_ptr_array_unref);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->store_error, g_free);
  /* Last: windows (and their pipelines) hold the application, so they are gone by now. */
  g_clear_pointer (&self->vision, attest_vision_free);
  g_clear_pointer (&self->models_error, g_free);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->database_path, g_free);
  g_clear_pointer (&self->models_dir, g_free);

  G_OBJECT_CLASS (attest_application_parent_class)->finalize (object);
}

static void
attest_application_class_init (AttestApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = attest_application_finalize;
  app_class->handle_local_options = attest_application_handle_local_options;
  app_class->startup = attest_application_startup;
  app_class->activate = attest_application_activate;
  app_class->open = attest_application_open;
  app_class->shutdown = attest_application_shutdown;

  /* The index, names and stats have been replaced (after attest_application_gallery_changed). */
  signals[SIGNAL_GALLERY_CHANGED] =
    g_signal_new ("gallery-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* attest_application_get_impostor_stats() has new figures. */
  signals[SIGNAL_IMPOSTOR_STATS_CHANGED] =
    g_signal_new ("impostor-stats-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
attest_application_init (AttestApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[VIDEO…]"));
}

AttestApplication *
attest_application_new (void)
{
  return g_object_new (ATTEST_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

AttestSettings *
attest_application_get_settings (AttestApplication *self)
{
  g_return_val_if_fail (ATTEST_IS_APPLICATION (self), NULL);

  return self->settings;
}

AttestVision *
attest_application_get_vision (AttestApplication *self)
{
  g_return_val_if_fail (ATTEST_IS_APPLICATION (self), NULL);

  return self->vision;
}

AttestStore *
attest_application_get_store (AttestApplication *self)
{
  g_return_val_if_fail (ATTEST_IS_APPLICATION (self), NULL);

  return self->store;
}

AttestMatcher *
attest_application_get_matcher (AttestApplication *self)
{
  g_return_val_if_fail (ATTEST_IS_APPLICATION (self), NULL);

  return self->matcher;
}

GHashTable *
attest_application_get_identity_names (AttestApplication *self)
{
  g_return_val_if_fail (ATTEST_IS_APPLICATION (self), NULL);

  return self->identity_names;
}

const AttestImpostorStats *
attest_application_get_impostor_stats (AttestApplication *self,
                                       gboolean          *enough)
{
  g_return_val_if_fail (ATTEST_IS_APPLICATION (self), NULL);

  if (enough != NULL)
    *enough = self->have_stats && self->stats_enough;
  return self->have_stats ? &self->stats : NULL;
}
