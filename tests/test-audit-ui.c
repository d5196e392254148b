/* test-audit-ui.c: the Audit page and the Export Evidence dialog in the real window under a
 * real display (xvfb-run), on a real gallery database: people enrolled from dlib's photos of
 * them (johns/), review items made from other photos of the same people searched against that
 * gallery, and real confirm / reject / undo calls on them.
 *
 * What a user sees is asserted: the entries listed newest first, the action filter narrowing
 * them, "Intact: N entries" after Verify, "Broken at entry N" after someone edits the audit
 * table with the sqlite3 tool (a second raw connection that drops the triggers), the export
 * error in the dialog for a folder that cannot be written (and no "export" entry), and a good
 * export's files and toast. Screenshots go to $ATTEST_TEST_OUTPUT/test-audit-*.png. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "app/attest-export-dialog.h"
#include "app/attest-settings.h"
#include "app/attest-window-private.h"
#include "review/attest-importer.h"
#include "store/attest-gallery.h"
#include "store/attest-matches.h"
#include "store/attest-review.h"
#include "widgets/attest-audit-page-private.h"

#define WAIT_SECONDS 120
#define REVIEWER     "Rita Reviewer"
#define BASIS        "Debian dlib example photos, labelled by person"
#define THRESHOLD    0.45

#include "test-ui-helpers.h"

static AttestVision *vision;

/* ---- helpers ----------------------------------------------------------------------- */

/* The window's styles (AdwApplication loads them for the app; there is none here). */
static void
load_css (void)
{
  static gboolean loaded;
  g_autoptr (GtkCssProvider) provider = NULL;

  if (loaded)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/org/gnome/Attest/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  loaded = TRUE;
}

static guint
count_action (AttestStore *store,
              const char  *action)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = attest_store_list_audit (store, 0, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (((AttestAuditEntry *) entries->pdata[i])->action, action) == 0)
      n++;
  return n;
}

static char *
johns_photo (const char *person,
             const char *file)
{
  return g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person, file, NULL);
}

/* ---- a real gallery with real decisions ------------------------------------------- */

typedef struct
{
  char         *dir;
  char         *db_path;
  AttestStore  *store;
  gint64        salley;
  gint64        schneider;
  guint         n_entries;    /* audit entries after the set-up */
  guint         n_matches;    /* standing matches */
  char         *probe_path;   /* a probe photo (its folder stands for "a file, not a folder") */
} Gallery;

typedef struct
{
  gint64 face_id;
  gint64 identity_id;
  float  embedding[ATTEST_EMBEDDING_DIM];
} GalleryFace;

static void
collect_face (gint64       face_id,
              gint64       identity_id,
              const float *embedding,
              gpointer     user_data)
{
  GArray *faces = user_data;
  GalleryFace face = { face_id, identity_id };

  memcpy (face.embedding, embedding, sizeof face.embedding);
  g_array_append_val (faces, face);
}

/* A review item from another photo of a person, as the analysis would propose it: the face
 * found, embedded, and searched against every enrolled face (best face per identity). */
