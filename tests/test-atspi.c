/* test-atspi.c: the running app as a screen reader sees it.
 *
 * Runs the real `attest` on the sample video with a gallery of two people, in a D-Bus
 * session of its own (meson runs this test under dbus-run-session, which starts the
 * at-spi2 bus), and reads its accessibility tree over AT-SPI from this separate process, as
 * Orca does. Each page is shown by pressing the view switcher's button through AT-SPI's
 * "click" action. Every control showing (buttons, toggles, sliders, drop-downs, text
 * fields) must have a name a screen reader can say; the dump of each page is printed. */

#include <atspi/atspi.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <string.h>

#define REVIEWER "Test Reviewer"

/* libatspi 2.46 declares no g_autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAccessible, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiStateSet, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiComponent, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAction, g_object_unref)

static char *tmp_dir;
static char *db_path;

/* ---- waiting ---- */

typedef gboolean (*Condition) (gpointer data);

/* Polls `cond` while the app works; FALSE after a minute (a hung or crashed app). */
static gboolean
wait_for (Condition cond,
          gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
  return TRUE;
}

/* ---- the tree ---- */

static gboolean
has_state (AtspiAccessible *node,
           AtspiStateType   state)
{
  g_autoptr (AtspiStateSet) states = atspi_accessible_get_state_set (node);

  return states != NULL && atspi_state_set_contains (states, state);
}

/* GTK 4.8 sets neither "showing" nor "visible" to tell a page on screen from one behind it:
 * a widget on screen has a size, one on a page behind it has none. */
static gboolean
on_screen (AtspiAccessible *node)
{
  g_autoptr (AtspiComponent) component = atspi_accessible_get_component_iface (node);
  AtspiRect *rect;
  gboolean sized;

  if (component == NULL)
    return FALSE;
  rect = atspi_component_get_extents (component, ATSPI_COORD_TYPE_WINDOW, NULL);
  sized = rect != NULL && rect->width > 0 && rect->height > 0;
  g_free (rect);
  return sized;
}

/* GTK names a control it has no name for after its type ("GtkToggleButton"): no name. */
static gboolean
has_name (const char *name)
{
  g_autoptr (GRegex) type_name = g_regex_new ("^(Gtk|Adw|Attest)[A-Za-z]+$", 0, 0, NULL);

  return name != NULL && *name != '\0' && !g_regex_match (type_name, name, 0, NULL);
}

static gboolean
is_control (AtspiRole role)
{
  switch (role)
    {
    case ATSPI_ROLE_PUSH_BUTTON:
    case ATSPI_ROLE_TOGGLE_BUTTON:
    case ATSPI_ROLE_CHECK_BOX:
    case ATSPI_ROLE_RADIO_BUTTON:
    case ATSPI_ROLE_SLIDER:
    case ATSPI_ROLE_COMBO_BOX:
    case ATSPI_ROLE_ENTRY:
    case ATSPI_ROLE_PASSWORD_TEXT:
    case ATSPI_ROLE_SPIN_BUTTON:
    case ATSPI_ROLE_LINK:
      return TRUE;
    default:
      return FALSE;
    }
}

typedef struct
{
  GString    *dump;      /* every control on screen: role and name */
  GString    *unnamed;   /* those without a name */
  guint       n_controls;
  GPtrArray  *skip;      /* the pages not on screen (the view stack's other children) */
} Walk;

static void
walk (AtspiAccessible *node,
      Walk            *w,
      guint            depth)
{
  g_autoptr (GError) error = NULL;
  AtspiRole role = atspi_accessible_get_role (node, NULL);
  int n;

  if (depth > 64 || g_ptr_array_find (w->skip, node, NULL))
    return;
  if (is_control (role) && on_screen (node))
    {
      g_autofree char *name = atspi_accessible_get_name (node, NULL);
      g_autofree char *role_name = atspi_accessible_get_role_name (node, NULL);
      g_autofree char *description = atspi_accessible_get_description (node, NULL);

      w->n_controls++;
      g_string_append_printf (w->dump, "\n    %s “%s”", role_name, name != NULL ? name : "");
      if (!has_name (name != NULL ? g_strstrip (name) : NULL))
        g_string_append_printf (w->unnamed, "\n    %s%s%s", role_name,
                                description != NULL && *description != '\0' ? " described " : "",
                                description != NULL ? description : "");
      /* GTK 4.8's "_Open Open": the mnemonic's underscore, and the word twice. */
      else if (g_str_has_prefix (name, "_") || strstr (name, " _") != NULL)
        g_string_append_printf (w->unnamed, "\n    %s “%s”: spoken with its mnemonic",
                                role_name, name);
    }
  n = atspi_accessible_get_child_count (node, &error);
  for (int i = 0; i < n; i++)
    {
      g_autoptr (AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);

      if (child != NULL)
        walk (child, w, depth + 1);
    }
}

