/* test-gallery-ui.c: the gallery UI under a real display (xvfb-run): the import dialog on
 * real photos (dlib's johns/), the gallery page and its edits, and enrolling a face by
 * double-clicking its box in the real window on the real sample video. Each step is
 * checked in the database and its audit chain. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "app/attest-enrol-dialog-private.h"
#include "app/attest-import-dialog-private.h"
#include "app/attest-settings.h"
#include "app/attest-window-private.h"
#include "widgets/attest-video-page-private.h"
#include "media/attest-video-paintable.h"
#include "review/attest-importer.h"
#include "store/attest-gallery.h"
#include "widgets/attest-gallery-page-private.h"
#include "widgets/attest-video-view.h"

#define WAIT_SECONDS 120
#define REVIEWER     "Test Reviewer"

#include "test-ui-helpers.h"

static AttestVision *vision;

/* ---- helpers ----------------------------------------------------------------------- */

static char *
make_temp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("attest-gallery-ui-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static AttestSettings *
new_settings (void)
{
  AttestSettings *settings = attest_settings_new ();

  attest_settings_set_reviewer_name (settings, REVIEWER);
  return settings;
}

/* How many audit entries have this action (and, if given, this subject); the chain is
 * checked to be intact first. */
static guint
count_audit (AttestStore *store,
             const char  *action,
             const char  *subject)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint64 n_entries = 0;
  gint64 first_bad = -1;
  guint n = 0;

  g_assert_true (attest_store_verify_audit (store, &n_entries, &first_bad, &error));
  g_assert_no_error (error);

  entries = attest_store_list_audit (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, n_entries);
  for (guint i = 0; i < entries->len; i++)
    {
      AttestAuditEntry *entry = entries->pdata[i];

      if (g_strcmp0 (entry->action, action) == 0 &&
          (subject == NULL || g_strcmp0 (entry->subject, subject) == 0))
        {
          g_assert_cmpstr (entry->actor, ==, REVIEWER);
          n++;
        }
    }
  return n;
}

/* ---- import + gallery page --------------------------------------------------------- */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static const char *people[] = { "John_Salley", "John_Schneider" };

/* DIR/<person>/ holding each person's first three photos (sorted by name). */
static void
make_people_tree (const char *root)
{
  for (guint p = 0; p < G_N_ELEMENTS (people); p++)
    {
      g_autofree char *from = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", people[p], NULL);
      g_autofree char *to = g_build_filename (root, people[p], NULL);
      g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".jpg"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      g_assert_cmpuint (names->len, >=, 3);

      g_assert_cmpint (g_mkdir (to, 0700), ==, 0);
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *src = g_build_filename (from, names->pdata[i], NULL);
          g_autofree char *dst = g_build_filename (to, names->pdata[i], NULL);
          g_autofree char *contents = NULL;
          gsize length;

          g_assert_true (g_file_get_contents (src, &contents, &length, NULL));
          g_assert_true (g_file_set_contents (dst, contents, length, NULL));
        }
    }
}

static void
on_import_finished (AttestImportDialog *dialog,
                    guint               n_enrolled,
                    guint               n_skipped,
                    guint              *count)
{
  g_assert_cmpuint (n_enrolled, ==, 6);
  (*count)++;
}

static gboolean
import_finished (gpointer data)
{
  return _attest_import_dialog_get_finished (data);
}

static gboolean
page_idle (gpointer data)
{
  return !_attest_gallery_page_get_busy (data);
}

static gboolean
page_lists_n (gpointer data)
{
  gpointer *args = data;

  return !_attest_gallery_page_get_busy (args[0]) &&
         g_list_model_get_n_items (_attest_gallery_page_get_identities (args[0])) == GPOINTER_TO_UINT (args[1]);
}

static gboolean
page_has_dialog (gpointer data)
{
  return _attest_gallery_page_get_dialog (data) != NULL;
}

/* The merge question is asked once the other people are read (off the main thread). */
static gboolean
page_asks_merge (gpointer data)
{
  return _attest_gallery_page_get_dialog (data) != NULL &&
         GTK_IS_DROP_DOWN (_attest_gallery_page_get_dialog_input (data));
}