static gint64
add_probe_item (Gallery    *g,
                const char *person,
                const char *file)
{
  g_autofree char *path = johns_photo (person, file);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (GFile) gfile = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestImage) image = attest_image_load (path, &error);
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (GalleryFace));
  g_autoptr (GBytes) png = NULL;
  g_autofree char *sha = attest_file_sha256 (gfile, NULL, &error);
  float embedding[ATTEST_EMBEDDING_DIM];
  AttestReviewCandidate candidates[2] = { { g->salley, (char *) "John_Salley", -1, -1 },
                                          { g->schneider, (char *) "John_Schneider", -1, -1 } };
  AttestReviewItemSpec spec = { 0 };
  AttestBox box;
  gint64 item_id = -1;

  g_assert_no_error (error);
  g_assert_cmpint (attest_vision_detect (vision, attest_image_get_view (image), &box, 1), >=, 1);
  g_assert_true (attest_vision_embed (vision, attest_image_get_view (image), &box, embedding, &error));
  g_assert_no_error (error);
  png = attest_image_crop_png (attest_image_get_view (image), &box, 128, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attest_store_foreach_embedding (g->store, NULL, collect_face, faces, &error), >, 0);
  for (guint i = 0; i < faces->len; i++)
    {
      GalleryFace *face = &g_array_index (faces, GalleryFace, i);
      double score = attest_embedding_cosine (embedding, face->embedding);
      AttestReviewCandidate *c = face->identity_id == g->salley ? &candidates[0] : &candidates[1];

      if (score > c->score)
        {
          c->score = score;
          c->face_id = face->face_id;
        }
    }
  /* The better candidate first, as the queue shows them. */
  if (candidates[1].score > candidates[0].score)
    {
      AttestReviewCandidate swap = candidates[0];

      candidates[0] = candidates[1];
      candidates[1] = swap;
    }
  g_test_message ("%s/%s: %s %.3f, %s %.3f", person, file, candidates[0].name, candidates[0].score,
                  candidates[1].name, candidates[1].score);

  spec.source_uri = uri;
  spec.source_sha256 = sha;
  spec.track = 1;
  spec.best_frame = 0;
  spec.box_x = box.x;
  spec.box_y = box.y;
  spec.box_w = box.w;
  spec.box_h = box.h;
  spec.probe_png = png;
  spec.probe_embedding = embedding;
  spec.embedding_dim = ATTEST_EMBEDDING_DIM;
  spec.model_id = attest_vision_get_model_id (vision);
  spec.threshold = THRESHOLD;
  spec.candidates = candidates;
  spec.n_candidates = 2;
  g_assert_true (attest_store_add_review_item (g->store, &spec, &item_id, &error));
  g_assert_no_error (error);
  return item_id;
}