/* The first showing node with this role and name under `node`, or NULL. */
static AtspiAccessible *
find (AtspiAccessible *node,
      AtspiRole        role,
      const char      *name,
      guint            depth)
{
  g_autofree char *node_name = NULL;
  int n;

  if (depth > 64)
    return NULL;
  node_name = atspi_accessible_get_name (node, NULL);
  if (atspi_accessible_get_role (node, NULL) == role && node_name != NULL &&
      g_str_has_suffix (node_name, name) && on_screen (node))
    return g_object_ref (node);
  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr (AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);
      AtspiAccessible *found = child != NULL ? find (child, role, name, depth + 1) : NULL;

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* For a failure: the whole tree, role and name, showing or not. */
static void
dump_tree (AtspiAccessible *node,
           GString         *out,
           guint            depth)
{
  g_autofree char *name = atspi_accessible_get_name (node, NULL);
  g_autofree char *role = atspi_accessible_get_role_name (node, NULL);
  int n = atspi_accessible_get_child_count (node, NULL);

  if (depth > 40)
    return;
  g_string_append_printf (out, "\n%*s%s “%s”%s%s", (int) depth * 2, "", role, name,
                          on_screen (node) ? "" : " (not on screen)",
                          has_state (node, ATSPI_STATE_CHECKED) ? " checked" : "");
  for (int i = 0; i < n; i++)
    {
      g_autoptr (AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);

      if (child != NULL)
        dump_tree (child, out, depth + 1);
    }
}

/* The first node named `name` under `node`, or NULL. */
static AtspiAccessible *
find_named (AtspiAccessible *node,
            const char      *name,
            guint            depth)
{
  g_autofree char *node_name = atspi_accessible_get_name (node, NULL);
  int n;

  if (g_strcmp0 (node_name, name) == 0)
    return g_object_ref (node);
  if (depth > 64)
    return NULL;
  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr (AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);
      AtspiAccessible *found = child != NULL ? find_named (child, name, depth + 1) : NULL;

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- the app ---- */

typedef struct
{
  AtspiAccessible *app;
  AtspiRole        role;
  const char      *name;
} Lookup;

static gboolean
app_found (gpointer data)
{
  AtspiAccessible **app = data;
  g_autoptr (AtspiAccessible) desktop = atspi_get_desktop (0);
  int n = atspi_accessible_get_child_count (desktop, NULL);

  for (int i = 0; i < n; i++)
    {
      g_autoptr (AtspiAccessible) child = atspi_accessible_get_child_at_index (desktop, i, NULL);
      g_autofree char *name = child != NULL ? atspi_accessible_get_name (child, NULL) : NULL;

      if (child != NULL && (g_strcmp0 (name, "attest") == 0 || g_strcmp0 (name, "Attest") == 0) &&
          atspi_accessible_get_child_count (child, NULL) > 0)
        {
          *app = g_steal_pointer (&child);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
node_showing (gpointer data)
{
  Lookup *l = data;
  g_autoptr (AtspiAccessible) node = find (l->app, l->role, l->name, 0);

  return node != NULL;
}

static void
run_cli (const char * const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  g_ptr_array_add (argv, (char *) "--database");
  g_ptr_array_add (argv, db_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static char *
first_photo (const char *person)
{
  g_autofree char *dir = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person, NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *best = NULL;
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".jpg") && (best == NULL || strcmp (name, best) < 0))
      {
        g_free (best);
        best = g_strdup (name);
      }
  g_assert_nonnull (best);
  return g_build_filename (dir, best, NULL);
}

static void
test_every_control_named (void)
{
  static const struct { const char *page; AtspiRole marker_role; const char *marker; } pages[] = {
    { "Video", ATSPI_ROLE_PUSH_BUTTON, "Previous Frame" },
    { "Gallery", ATSPI_ROLE_PUSH_BUTTON, "Import People…" },
    { "Review", ATSPI_ROLE_PUSH_BUTTON, "Play This Moment" },
    { "Audit", ATSPI_ROLE_PUSH_BUTTON, "Verify Chain" },
  };
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GSubprocess) app_process = NULL;
  g_autoptr (AtspiAccessible) app = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) unnamed = g_string_new (NULL);
  g_autofree char *salley = first_photo ("John_Salley");
  g_autofree char *schneider = first_photo ("John_Schneider");
  g_autofree char *app_path = g_build_filename (g_getenv ("ATTEST_TEST_OUTPUT"), "..", "src",
                                                "attest", NULL);

  {
    const char *enrol_a[] = { "enrol", "-i", "John_Salley", "-b", "Case file photo", "-r",
                              REVIEWER, salley, NULL };
    const char *enrol_b[] = { "enrol", "-i", "John_Schneider", "-b", "Case file photo", "-r",
                              REVIEWER, schneider, NULL };

    run_cli (enrol_a);
    run_cli (enrol_b);
  }

  /* The app as a user starts it: the accessibility bridge on (the suite turns it off). */
  g_subprocess_launcher_unsetenv (launcher, "GTK_A11Y");
  g_subprocess_launcher_unsetenv (launcher, "NO_AT_BRIDGE");
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "", TRUE);
  app_process = g_subprocess_launcher_spawn (launcher, &error, app_path, "--database", db_path,
                                             "--models", g_getenv ("ATTEST_MODELS_DIR"),
                                             g_getenv ("ATTEST_SAMPLE_VIDEO"), NULL);
  g_assert_no_error (error);

  g_assert_true (wait_for (app_found, &app));

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      Lookup switcher = { app, ATSPI_ROLE_PAGE_TAB, pages[i].page };
      Lookup marker = { app, pages[i].marker_role, pages[i].marker };
      g_autoptr (AtspiAccessible) button = NULL;
      Walk w = { g_string_new (NULL), g_string_new (NULL), 0, g_ptr_array_new_with_free_func (g_object_unref) };

      if (!wait_for (node_showing, &switcher))
        {
          g_autoptr (GString) tree = g_string_new (NULL);

          dump_tree (app, tree, 0);
          g_error ("no “%s” page button showing in:%s", pages[i].page, tree->str);
        }
      button = find (app, ATSPI_ROLE_PAGE_TAB, pages[i].page, 0);
      /* What a screen reader user does: activate the switcher's button. */
      g_assert_true (atspi_action_do_action (ATSPI_ACTION (button), 0, &error));
      g_assert_no_error (error);
      if (!wait_for (node_showing, &marker))
        {
          g_autoptr (GString) tree = g_string_new (NULL);

          dump_tree (app, tree, 0);
          g_error ("page %s: no “%s” showing in:%s", pages[i].page, pages[i].marker, tree->str);
        }

      /* The view stack: the parent of the Video page (an AdwBin, named after its type). */
      {
        g_autoptr (AtspiAccessible) video = find_named (app, "AttestVideoPage", 0);
        g_autoptr (AtspiAccessible) stack = NULL;
        int n;

        g_assert_nonnull (video);
        stack = atspi_accessible_get_parent (video, NULL);
        n = atspi_accessible_get_child_count (stack, NULL);
        g_assert_cmpint (n, ==, G_N_ELEMENTS (pages));
        for (int k = 0; k < n; k++)
          if ((guint) k != i)
            g_ptr_array_add (w.skip, atspi_accessible_get_child_at_index (stack, k, NULL));
      }
      walk (app, &w, 0);
      g_test_message ("page %s: %u controls:%s", pages[i].page, w.n_controls, w.dump->str);
      g_assert_cmpuint (w.n_controls, >, 3);
      if (w.unnamed->len > 0)
        g_string_append_printf (unnamed, "\n  page %s:%s", pages[i].page, w.unnamed->str);
      g_string_free (w.dump, TRUE);
      g_string_free (w.unnamed, TRUE);
      g_ptr_array_unref (w.skip);
    }

  g_subprocess_send_signal (app_process, SIGTERM);
  g_subprocess_wait (app_process, NULL, NULL);
  if (unnamed->len > 0)
    g_error ("controls a screen reader cannot name:%s", unnamed->str);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* GTK 4.8 has no AT-SPI cache object; libatspi warns once when it asks for it. Nothing else
 * is let through. */
static gboolean
fatal_log_cb (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  return !(g_strcmp0 (domain, "dbind") == 0 && strstr (message, "/org/a11y/atspi/cache") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
  /* libatspi logs that warning through a writer the handler does not see: warnings from this
   * process (the reader, not the app under test) are not fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return 77;
    }
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no D-Bus session (run under dbus-run-session)");
      return 77;
    }
  if (atspi_init () < 0)
    g_error ("AT-SPI did not start");

  tmp_dir = g_dir_make_tmp ("attest-atspi-XXXXXX", NULL);
  db_path = g_build_filename (tmp_dir, "gallery.db", NULL);
  g_test_add_func ("/atspi/every-control-named", test_every_control_named);
  result = g_test_run ();
  remove_tree (tmp_dir);
  g_free (db_path);
  g_free (tmp_dir);
  return result;
}