static gboolean
mapped_action (GtkWidget     *widget,
               gconstpointer  name)
{
  return gtk_widget_get_mapped (widget) && has_action_name (widget, name);
}

static AttestIdentity *
find_identity (AttestGalleryPage *page,
               const char        *name)
{
  GListModel *model = _attest_gallery_page_get_identities (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (model, i);

      if (g_strcmp0 (attest_identity_get_name (identity), name) == 0)
        return g_steal_pointer (&identity);
    }
  return NULL;
}

static void
wait_page (AttestGalleryPage *page)
{
  /* A reload may be queued by a response handler: let it start, then let it finish. */
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_true (wait_for (page_idle, page));
}

static void
test_import_and_edit (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *db = g_build_filename (tmp, "gallery.db", NULL);
  g_autofree char *photos = g_build_filename (tmp, "people", NULL);
  g_autoptr (GFile) folder = NULL;
  g_autoptr (AttestSettings) settings = new_settings ();
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestIdentity) salley = NULL;
  g_autoptr (AttestIdentity) schneider = NULL;
  g_autoptr (AttestIdentity) renamed = NULL;
  g_autoptr (AttestFace) face = NULL;
  g_autofree char *face_subject = NULL;
  AttestImportDialog *dialog;
  AttestGalleryPage *page;
  AdwMessageDialog *question;
  GtkWidget *window, *overlay;
  GtkProgressBar *bar;
  gpointer args[2];
  guint finished_signals = 0;
  gint64 salley_id;

  g_assert_cmpint (g_mkdir (photos, 0700), ==, 0);
  make_people_tree (photos);
  /* One file that only looks like a photo: skipped, with its reason listed. */
  {
    g_autofree char *broken = g_build_filename (photos, "John_Schneider", "scan.jpg", NULL);

    g_assert_true (g_file_set_contents (broken, "not a JPEG", -1, NULL));
  }
  folder = g_file_new_for_path (photos);
  store = attest_store_open (db, &error);
  g_assert_no_error (error);

  /* The import dialog: Import stays off until a basis is given. */
  dialog = attest_import_dialog_new_for_folder (NULL, store, vision, settings, folder);
  g_signal_connect (dialog, "finished", G_CALLBACK (on_import_finished), &finished_signals);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_attest_import_dialog_get_reviewer_row (dialog))));
  /* (activating a disabled action does nothing) */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.start", NULL);
  g_assert_false (_attest_import_dialog_get_running (dialog));
  gtk_editable_set_text (_attest_import_dialog_get_basis_row (dialog), "Case file photos, identities checked");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.start", NULL));
  g_assert_true (_attest_import_dialog_get_running (dialog));
  g_assert_true (wait_for (import_finished, dialog));

  bar = _attest_import_dialog_get_progress_bar (dialog);
  g_test_message ("import: %s; %s", gtk_progress_bar_get_text (bar),
                  _attest_import_dialog_get_status_text (dialog));
  g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, "7 of 7 photos");
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 1.0);
  g_assert_cmpstr (_attest_import_dialog_get_status_text (dialog), ==, "6 enrolled, 1 skipped");
  {
    GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (_attest_import_dialog_get_skipped_list (dialog), 0));

    g_assert_nonnull (row);
    g_assert_null (gtk_list_box_get_row_at_index (_attest_import_dialog_get_skipped_list (dialog), 1));
    g_assert_true (gtk_widget_get_mapped (row));
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "scan.jpg");
    g_test_message ("skipped: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "John_Schneider"));
  }
  g_assert_cmpuint (count_audit (store, "import", NULL), ==, 6);
  g_assert_cmpuint (finished_signals, ==, 1);
  save_widget_png (GTK_WIDGET (dialog), "test-gallery-import-dialog.png");
  destroy_and_check_finalized (GTK_WINDOW (dialog));

  /* The gallery page lists both people with their face counts. */
  window = gtk_window_new ();
  overlay = adw_toast_overlay_new ();
  page = ATTEST_GALLERY_PAGE (attest_gallery_page_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (page));
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 640);
  g_object_bind_property (settings, "reviewer-name", page, "reviewer-name", G_BINDING_SYNC_CREATE);
  attest_gallery_page_set_store (page, store);
  gtk_window_present (GTK_WINDOW (window));
  wait_page (page);

  g_assert_cmpstr (_attest_gallery_page_get_visible_page (page), ==, "people");
  g_assert_cmpuint (g_list_model_get_n_items (_attest_gallery_page_get_identities (page)), ==, 2);
  /* More people can be imported from the page itself, not only from the empty page or the
   * main menu. */
  {
    GtkWidget *import = find_widget (GTK_WIDGET (page), GTK_TYPE_BUTTON, mapped_action,
                                     "win.import");

    g_assert_nonnull (import);
  }
  salley = find_identity (page, "John_Salley");
  schneider = find_identity (page, "John_Schneider");
  g_assert_nonnull (salley);
  g_assert_nonnull (schneider);
  g_assert_cmpuint (attest_identity_get_n_faces (salley), ==, 3);
  g_assert_cmpuint (attest_identity_get_n_faces (schneider), ==, 3);
  salley_id = attest_identity_get_id (salley);

  /* Search filters by name. */
  gtk_editable_set_text (_attest_gallery_page_get_search_entry (page), "schnei");
  args[0] = page;
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (wait_for (page_lists_n, args));
  {
    g_autoptr (AttestIdentity) only = g_list_model_get_item (_attest_gallery_page_get_identities (page), 0);

    g_assert_cmpstr (attest_identity_get_name (only), ==, "John_Schneider");
  }
  gtk_editable_set_text (_attest_gallery_page_get_search_entry (page), "");
  args[1] = GUINT_TO_POINTER (2);
  g_assert_true (wait_for (page_lists_n, args));

  /* Selecting a person shows their faces with provenance. */
  g_assert_true (_attest_gallery_page_select (page, salley_id));
  wait_page (page);
  g_assert_cmpstr (_attest_gallery_page_get_detail_name (page), ==, "John_Salley");
  g_assert_cmpuint (g_list_model_get_n_items (_attest_gallery_page_get_faces (page)), ==, 3);
  face = g_list_model_get_item (_attest_gallery_page_get_faces (page), 0);
  g_assert_cmpstr (attest_face_get_basis (face), ==, "Case file photos, identities checked");
  g_assert_cmpstr (attest_face_get_enrolled_by (face), ==, REVIEWER);

  /* Rename through the page's action and its dialog. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "gallery.rename", NULL));
  g_assert_true (wait_for (page_has_dialog, page));
  question = _attest_gallery_page_get_dialog (page);
  gtk_editable_set_text (GTK_EDITABLE (_attest_gallery_page_get_dialog_input (page)), "John Salley (case 7)");
  adw_message_dialog_response (question, "rename");
  wait_page (page);
  g_assert_cmpstr (_attest_gallery_page_get_detail_name (page), ==, "John Salley (case 7)");
  renamed = find_identity (page, "John Salley (case 7)");
  g_assert_nonnull (renamed);
  g_assert_cmpint (attest_identity_get_id (renamed), ==, salley_id);
  g_assert_cmpuint (count_audit (store, "rename", NULL), ==, 1);

  /* A name another person has is refused with a message; nothing changes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "gallery.rename", NULL));
  g_assert_true (wait_for (page_has_dialog, page));
  question = _attest_gallery_page_get_dialog (page);
  gtk_editable_set_text (GTK_EDITABLE (_attest_gallery_page_get_dialog_input (page)), "john_schneider");
  adw_message_dialog_response (question, "rename");
  wait_page (page);
  g_test_message ("duplicate rename: %s", _attest_gallery_page_get_last_message (page));
  g_assert_nonnull (strstr (_attest_gallery_page_get_last_message (page), "already"));
  g_assert_cmpstr (_attest_gallery_page_get_detail_name (page), ==, "John Salley (case 7)");
  g_assert_cmpuint (count_audit (store, "rename", NULL), ==, 1);

  /* The Merge dialog offers only the other person; merging into itself is refused. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "gallery.merge", NULL));
  g_assert_true (wait_for (page_asks_merge, page));
  question = _attest_gallery_page_get_dialog (page);
  {
    GListModel *targets = gtk_drop_down_get_model (GTK_DROP_DOWN (_attest_gallery_page_get_dialog_input (page)));

    g_assert_cmpuint (g_list_model_get_n_items (targets), ==, 1);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (targets), 0), ==, "John_Schneider");
  }
  adw_message_dialog_response (question, "cancel");
  _attest_gallery_page_merge (page, salley_id, salley_id);
  wait_page (page);
  g_test_message ("merge into itself: %s", _attest_gallery_page_get_last_message (page));
  g_assert_nonnull (strstr (_attest_gallery_page_get_last_message (page), "into itself"));
  g_assert_cmpuint (count_audit (store, "merge", NULL), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (_attest_gallery_page_get_identities (page)), ==, 2);

  /* Delete one face, confirmed through the dialog: the count goes down. */
  face_subject = g_strdup_printf ("face:%" G_GINT64_FORMAT, attest_face_get_id (face));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "gallery.delete-face", "x",
                                             attest_face_get_id (face)));
  g_assert_true (wait_for (page_has_dialog, page));
  question = _attest_gallery_page_get_dialog (page);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), "John Salley (case 7)"));
  adw_message_dialog_response (question, "delete");
  wait_page (page);
  g_assert_cmpuint (g_list_model_get_n_items (_attest_gallery_page_get_faces (page)), ==, 2);
  g_clear_object (&renamed);
  renamed = find_identity (page, "John Salley (case 7)");
  g_assert_cmpuint (attest_identity_get_n_faces (renamed), ==, 2);
  g_assert_cmpuint (count_audit (store, "delete", face_subject), ==, 1);
  g_assert_cmpint (attest_store_count_faces (store, NULL), ==, 5);

  /* Deleting the person asks first, naming them and their face count. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "gallery.delete", NULL));
  g_assert_true (wait_for (page_has_dialog, page));
  question = _attest_gallery_page_get_dialog (page);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "2 enrolled faces"));
  adw_message_dialog_response (question, "cancel");
  wait_page (page);
  g_assert_cmpuint (g_list_model_get_n_items (_attest_gallery_page_get_identities (page)), ==, 2);

  save_widget_png (GTK_WIDGET (page), "test-gallery-page.png");
  destroy_and_check_finalized (GTK_WINDOW (window));
  remove_tree (tmp);
}

/* ---- merge: the most alike first, faces shown, undone ---------------------------------- */