static void
gallery_set_up (Gallery *g)
{
  static const char *salley_photos[] = { "000179_02159509.jpg", "000183_02159543.jpg", "000186_02159346.jpg" };
  static const char *schneider_photos[] = { "000288_00925786.jpg", "000302_00925785.jpg", "000307_00925823.jpg" };
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  g_autoptr (GPtrArray) matches = NULL;
  gint64 item_a, item_b, item_c;

  g->dir = g_dir_make_tmp ("attest-audit-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g->db_path = g_build_filename (g->dir, "gallery.db", NULL);
  g->store = attest_store_open (g->db_path, &error);
  g_assert_no_error (error);

  /* Enrolment through the real importer: detector, quality gate, embedding, "import" entries. */
  importer = attest_importer_new (g->store, vision, REVIEWER, BASIS);
  for (guint i = 0; i < 3; i++)
    {
      const char *people[2] = { "John_Salley", "John_Schneider" };
      const char *files[2] = { salley_photos[i], schneider_photos[i] };

      for (guint p = 0; p < 2; p++)
        {
          g_autofree char *path = johns_photo (people[p], files[p]);
          AttestImportResult result = { 0 };

          g_assert_true (attest_importer_import_file (importer, path, people[p], &result, &error));
          g_assert_no_error (error);
          g_assert_cmpint (result.status, ==, ATTEST_IMPORT_ENROLLED);
          {
            g_autoptr (AttestFace) face = attest_store_get_face (g->store, result.face_id, &error);

            g_assert_no_error (error);
            *(p == 0 ? &g->salley : &g->schneider) = attest_face_get_identity_id (face);
          }
          attest_import_result_clear (&result);
        }
    }

  /* Three probes from other photos of the same two people, decided by the reviewer. */
  item_a = add_probe_item (g, "John_Salley", "000189_02159361.jpg");
  item_b = add_probe_item (g, "John_Schneider", "000325_00925954.jpg");
  item_c = add_probe_item (g, "John_Salley", "000190_02159501.jpg");
  g->probe_path = johns_photo ("John_Salley", "000190_02159501.jpg");

  g_assert_cmpint (attest_store_confirm_review_item (g->store, item_a, g->salley, REVIEWER,
                                                     "Same hairline, ears and jaw as the gallery photos",
                                                     &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (attest_store_reject_review_item (g->store, item_b, g->salley, REVIEWER,
                                                  "Different person: face shape and eyebrows differ",
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpint (attest_store_confirm_review_item (g->store, item_b, g->schneider, "Second Sam",
                                                     "Matches the enrolled photos of John Schneider",
                                                     &error), >, 0);
  g_assert_no_error (error);
  /* A mistaken confirmation, undone (a new entry), then the right decision. */
  g_assert_cmpint (attest_store_confirm_review_item (g->store, item_c, g->schneider, REVIEWER,
                                                     "clicked the wrong candidate", &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (attest_store_undo_last_decision (g->store, REVIEWER, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (attest_store_confirm_review_item (g->store, item_c, g->salley, REVIEWER,
                                                     "Same person as the gallery photos; clear frontal view",
                                                     &error), >, 0);
  g_assert_no_error (error);

  {
    g_autoptr (GPtrArray) entries = attest_store_list_audit (g->store, 0, 0, &error);

    g_assert_no_error (error);
    g->n_entries = entries->len;
  }
  matches = attest_store_list_matches (g->store, NULL, &error);
  g_assert_no_error (error);
  g->n_matches = matches->len;
  /* 6 imports, 4 confirms, 1 reject, 1 undo; 3 standing matches (one revoked). */
  g_assert_cmpuint (g->n_entries, ==, 12);
  g_assert_cmpuint (g->n_matches, ==, 3);
}

static void
gallery_tear_down (Gallery *g)
{
  g_clear_object (&g->store);
  remove_tree (g->dir);
  g_free (g->dir);
  g_free (g->db_path);
  g_free (g->probe_path);
}

/* ---- the window -------------------------------------------------------------------- */

static AttestWindow *
new_window (Gallery *g)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = attest_window_new (NULL, settings);
  attest_window_set_store (window, g->store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
  gtk_window_present (GTK_WINDOW (window));
  load_css ();
  return window;
}

typedef struct
{
  AttestAuditPage *page;
  guint            n_entries;
} PageWait;

static gboolean
page_listed (gpointer data)
{
  PageWait *w = data;

  return !attest_audit_page_get_busy (w->page) && attest_audit_page_get_n_entries (w->page) == w->n_entries;
}

static gboolean
page_idle (gpointer data)
{
  return !attest_audit_page_get_busy (data);
}

static AttestAuditPage *
show_audit_page (AttestWindow *window,
                 guint         n_entries)
{
  AttestAuditPage *page = _attest_window_get_audit_page (window);
  PageWait w = { page, n_entries };

  adw_view_stack_set_visible_child_name (window->view_stack, "audit");
  g_assert_true (wait_for (page_listed, &w));
  return page;
}

static void
click (GtkButton *button)
{
  g_signal_emit_by_name (button, "clicked");
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) && gtk_widget_get_mapped (child))
        return child;
      if ((found = find_descendant (child, type)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_label_text (GtkWidget  *root,
                const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), text) == 0)
        return TRUE;
      if (has_label_text (child, text))
        return TRUE;
    }
  return FALSE;
}

/* ---- tests ------------------------------------------------------------------------- */

static void
test_page_lists_filters_and_verifies (void)
{
  Gallery g = { 0 };
  AttestWindow *window;
  AttestAuditPage *page;
  const AttestAuditEntry *newest, *oldest;
  GtkDropDown *actions;
  sqlite3 *raw = NULL;
  char *message = NULL;

  gallery_set_up (&g);
  window = new_window (&g);
  page = show_audit_page (window, g.n_entries);

  /* Everything, newest first: the last confirmation on top, the first import at the end. */
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, g.n_entries);
  newest = attest_audit_page_get_shown_entry (page, 0);
  oldest = attest_audit_page_get_shown_entry (page, g.n_entries - 1);
  g_assert_cmpstr (newest->action, ==, "confirm");
  g_assert_cmpstr (newest->rationale, ==, "Same person as the gallery photos; clear frontal view");
  g_assert_cmpint (newest->id, ==, g.n_entries);
  g_assert_cmpstr (oldest->action, ==, "import");
  g_assert_cmpint (oldest->id, ==, 1);
  save_widget_png (GTK_WIDGET (window), "test-audit-page.png");

  /* The action dropdown, as the user picks "Confirm": only the four confirmations. */
  actions = _attest_audit_page_get_action_dropdown (page);
  for (guint i = 0; i < g_list_model_get_n_items (gtk_drop_down_get_model (actions)); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (actions)), i), "Confirm"))
      gtk_drop_down_set_selected (actions, i);
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (attest_audit_page_get_shown_entry (page, i)->action, ==, "confirm");
  /* ... and a reviewer: Second Sam confirmed one. */
  attest_audit_page_set_reviewer_filter (page, "Second Sam");
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, 1);
  g_assert_cmpstr (attest_audit_page_get_shown_entry (page, 0)->actor, ==, "Second Sam");
  attest_audit_page_set_reviewer_filter (page, NULL);
  /* Free text over the rationale. */
  attest_audit_page_set_search_text (page, "WRONG candidate");
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, 1);
  attest_audit_page_set_search_text (page, "no such words anywhere");
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, 0);
  attest_audit_page_set_search_text (page, NULL);
  attest_audit_page_set_action_filter (page, "undo");
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, 1);
  attest_audit_page_set_action_filter (page, "reject");
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, 1);
  save_widget_png (GTK_WIDGET (window), "test-audit-filtered.png");
  attest_audit_page_set_action_filter (page, NULL);
  g_assert_cmpuint (attest_audit_page_get_n_shown (page), ==, g.n_entries);

  /* Verify Chain: intact. */
  g_assert_null (attest_audit_page_get_verify_text (page));
  click (_attest_audit_page_get_verify_button (page));
  g_assert_true (attest_audit_page_get_busy (page));
  g_assert_true (wait_for (page_idle, page));
  g_assert_cmpstr (attest_audit_page_get_verify_text (page), ==, "Intact: 12 entries");
  save_widget_png (GTK_WIDGET (window), "test-audit-intact.png");

  /* The newest row's details: its hash, the hash before it and the JSON details. */
  {
    GtkWidget *button = find_descendant (GTK_WIDGET (_attest_audit_page_get_column_view (page)),
                                         GTK_TYPE_MENU_BUTTON);
    GtkPopover *popover;
    g_autoptr (GPtrArray) entries = attest_store_list_audit (g.store, g.n_entries - 1, 0, NULL);
    AttestAuditEntry *last = entries->pdata[0];

    g_assert_nonnull (button);
    /* In view without scrolling sideways, in a window narrower than the table: inside the
     * visible part of it. */
    {
      GtkWidget *table = GTK_WIDGET (_attest_audit_page_get_column_view (page));
      GtkWidget *scrolled = gtk_widget_get_ancestor (table, GTK_TYPE_SCROLLED_WINDOW);
      graphene_rect_t b;

      gtk_window_set_default_size (GTK_WINDOW (window), 700, 760);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      while (g_main_context_iteration (NULL, FALSE))
        ;
      /* The table is wider than what shows: it scrolls sideways. */
      g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (table))),
                         >, gtk_adjustment_get_page_size (gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (table))));
      g_assert_true (gtk_widget_compute_bounds (button, scrolled, &b));
      g_assert_cmpfloat (b.origin.x, >=, 0);
      g_assert_cmpfloat (b.origin.x + b.size.width, <=, gtk_widget_get_width (scrolled));
      gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    }
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
    g_assert_true (has_label_text (GTK_WIDGET (popover), last->hash));
    g_assert_true (has_label_text (GTK_WIDGET (popover), last->prev_hash));
    save_widget_png (GTK_WIDGET (popover), "test-audit-details.png");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  }

  /* Someone edits entry 5's rationale with the sqlite3 tool, dropping the trigger first. */
  g_assert_cmpint (sqlite3_open (g.db_path, &raw), ==, SQLITE_OK);
  sqlite3_busy_timeout (raw, 5000);
  g_assert_cmpint (sqlite3_exec (raw,
                                 "DROP TRIGGER audit_no_update;"
                                 "UPDATE audit SET actor = 'Mallory' WHERE id = 5;",
                                 NULL, NULL, &message), ==, SQLITE_OK);
  g_assert_null (message);
  sqlite3_close (raw);

  click (_attest_audit_page_get_verify_button (page));
  g_assert_true (wait_for (page_idle, page));
  g_assert_cmpstr (attest_audit_page_get_verify_text (page), ==, "Broken at entry 5");
  /* The list shows the database as it is now: the edited name is visible in entry 5. */
  {
    PageWait w = { page, g.n_entries };

    g_assert_true (wait_for (page_listed, &w));
    g_assert_cmpstr (attest_audit_page_get_shown_entry (page, g.n_entries - 5)->actor, ==, "Mallory");
  }
  save_widget_png (GTK_WIDGET (window), "test-audit-broken.png");

  destroy_and_check_finalized (GTK_WINDOW (window));
  gallery_tear_down (&g);
}