static void
import_photo (AttestImporter *importer,
              const char     *person,
              guint           index,
              const char     *as)
{
  g_autofree char *dir = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person, NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  AttestImportResult result = { 0 };
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (index, <, names->len);
  path = g_build_filename (dir, names->pdata[index], NULL);
  g_assert_true (attest_importer_import_file (importer, path, as, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.status, ==, ATTEST_IMPORT_ENROLLED);
  attest_import_result_clear (&result);
}

static void
copy_photo (const char *person,
            guint       index,
            const char *to_dir)
{
  g_autofree char *dir = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person, NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  const char *name;

  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  src = g_build_filename (dir, names->pdata[index], NULL);
  dst = g_build_filename (to_dir, names->pdata[index], NULL);
  g_assert_true (g_file_get_contents (src, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (dst, contents, length, NULL));
}

static gboolean
dialog_lists_people (gpointer data)
{
  return _attest_import_dialog_get_people_list (data) != NULL;
}

static gboolean
page_lists_n_people (gpointer data)
{
  gpointer *args = data;

  return !_attest_gallery_page_get_busy (args[0]) &&
         g_list_model_get_n_items (_attest_gallery_page_get_identities (args[0])) ==
           GPOINTER_TO_UINT (args[1]);
}

/* The same man enrolled twice, as "Zed Salley" and as "Alias": merging "Alias" proposes
 * "Zed Salley" (his faces are the most alike), not "John_Schneider" (first by name), and
 * shows the faces of both; the merge is undone from its toast, as an audited reversal. */
static void
test_merge_proposes_and_undoes (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *db = g_build_filename (tmp, "gallery.db", NULL);
  g_autoptr (AttestSettings) settings = new_settings ();
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestIdentity) alias = NULL;
  AttestGalleryPage *page;
  GtkWidget *window, *overlay, *faces;
  GListModel *targets;
  gpointer args[2];
  guint pictures = 0;
  gint64 alias_id;

  store = attest_store_open (db, &error);
  g_assert_no_error (error);
  importer = attest_importer_new (store, vision, REVIEWER, "Case file photos");
  import_photo (importer, "John_Salley", 0, "Zed Salley");
  import_photo (importer, "John_Salley", 1, "Zed Salley");
  import_photo (importer, "John_Salley", 2, "Alias");
  import_photo (importer, "John_Schneider", 0, "John_Schneider");
  import_photo (importer, "John_Schneider", 1, "John_Schneider");

  window = gtk_window_new ();
  overlay = adw_toast_overlay_new ();
  page = ATTEST_GALLERY_PAGE (attest_gallery_page_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (page));
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 640);
  g_object_bind_property (settings, "reviewer-name", page, "reviewer-name", G_BINDING_SYNC_CREATE);
  attest_gallery_page_set_store (page, store);
  gtk_window_present (GTK_WINDOW (window));
  wait_page (page);
  g_assert_cmpuint (g_list_model_get_n_items (_attest_gallery_page_get_identities (page)), ==, 3);
  alias = find_identity (page, "Alias");
  alias_id = attest_identity_get_id (alias);
  g_assert_true (_attest_gallery_page_select (page, alias_id));
  wait_page (page);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "gallery.merge", NULL));
  g_assert_true (wait_for (page_asks_merge, page));
  targets = gtk_drop_down_get_model (GTK_DROP_DOWN (_attest_gallery_page_get_dialog_input (page)));
  g_assert_cmpuint (g_list_model_get_n_items (targets), ==, 2);
  g_test_message ("merge targets: %s, %s", gtk_string_list_get_string (GTK_STRING_LIST (targets), 0),
                  gtk_string_list_get_string (GTK_STRING_LIST (targets), 1));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (targets), 0), ==, "Zed Salley");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (_attest_gallery_page_get_dialog_input (page))), ==, 0);
  faces = _attest_gallery_page_get_merge_faces (page);
  g_assert_nonnull (faces);
  for (GtkWidget *w = find_widget (faces, GTK_TYPE_PICTURE, NULL, NULL); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    pictures++;
  g_assert_cmpuint (pictures, ==, 2);
  save_widget_png (GTK_WIDGET (_attest_gallery_page_get_dialog (page)), "test-gallery-merge-dialog.png");

  adw_message_dialog_response (_attest_gallery_page_get_dialog (page), "merge");
  args[0] = page;
  args[1] = GUINT_TO_POINTER (2);
  g_assert_true (wait_for (page_lists_n_people, args));
  g_assert_cmpuint (count_audit (store, "merge", NULL), ==, 1);
  g_assert_nonnull (strstr (_attest_gallery_page_get_last_message (page), "merged"));

  /* Undo: Alias is back, the same record with its one face, and the undo is audited. */
  _attest_gallery_page_undo_merge (page);
  args[1] = GUINT_TO_POINTER (3);
  g_assert_true (wait_for (page_lists_n_people, args));
  g_clear_object (&alias);
  alias = find_identity (page, "Alias");
  g_assert_nonnull (alias);
  g_assert_cmpint (attest_identity_get_id (alias), ==, alias_id);
  g_assert_cmpuint (attest_identity_get_n_faces (alias), ==, 1);
  g_assert_cmpuint (count_audit (store, "unmerge", NULL), ==, 1);
  g_test_message ("after undo: %s", _attest_gallery_page_get_last_message (page));

  /* Importing more: before anything is enrolled, the dialog says whom each folder becomes,
   * and warns of a new name like one already there. */
  {
    g_autofree char *more = g_build_filename (tmp, "more", NULL);
    g_autofree char *zed = g_build_filename (more, "Zed_Salley", NULL);
    g_autofree char *schneider = g_build_filename (more, "John_Schneider", NULL);
    g_autofree char *hidden = g_build_filename (more, ".thumbnails", NULL);
    g_autoptr (GFile) folder = g_file_new_for_path (more);
    g_autoptr (AttestSettings) dialog_settings = new_settings ();
    AttestImportDialog *dialog;
    GtkListBox *rows;

    g_assert_cmpint (g_mkdir_with_parents (zed, 0700), ==, 0);
    g_assert_cmpint (g_mkdir_with_parents (schneider, 0700), ==, 0);
    g_assert_cmpint (g_mkdir_with_parents (hidden, 0700), ==, 0);
    copy_photo ("John_Salley", 2, zed);
    copy_photo ("John_Schneider", 2, schneider);
    copy_photo ("John_Schneider", 0, schneider);
    dialog = attest_import_dialog_new_for_folder (NULL, store, vision, dialog_settings, folder);
    gtk_window_present (GTK_WINDOW (dialog));
    g_assert_true (wait_for (dialog_lists_people, dialog));
    rows = _attest_import_dialog_get_people_list (dialog);
    for (guint i = 0; i < 2; i++)
      {
        AdwActionRow *row = ADW_ACTION_ROW (gtk_list_box_get_row_at_index (rows, (int) i));

        g_test_message ("import preview: %s: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                        adw_action_row_get_subtitle (row));
      }
    g_assert_null (gtk_list_box_get_row_at_index (rows, 2));
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (rows, 0))),
                     ==, "John_Schneider");
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (rows, 0))),
                     ==, "2 photos, added to “John_Schneider” (2 faces now)");
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_list_box_get_row_at_index (rows, 1))),
                              "“Zed Salley” is already in the gallery"));
    save_widget_png (GTK_WIDGET (dialog), "test-gallery-import-preview.png");
    destroy_and_check_finalized (GTK_WINDOW (dialog));
  }

  destroy_and_check_finalized (GTK_WINDOW (window));
  remove_tree (tmp);
}

/* ---- enrol by double-clicking a face in the window ---------------------------------- */

typedef struct
{
  GstClockTime pts;
  AttestBox    face;
} SingleFace;

/* A frame of the sample showing exactly one face, fully in view and at least 120 px wide,
 * in the middle of such a run (so the frame shown after a seek is such a frame too). */
static void
load_single_face_frame (SingleFace *out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *frames;
  guint run = 0;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  frames = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "frames");

  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *frame = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (frame, "faces");
      JsonObject *face;

      if (json_array_get_length (faces) != 1)
        {
          run = 0;
          continue;
        }
      face = json_array_get_object_element (faces, 0);
      if (json_object_get_double_member (face, "visible") < 1.0 ||
          json_object_get_double_member (face, "w") < 120)
        {
          run = 0;
          continue;
        }
      if (++run < 10)
        continue;

      frame = json_array_get_object_element (frames, i - 5);
      face = json_array_get_object_element (json_object_get_array_member (frame, "faces"), 0);
      out->pts = (GstClockTime) json_object_get_int_member (frame, "pts_ms") * GST_MSECOND;
      out->face.x = json_object_get_double_member (face, "x");
      out->face.y = json_object_get_double_member (face, "y");
      out->face.w = json_object_get_double_member (face, "w");
      out->face.h = json_object_get_double_member (face, "h");
      return;
    }
  g_assert_not_reached ();
}