static gboolean
dialog_idle (gpointer data)
{
  return !attest_export_dialog_get_busy (data);
}

static void
test_export_dialog (void)
{
  Gallery g = { 0 };
  AttestWindow *window;
  AttestAuditPage *page;
  AttestExportDialog *dialog;
  g_autofree char *bad = NULL;
  g_autofree char *good = NULL;
  g_autoptr (GFile) bad_file = NULL;
  g_autoptr (GFile) good_file = NULL;
  guint exports_before;

  gallery_set_up (&g);
  window = new_window (&g);
  page = show_audit_page (window, g.n_entries);

  /* Ctrl+Shift+E: the window's shortcut for win.export, activated as the key would. */
  {
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
    GtkShortcut *found = NULL;

    for (guint i = 0; found == NULL && i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

        if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
          continue;
        for (guint k = 0; found == NULL && k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
          {
            g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
            GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
            g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

            if (GTK_IS_NAMED_ACTION (action) &&
                g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "win.export"))
              {
                g_assert_cmpstr (trigger, ==, "<Shift><Control>e");
                found = shortcut;
              }
          }
      }
    g_assert_nonnull (found);
    g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (found), 0, GTK_WIDGET (window), NULL));
  }
  dialog = _attest_window_get_export_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (wait_for (dialog_idle, dialog));
  /* Without a folder Export does nothing. */
  exports_before = count_action (g.store, "export");
  attest_export_dialog_export (dialog);
  g_assert_false (attest_export_dialog_get_busy (dialog));
  g_assert_cmpuint (count_action (g.store, "export"), ==, exports_before);
  /* A folder name that is not valid markup is shown as typed (libadwaita 1.2 rows parse
   * markup: it used to leave the subtitle blank). */
  good = g_build_filename (g.dir, "Case 12 & <evidence>", NULL);
  good_file = g_file_new_for_path (good);
  attest_export_dialog_set_folder (dialog, good_file);
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), GTK_TYPE_LABEL, label_mapped_containing,
                                 "Case 12 & <evidence>"));
  save_widget_png (GTK_WIDGET (dialog), "test-audit-export-dialog.png");

  /* A folder below a regular file cannot be made by anyone, root included. */
  bad = g_build_filename (g.probe_path, "evidence", NULL);
  bad_file = g_file_new_for_path (bad);
  exports_before = count_action (g.store, "export");
  attest_export_dialog_set_folder (dialog, bad_file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.run", NULL));
  g_assert_true (attest_export_dialog_get_busy (dialog));
  g_assert_true (wait_for (dialog_idle, dialog));
  g_assert_nonnull (attest_export_dialog_get_error (dialog));
  g_test_message ("dialog says: %s", attest_export_dialog_get_error (dialog));
  g_assert_nonnull (strstr (attest_export_dialog_get_error (dialog), bad));
  g_assert_nonnull (strstr (attest_export_dialog_get_error (dialog), "Could not export"));
  /* Still open, nothing recorded as exported. */
  g_assert_true (_attest_window_get_export_dialog (window) == dialog);
  g_assert_cmpuint (count_action (g.store, "export"), ==, exports_before);
  save_widget_png (GTK_WIDGET (dialog), "test-audit-export-error.png");

  /* A good folder: the files, the toast, the entry; the dialog closes. */
  attest_export_dialog_set_folder (dialog, good_file);
  g_assert_null (attest_export_dialog_get_error (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.run", NULL));
  {
    gpointer weak = dialog;

    g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
    g_assert_true (wait_for (pointer_is_null, &weak));
  }
  g_assert_null (_attest_window_get_export_dialog (window));
  g_assert_cmpstr (_attest_window_get_last_toast_title (window), ==, "Exported 3 matches");
  g_assert_cmpuint (count_action (g.store, "export"), ==, exports_before + 1);
  {
    const char *names[] = { "matches.csv", "matches.json", "report.html", "audit.jsonl" };
    g_autoptr (GPtrArray) matches = attest_store_list_matches (g.store, NULL, NULL);

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (good, names[i], NULL);

        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      }
    for (guint i = 0; i < matches->len; i++)
      {
        AttestMatchRecord *m = g_ptr_array_index (matches, i);
        g_autofree char *probe = g_strdup_printf ("%s/match-%" G_GINT64_FORMAT "-probe.png", good, m->id);
        g_autofree char *face = g_strdup_printf ("%s/match-%" G_GINT64_FORMAT "-gallery.png", good, m->id);

        g_assert_true (g_file_test (probe, G_FILE_TEST_IS_REGULAR));
        g_assert_true (g_file_test (face, G_FILE_TEST_IS_REGULAR));
      }
  }
  /* The audit page, on screen, lists the export on top. */
  {
    PageWait w = { page, g.n_entries + 1 };

    g_assert_true (wait_for (page_listed, &w));
    g_assert_cmpstr (attest_audit_page_get_shown_entry (page, 0)->action, ==, "export");
  }
  save_widget_png (GTK_WIDGET (window), "test-audit-after-export.png");
  /* The report a reader gets: both faces of each match, the undone confirmation named, and
   * the decision chain saying who was confirmed, rejected or undone. */
  {
    g_autofree char *path = g_build_filename (good, "report.html", NULL);
    g_autofree char *html = NULL;
    guint n_images = 0;

    g_assert_true (g_file_get_contents (path, &html, NULL, NULL));
    for (const char *p = strstr (html, "src=\"data:image/png;base64,"); p != NULL; p = strstr (p + 1, "src=\"data:image/png;base64,"))
      n_images++;
    g_assert_cmpuint (n_images, ==, 2 * g.n_matches);
    g_assert_nonnull (strstr (html, "Not included: confirmations that were undone"));
    g_assert_nonnull (strstr (html, "was undone on "));
    g_assert_nonnull (strstr (html, "<td>reject John_Salley (item:2)</td>"));
    g_assert_nonnull (strstr (html, "<td>confirm John_Schneider (item:2)</td>"));
    g_assert_nonnull (strstr (html, "<td>undo of entry 10 (confirm John_Schneider)</td>"));
    g_assert_nonnull (strstr (html, "Score 0.89 (threshold 0.45)"));
  }
  /* Keep a copy of the report for people to look at. */
  {
    g_autofree char *from = g_build_filename (good, "report.html", NULL);
    g_autofree char *to = g_build_filename (g_getenv ("ATTEST_TEST_OUTPUT"), "test-audit-report.html", NULL);
    g_autofree char *html = NULL;
    gsize size;

    g_assert_true (g_file_get_contents (from, &html, &size, NULL));
    g_assert_true (g_file_set_contents (to, html, size, NULL));
  }

  destroy_and_check_finalized (GTK_WINDOW (window));
  gallery_tear_down (&g);
}

/* A time range of one source, chosen in the dialog. */
static void
test_export_dialog_time_range (void)
{
  Gallery g = { 0 };
  AttestWindow *window;
  AttestExportDialog *dialog;
  g_autofree char *out = NULL;
  g_autoptr (GFile) out_file = NULL;
  g_autoptr (GPtrArray) sources = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *probe_uri = NULL;

  gallery_set_up (&g);
  window = new_window (&g);
  probe_uri = g_filename_to_uri (g.probe_path, NULL, NULL);
  /* As if that photo were the video on screen: the dialog preselects it. */
  dialog = attest_export_dialog_new (GTK_WINDOW (window), g.store, NULL, probe_uri);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wait_for (dialog_idle, dialog));
  attest_export_dialog_set_scope (dialog, ATTEST_EXPORT_SCOPE_TIME_RANGE);
  attest_export_dialog_set_range (dialog, 0, 1);
  out = g_build_filename (g.dir, "range", NULL);
  out_file = g_file_new_for_path (out);
  attest_export_dialog_set_folder (dialog, out_file);
  save_widget_png (GTK_WIDGET (dialog), "test-audit-export-range.png");
  /* No settings: the name must be typed; without it Export refuses. */
  attest_export_dialog_export (dialog);
  g_assert_nonnull (attest_export_dialog_get_error (dialog));
  g_assert_nonnull (strstr (attest_export_dialog_get_error (dialog), "name"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  {
    GtkWidget *child;

    /* The reviewer row is the only AdwEntryRow. */
    for (child = gtk_widget_get_first_child (GTK_WIDGET (dialog)); child != NULL; )
      {
        if (ADW_IS_ENTRY_ROW (child))
          break;
        if (gtk_widget_get_first_child (child) != NULL)
          child = gtk_widget_get_first_child (child);
        else
          {
            while (child != NULL && gtk_widget_get_next_sibling (child) == NULL)
              child = gtk_widget_get_parent (child);
            if (child != NULL)
              child = gtk_widget_get_next_sibling (child);
          }
      }
    g_assert_nonnull (child);
    gtk_editable_set_text (GTK_EDITABLE (child), "Third Tom");
  }
  {
    gpointer weak = dialog;

    g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
    attest_export_dialog_export (dialog);
    g_assert_true (wait_for (pointer_is_null, &weak));
  }
  /* Only the one match of that source (at 0 ms, a photo). */
  csv_path = g_build_filename (out, "matches.csv", NULL);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  {
    g_auto (GStrv) lines = g_strsplit (csv, "\r\n", -1);

    /* header, one row, and the empty string after the last line end */
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
  }
  {
    g_autoptr (GPtrArray) entries = attest_store_list_audit (g.store, 0, 0, NULL);
    AttestAuditEntry *last = entries->pdata[entries->len - 1];

    g_assert_cmpstr (last->action, ==, "export");
    g_assert_cmpstr (last->actor, ==, "Third Tom");
    g_assert_nonnull (strstr (last->details, "\"from_ms\":0"));
    g_assert_nonnull (strstr (last->details, "\"to_ms\":1000"));
  }
  destroy_and_check_finalized (GTK_WINDOW (window));
  gallery_tear_down (&g);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  if (!ui_test_init (&argc, &argv))
    return 0;
  /* Screenshots show the final state, not a cross-fade half-way. */
  /* No cursor blink either: its timeout, firing while another window has the X focus, warns
   * that a GtkText "did not receive a focus-out event". */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE, NULL);

  vision = attest_vision_new (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/audit-ui/page", test_page_lists_filters_and_verifies);
  g_test_add_func ("/audit-ui/export-dialog", test_export_dialog);
  g_test_add_func ("/audit-ui/export-dialog-time-range", test_export_dialog_time_range);

  status = g_test_run ();
  attest_vision_free (vision);
  return status;
}