/* Boxes on the target frame (a FrameWait), at least one face found on it. */
static gboolean
boxes_on_target_frame (gpointer data)
{
  return boxes_on_frame (data, TRUE);
}

static AttestEnrolDialog *
find_enrol_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* not owned */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (ATTEST_IS_ENROL_DIALOG (window))
        return ATTEST_ENROL_DIALOG (window);
    }
  return NULL;
}

static gboolean
enrol_dialog_shown (gpointer data)
{
  AttestEnrolDialog *dialog = find_enrol_dialog ();

  *(AttestEnrolDialog **) data = dialog;
  return dialog != NULL && _attest_enrol_dialog_get_measured (dialog) &&
         !_attest_enrol_dialog_get_busy (dialog);
}

static gboolean
enrol_dialog_gone (gpointer data)
{
  return find_enrol_dialog () == NULL;
}

static void
test_enrol_by_click (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *db = g_build_filename (tmp, "gallery.db", NULL);
  g_autoptr (AttestSettings) settings = new_settings ();
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) video = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  g_autoptr (AttestDetections) detections = NULL;
  g_autoptr (GListStore) identities = NULL;
  g_autoptr (GListStore) faces = NULL;
  g_autoptr (AttestIdentity) identity = NULL;
  g_autoptr (AttestFace) face = NULL;
  g_autofree char *video_uri = g_file_get_uri (video);
  g_autofree char *subject = NULL;
  AttestEnrolDialog *dialog = NULL;
  AttestWindow *window;
  AttestVideoView *view;
  GtkGestureClick *click;
  graphene_rect_t rect;
  SingleFace truth;
  FrameWait wait;
  GstClockTime shown;
  double x, y;
  int best = -1;
  float best_iou = 0;
  double bx, by, bw, bh;

  store = attest_store_open (db, &error);
  g_assert_no_error (error);
  load_single_face_frame (&truth);
  g_test_message ("single face at %" GST_TIME_FORMAT, GST_TIME_ARGS (truth.pts));

  window = attest_window_new (NULL, settings);
  attest_window_set_vision (window, vision);
  attest_window_set_store (window, store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));

  open_paused_at (window, video, truth.pts);
  wait.view = view;
  wait.target = truth.pts;
  g_assert_true (wait_for (boxes_on_target_frame, &wait));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  detections = attest_detections_ref (attest_video_view_get_detections (view));
  shown = attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (attest_video_view_get_paintable (view)));

  for (guint i = 0; i < detections->n_faces; i++)
    {
      float iou = attest_box_iou (&truth.face, &detections->faces[i]);

      if (iou > best_iou)
        best_iou = iou, best = (int) i;
    }
  g_assert_cmpint (best, >=, 0);
  g_assert_cmpfloat (best_iou, >=, 0.5);

  /* Double-click the middle of the face's box through the view's own click gesture. */
  g_assert_true (attest_video_view_get_face_rect (view, (guint) best, &rect));
  x = rect.origin.x + rect.size.width / 2;
  y = rect.origin.y + rect.size.height / 2;
  click = GTK_GESTURE_CLICK (find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_CLICK));
  g_assert_nonnull (click);
  g_signal_emit_by_name (click, "pressed", 1, x, y);
  g_signal_emit_by_name (click, "released", 1, x, y);
  g_signal_emit_by_name (click, "pressed", 2, x, y);
  g_signal_emit_by_name (click, "released", 2, x, y);

  /* The dialog opens with the face's crop, measured as good enough. */
  g_assert_true (wait_for (enrol_dialog_shown, &dialog));
  g_test_message ("enrol dialog: %s | %s", _attest_enrol_dialog_get_quality_text (dialog),
                  _attest_enrol_dialog_get_message (dialog));
  g_assert_nonnull (_attest_enrol_dialog_get_crop_png (dialog));
  g_assert_true (g_str_has_prefix (_attest_enrol_dialog_get_quality_text (dialog), "Good enough"));
  g_assert_cmpstr (_attest_enrol_dialog_get_message (dialog), ==, "");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_attest_enrol_dialog_get_reviewer_row (dialog))));

  /* Enrol stays off until both a name and a basis are given. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "enrol.enrol", NULL);
  g_assert_false (_attest_enrol_dialog_get_busy (dialog));
  gtk_editable_set_text (_attest_enrol_dialog_get_name_row (dialog), "Person From Video");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "enrol.enrol", NULL);
  g_assert_false (_attest_enrol_dialog_get_busy (dialog));
  gtk_editable_set_text (_attest_enrol_dialog_get_basis_row (dialog), "Known from the case file photo, ID checked");
  save_widget_png (GTK_WIDGET (dialog), "test-gallery-enrol-dialog.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "enrol.enrol", NULL));
  g_assert_true (wait_for (enrol_dialog_gone, NULL));
  g_assert_cmpstr (_attest_window_get_last_toast_title (window), ==, "Face enrolled for Person From Video");

  /* The face is in the gallery with its provenance, and audited. */
  identities = attest_store_list_identities (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (identities)), ==, 1);
  identity = g_list_model_get_item (G_LIST_MODEL (identities), 0);
  g_assert_cmpstr (attest_identity_get_name (identity), ==, "Person From Video");
  faces = attest_store_list_faces (store, attest_identity_get_id (identity), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (faces)), ==, 1);
  face = g_list_model_get_item (G_LIST_MODEL (faces), 0);
  g_assert_cmpstr (attest_face_get_source_uri (face), ==, video_uri);
  g_assert_cmpint (attest_face_get_source_ms (face), ==, (gint64) (shown / GST_MSECOND));
  g_assert_cmpstr (attest_face_get_basis (face), ==, "Known from the case file photo, ID checked");
  g_assert_cmpstr (attest_face_get_enrolled_by (face), ==, REVIEWER);
  g_assert_cmpuint (strlen (attest_face_get_source_sha256 (face)), ==, 64);
  g_assert_nonnull (attest_face_get_thumbnail (face));
  g_assert_true (attest_face_get_box (face, &bx, &by, &bw, &bh));
  {
    /* The box is the detector's, in the frame's own pixels. */
    AttestBox stored = { bx, by, bw, bh, 1 };

    g_assert_cmpfloat (attest_box_iou (&stored, &truth.face), >=, 0.5);
  }
  subject = g_strdup_printf ("face:%" G_GINT64_FORMAT, attest_face_get_id (face));
  g_assert_cmpuint (count_audit (store, "enrol", subject), ==, 1);

  /* The gallery page shows the new person. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-gallery", NULL);
  wait_page (window->gallery_page);
  g_assert_cmpstr (_attest_gallery_page_get_visible_page (window->gallery_page), ==, "people");
  g_assert_cmpstr (_attest_gallery_page_get_detail_name (window->gallery_page), ==, "Person From Video");
  save_widget_png (GTK_WIDGET (window), "test-gallery-window.png");

  destroy_and_check_finalized (GTK_WINDOW (window));
  remove_tree (tmp);
}

/* A box drawn by hand where there is no face is refused by the quality gate. */
static void
test_enrol_refuses_poor_box (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *db = g_build_filename (tmp, "gallery.db", NULL);
  g_autoptr (AttestSettings) settings = new_settings ();
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) frame = NULL;
  g_autofree char *photo = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "faces", "2008_002506.jpg", NULL);
  AttestEnrolDialog *dialog;
  AttestEnrolDialog *shown = NULL;
  AttestBox tiny = { 4, 4, 24, 24, 1 };

  store = attest_store_open (db, &error);
  g_assert_no_error (error);
  frame = gdk_texture_new_from_filename (photo, &error);
  g_assert_no_error (error);

  dialog = attest_enrol_dialog_new (NULL, store, vision, settings);
  attest_enrol_dialog_set_face (dialog, frame, &tiny, TRUE, NULL, -1);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wait_for (enrol_dialog_shown, &shown));
  g_assert_true (shown == dialog);
  g_test_message ("hand-drawn box: %s | %s", _attest_enrol_dialog_get_quality_text (dialog),
                  _attest_enrol_dialog_get_message (dialog));
  g_assert_true (g_str_has_prefix (_attest_enrol_dialog_get_quality_text (dialog), "Too poor to enrol"));
  g_assert_nonnull (strstr (_attest_enrol_dialog_get_message (dialog), "box drawn"));

  gtk_editable_set_text (_attest_enrol_dialog_get_name_row (dialog), "Nobody");
  gtk_editable_set_text (_attest_enrol_dialog_get_basis_row (dialog), "A test");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "enrol.enrol", NULL);
  g_assert_false (_attest_enrol_dialog_get_busy (dialog));
  g_assert_cmpint (attest_store_count_faces (store, NULL), ==, 0);
  g_assert_cmpint (attest_store_count_identities (store, NULL), ==, 0);

  destroy_and_check_finalized (GTK_WINDOW (dialog));
  remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  if (!ui_test_init (&argc, &argv))
    return 0;

  vision = attest_vision_new (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/gallery-ui/import-and-edit", test_import_and_edit);
  g_test_add_func ("/gallery-ui/merge", test_merge_proposes_and_undoes);
  g_test_add_func ("/gallery-ui/enrol-by-click", test_enrol_by_click);
  g_test_add_func ("/gallery-ui/enrol-refuses-poor-box", test_enrol_refuses_poor_box);

  status = g_test_run ();
  attest_vision_free (vision);
  return status;
}
