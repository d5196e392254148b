/* test-review-ui.c: the Review page of the real window under a real display (xvfb-run),
 * driven with the keyboard (real key presses through xdotool when it is there), on a real
 * gallery of the five johns enrolled from photos the sample video does not use. The review
 * items are made from real data: crops of the photos the video DOES use (held out of the
 * gallery), their times and boxes from the sample's ground truth, candidates from the real
 * matcher. What is asserted is what the reviewer sees and what the database then holds. */
#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/attest-preferences-window.h"
#include "app/attest-window-private.h"
#include "widgets/attest-video-page-private.h"
#include "review/attest-importer.h"
#include "review/attest-search.h"
#include "store/attest-gallery.h"
#include "store/attest-review.h"
#include "store/attest-store-private.h"
#include "store/attest-store-scan.h"
#include "widgets/attest-gallery-page-private.h"
#include "widgets/attest-review-page-private.h"
#include "widgets/attest-review-panel.h"

#define WAIT_SECONDS 60
#define REVIEWER "Rita Reviewer"

#include "test-sample-gallery.h"
#include "test-ui-helpers.h"

static AttestVision *vision;
static AttestStore *store;
static AttestMatcher *matcher;
static GHashTable *names;
static AttestImpostorStats stats;
static gboolean stats_enough;
static char *tmp_dir;
static JsonObject *truth;
static SampleTruth *sample_truth;
static char *sample_uri;
static char *sample_sha;
static gboolean use_xdotool;

typedef struct
{
  gint64  id;
  char   *person;
  gint64  identity_id;  /* the person's identity */
} Made;

static GArray *made;    /* Made, in the order the items were added */
static gint64 missing_item = -1;

/* ---- helpers ---------------------------------------------------------------------- */

static gint64
query_int (const char *sql)
{
  sqlite3 *db = _attest_store_lock (store);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  _attest_store_unlock (store);
  return value;
}

G_GNUC_PRINTF (1, 2)
static gint64
query_intf (const char *format,
            ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);
  return query_int (sql);
}

static char *
item_status (gint64 id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestReviewItem) item = attest_store_get_review_item (store, id, &error);

  g_assert_no_error (error);
  return g_strdup (item->status);
}

static void
render_window (AttestWindow *window,
               const char   *name)
{
  g_autoptr (GdkTexture) texture = NULL;

  /* Transitions (a revealer closing) end first: a picture of what stays on screen. */
  {
    gint64 end = g_get_monotonic_time () + 400 * 1000;
    guint tick = g_timeout_add (20, tick_cb, NULL);

    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
  }
  texture = render_widget (GTK_WIDGET (window));
  save_png (texture, name);
}

static GtkWidget *
button_for (AttestWindow *window,
            const char   *action)
{
  GtkWidget *button = find_widget (GTK_WIDGET (_attest_window_get_review_page (window)),
                                   GTK_TYPE_BUTTON, has_action_name, action);

  g_assert_nonnull (button);
  return button;
}

/* ---- the keyboard ----------------------------------------------------------------- */

/* The key goes where a user's would: to the focused widget of the focused window (X input
 * focus set on the window, the key sent with XTEST). Without xdotool the same shortcut is
 * found among the controllers from the focus widget up and activated. */
static gboolean
shortcut_in (GtkWidget          *w,
             GtkShortcutTrigger *wanted,
             GtkPropagationPhase phase,
             gboolean           *handled)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (w);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)) != phase)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            {
              *handled = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, w,
                                                       gtk_shortcut_get_arguments (shortcut));
              if (*handled)
                return TRUE;
            }
        }
    }
  return FALSE;
}

/* Like event delivery: capture-phase controllers from the window down to the focus widget,
 * then bubble-phase ones from the focus widget up. */
static gboolean
keys_via_controllers (AttestWindow    *window,
                      guint            keyval,
                      GdkModifierType  mods)
{
  g_autoptr (GtkShortcutTrigger) wanted = gtk_keyval_trigger_new (keyval, mods);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  gboolean handled = FALSE;

  for (GtkWidget *w = focus != NULL ? focus : GTK_WIDGET (window); w != NULL; w = gtk_widget_get_parent (w))
    g_ptr_array_insert (chain, 0, w);
  for (guint i = 0; i < chain->len; i++)
    if (shortcut_in (chain->pdata[i], wanted, GTK_PHASE_CAPTURE, &handled))
      return TRUE;
  for (guint i = chain->len; i-- > 0;)
    if (shortcut_in (chain->pdata[i], wanted, GTK_PHASE_BUBBLE, &handled))
      return TRUE;
  return FALSE;
}

static void
press (AttestWindow    *window,
       const char      *xdotool_keys,
       guint            keyval,
       GdkModifierType  mods)
{
  if (use_xdotool)
    {
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
      g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
      const char *argv[] = { "xdotool", "windowfocus", "--sync", xid, "key", "--clearmodifiers",
                             xdotool_keys, NULL };
      g_autoptr (GError) error = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      /* Every event the keys made is in the queue after a round trip. */
      gdk_display_sync (gtk_widget_get_display (GTK_WIDGET (window)));
      for (int i = 0; i < 5; i++)
        {
          gdk_display_sync (gtk_widget_get_display (GTK_WIDGET (window)));
          while (g_main_context_iteration (NULL, FALSE));
          g_usleep (10000);
        }
    }
  else
    {
      gboolean handled = keys_via_controllers (window, keyval, mods);
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

      g_test_message ("key %s: %s (focus %s)", xdotool_keys, handled ? "handled" : "not handled",
                      focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "none");
      while (g_main_context_iteration (NULL, FALSE));
    }
}

/* ---- the gallery and the items ------------------------------------------------------ */

static void
build_gallery (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  guint enrolled;

  sample_truth = sample_truth_load ();
  truth = sample_truth->root;

  tmp_dir = g_dir_make_tmp ("attest-review-ui-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (tmp_dir, "gallery.db", NULL);
  store = attest_store_open (db, &error);
  g_assert_no_error (error);

  importer = attest_importer_new (store, vision, "Test Reviewer",
                                  "dlib example photos, labelled by folder");
  enrolled = sample_gallery_import (sample_truth, importer, NULL);
  g_assert_cmpuint (enrolled, >=, 10);

  matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  g_assert_cmpint (attest_matcher_load_from_store (matcher, store, attest_vision_get_model_id (vision), &error),
                   ==, enrolled);
  names = sample_identity_names (store);
  stats_enough = attest_matcher_impostor_stats (matcher, ATTEST_MATCHER_DEFAULT_THRESHOLD, &stats);
  g_assert_true (stats_enough);

  sample_uri = g_file_get_uri (sample);
  sample_sha = attest_file_sha256 (sample, NULL, &error);
  g_assert_no_error (error);
  made = g_array_new (FALSE, TRUE, sizeof (Made));
}

static gint64
identity_of (const char *person)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (value, person))
      return *(gint64 *) key;
  g_assert_not_reached ();
}

/* Where the person is on screen in the sample: first and last frame, and the box at the
 * middle one. */
static void
truth_span (const char *person,
            gint64     *start_ms,
            gint64     *end_ms,
            gint64     *best_ms,
            AttestBox  *box)
{
  JsonArray *frames = json_object_get_array_member (truth, "frames");
  GArray *at = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (AttestBox));

  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *frame = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (frame, "faces");

      for (guint j = 0; j < json_array_get_length (faces); j++)
        {
          JsonObject *face = json_array_get_object_element (faces, j);
          AttestBox b = { json_object_get_double_member (face, "x"), json_object_get_double_member (face, "y"),
                          json_object_get_double_member (face, "w"), json_object_get_double_member (face, "h"), 1 };
          gint64 ms = json_object_get_int_member (frame, "pts_ms");

          if (g_strcmp0 (json_object_get_string_member (face, "person"), person) != 0)
            continue;
          g_array_append_val (at, ms);
          g_array_append_val (boxes, b);
        }
    }
  g_assert_cmpuint (at->len, >, 0);
  /* The longest stretch on screen (frames 40 ms apart; a gap of more ends it). */
  {
    guint best_first = 0, best_len = 0, first = 0;

    for (guint i = 1; i <= at->len; i++)
      if (i == at->len || g_array_index (at, gint64, i) - g_array_index (at, gint64, i - 1) > 200)
        {
          if (i - first > best_len)
            {
              best_first = first;
              best_len = i - first;
            }
          first = i;
        }
    *start_ms = g_array_index (at, gint64, best_first);
    *end_ms = g_array_index (at, gint64, best_first + best_len - 1);
    *best_ms = g_array_index (at, gint64, best_first + best_len / 2);
    *box = g_array_index (boxes, AttestBox, best_first + best_len / 2);
  }
  g_array_unref (at);
  g_array_unref (boxes);
}

/* A pending item for `person` from one of their photos the gallery does not hold. */
static gint64 add_item_from (const char *person, const char *path, const char *uri, const char *sha);

static gint64
add_item_for (const char *person,
              const char *uri,
              const char *sha)
{
  JsonArray *used = json_object_get_array_member (json_object_get_object_member (truth, "photos"), person);
  g_autofree char *path = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person,
                                            json_array_get_string_element (used, 0), NULL);

  return add_item_from (person, path, uri, sha);
}

/* person NULL: someone not in the gallery (a "No match" sent to review). */
static gint64
add_item_from (const char *person,
               const char *path,
               const char *uri,
               const char *sha)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestStill) still = attest_still_load (vision, path, &error);
  g_autoptr (GBytes) png = NULL;
  AttestQuality quality;
  float embedding[ATTEST_EMBEDDING_DIM];
  AttestCandidate found[5];
  AttestReviewCandidate candidates[5];
  AttestReviewItemSpec spec = { 0 };
  AttestBox box;
  guint n;
  gint64 id = -1;
  Made m = { 0 };

  g_assert_no_error (error);
  g_assert_cmpuint (attest_still_get_n_faces (still), >=, 1);
  g_assert_true (attest_still_examine_face (still, 0, &quality, embedding, &error));
  g_assert_no_error (error);
  g_assert_cmpint (quality.issue, ==, ATTEST_QUALITY_OK);
  png = attest_image_crop_png (attest_still_get_view (still), attest_still_get_box (still, 0), 192, &error);
  g_assert_no_error (error);

  n = attest_matcher_search (matcher, embedding, 5, NULL, 0, found);
  g_assert_cmpuint (n, >, 0);
  if (person != NULL)
    {
      /* The real matcher puts the person first, at or above the threshold. */
      g_assert_cmpint (found[0].identity_id, ==, identity_of (person));
      g_assert_cmpfloat (found[0].score, >=, ATTEST_MATCHER_DEFAULT_THRESHOLD);
    }
  else
    /* Nobody in the gallery: no candidate reaches the threshold. */
    g_assert_cmpfloat (found[0].score, <, ATTEST_MATCHER_DEFAULT_THRESHOLD);
  for (guint i = 0; i < n; i++)
    {
      candidates[i].identity_id = found[i].identity_id;
      candidates[i].name = g_hash_table_lookup (names, &found[i].identity_id);
      candidates[i].score = found[i].score;
      candidates[i].face_id = found[i].face_id;
    }

  spec.source_uri = uri;
  spec.source_sha256 = sha;
  spec.track = made->len + 1;
  if (person != NULL)
    truth_span (person, &spec.start_ms, &spec.end_ms, &spec.best_ms, &box);
  else
    {
      box = *attest_still_get_box (still, 0);
      spec.start_ms = 1000;
      spec.end_ms = 3000;
      spec.best_ms = 2000;
    }
  spec.best_frame = spec.best_ms / 40;
  spec.box_x = box.x;
  spec.box_y = box.y;
  spec.box_w = box.w;
  spec.box_h = box.h;
  spec.probe_png = png;
  spec.probe_embedding = embedding;
  spec.embedding_dim = ATTEST_EMBEDDING_DIM;
  spec.model_id = attest_vision_get_model_id (vision);
  spec.threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
  spec.candidates = candidates;
  spec.n_candidates = n;
  g_assert_true (attest_store_add_review_item (store, &spec, &id, &error));
  g_assert_no_error (error);

  m.id = id;
  m.person = g_strdup (person);
  m.identity_id = person != NULL ? identity_of (person) : -1;
  g_array_append_val (made, m);
  return id;
}

static const Made *
made_item (guint i)
{
  return &g_array_index (made, Made, i);
}

/* ---- the window --------------------------------------------------------------------- */

static AttestWindow *
new_window (AttestSettings *settings)
{
  AttestWindow *window = attest_window_new (NULL, settings);

  attest_window_set_vision (window, vision);
  attest_window_set_store (window, store);
  attest_window_set_matcher (window, matcher, names);
  attest_window_set_impostor_stats (window, &stats, stats_enough);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

typedef struct
{
  AttestWindow *window;
  gint64        item_id;
} ShowWait;

static AttestReviewPanel *
panel_of (AttestWindow *window)
{
  return attest_review_page_get_panel (_attest_window_get_review_page (window));
}

/* The panel shows the item, with the gallery faces of its chosen candidate. */
static gboolean
panel_shows (gpointer data)
{
  ShowWait *wait = data;
  AttestReviewPanel *panel = panel_of (wait->window);
  AttestReviewItem *item = attest_review_panel_get_item (panel);

  return item != NULL && item->id == wait->item_id &&
         attest_review_panel_get_n_gallery_faces (panel) > 0 &&
         g_strcmp0 (attest_review_page_get_state (_attest_window_get_review_page (wait->window)), "item") == 0;
}

static gboolean
panel_has_frames (gpointer data)
{
  return attest_review_panel_get_n_frames (data) > 0;
}

static gboolean
panel_has_item (gpointer data)
{
  return attest_review_panel_get_item (data) != NULL;
}

static void
wait_shows (AttestWindow *window,
            gint64        item_id)
{
  ShowWait wait = { window, item_id };

  g_assert_true (wait_for (panel_shows, &wait));
}

typedef struct
{
  gint64      item_id;
  const char *status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;
  g_autofree char *status = item_status (wait->item_id);

  return g_str_equal (status, wait->status);
}

static void
wait_status (gint64      item_id,
             const char *status)
{
  StatusWait wait = { item_id, status };

  g_assert_true (wait_for (status_is, &wait));
}

static gboolean
toast_contains (gpointer data)
{
  void **args = data;
  const char *toast = _attest_window_get_last_toast_title (args[0]);

  return toast != NULL && strstr (toast, args[1]) != NULL;
}

static void
wait_toast (AttestWindow *window,
            const char   *text)
{
  gpointer args[2] = { window, (gpointer) text };

  if (!wait_for (toast_contains, args))
    g_error ("no toast with “%s”; the last was “%s”", text, _attest_window_get_last_toast_title (window));
}

typedef struct
{
  GtkEditable *editable;
  const char  *text;
} TextWait;

static gboolean
text_is (gpointer data)
{
  TextWait *wait = data;

  return g_strcmp0 (gtk_editable_get_text (wait->editable), wait->text) == 0;
}

/* Typed key by key (xdotool) into the entry, which has the focus as after a click. */
static void
type_text (AttestWindow *window,
           GtkEditable  *editable,
           const char   *text)
{
  TextWait wait = { editable, text };

  gtk_widget_grab_focus (GTK_WIDGET (editable));
  gtk_editable_set_text (editable, "");
  if (use_xdotool)
    {
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
      g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
      const char *argv[] = { "xdotool", "windowfocus", "--sync", xid, "type", "--delay", "8",
                             "--clearmodifiers", text, NULL };
      g_autoptr (GError) error = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
  else
    gtk_editable_insert_text (editable, text, -1, &(int) { 0 });
  g_assert_true (wait_for (text_is, &wait));
  while (g_main_context_iteration (NULL, FALSE));
}

static void
show_review (AttestWindow *window)
{
  press (window, "alt+3", GDK_KEY_3, GDK_ALT_MASK);
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (window->view_stack), "review") != 0)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-review", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "review");
}

static guint
badge (AttestWindow *window)
{
  AdwViewStackPage *page = adw_view_stack_get_page (window->view_stack,
                                                    GTK_WIDGET (_attest_window_get_review_page (window)));

  return adw_view_stack_page_get_badge_number (page);
}


typedef struct
{
  AttestWindow *window;
  guint         n;
} BadgeWait;

static guint badge (AttestWindow *window);

static gboolean
badge_is (gpointer data)
{
  BadgeWait *wait = data;

  return badge (wait->window) == wait->n;
}

static void
wait_badge (AttestWindow *window,
            guint         n)
{
  BadgeWait wait = { window, n };

  if (!wait_for (badge_is, &wait))
    g_error ("badge %u, expected %u", badge (window), n);
}

static gboolean
page_done (gpointer data)
{
  return g_strcmp0 (attest_review_page_get_state (data), "done") == 0;
}

static gboolean
widget_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

static gboolean
is_sidebar (GtkWidget     *widget,
            gconstpointer  data)
{
  return gtk_widget_has_css_class (widget, "navigation-sidebar");
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_empty (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window = new_window (settings);
  AttestReviewPage *page = _attest_window_get_review_page (window);
  GtkWidget *status;

  show_review (window);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (attest_review_page_get_state (page), ==, "empty");
  status = find_widget (GTK_WIDGET (page), ADW_TYPE_STATUS_PAGE, NULL, NULL);
  g_assert_true (gtk_widget_get_mapped (status));
  g_assert_nonnull (find_widget (status, GTK_TYPE_LABEL, label_mapped_containing, "No Faces to Review"));
  g_assert_nonnull (find_widget (status, GTK_TYPE_LABEL, label_mapped_containing, "Scan a video"));
  g_assert_cmpuint (badge (window), ==, 0);
  render_window (window, "test-review-empty.png");

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* ---- toasts ------------------------------------------------------------------------- */

static GtkWidget *
shown_toast (AttestWindow *window)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (window->toast_overlay));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (gtk_widget_get_css_name (child), "toast") && gtk_widget_get_mapped (child))
      return child;
  return NULL;
}

static gboolean
toast_shown (gpointer data)
{
  return shown_toast (data) != NULL;
}

/* The toast on screen covers nothing of `bar` (the decisions, the video controls). */
static void
assert_toast_clear_of (AttestWindow *window,
                       GtkWidget    *bar)
{
  graphene_rect_t toast, under, overlap;
  GtkWidget *widget;

  g_assert_true (wait_for (toast_shown, window));
  /* The toast slides in: look once it is in place. */
  for (int i = 0; i < 40; i++)
    {
      while (g_main_context_iteration (NULL, FALSE));
      g_usleep (20000);
    }
  /* A newer toast may have replaced it meanwhile: whichever is on screen now. */
  g_assert_true (wait_for (toast_shown, window));
  widget = shown_toast (window);
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &toast));
  g_assert_true (gtk_widget_compute_bounds (bar, GTK_WIDGET (window), &under));
  g_test_message ("toast %.0fx%.0f at %.0f,%.0f; bar %.0fx%.0f at %.0f,%.0f", toast.size.width,
                  toast.size.height, toast.origin.x, toast.origin.y, under.size.width,
                  under.size.height, under.origin.x, under.origin.y);
  g_assert_false (graphene_rect_intersection (&toast, &under, &overlap) &&
                  overlap.size.width > 0.5 && overlap.size.height > 0.5);
}

/* A mapped label showing exactly `text`, not cut short. */
static gboolean
label_shows_whole (GtkWidget     *widget,
                   gconstpointer  text)
{
  return gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
         !pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget)));
}

static void
test_decide_with_keyboard (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window;
  AttestReviewPanel *panel;
  AttestReviewPage *page;
  const char *people[] = { "John_Salley", "John_Savage", "John_Schneider", "John_Shimkus" };
  const char *rationale = "Same ears, hairline and nose as the gallery photos";
  g_autofree char *status = NULL;
  gint64 audit_before;

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    add_item_for (people[i], sample_uri, sample_sha);

  attest_settings_set_reviewer_name (settings, "");
  attest_settings_set_blind_review (settings, FALSE);
  window = new_window (settings);
  panel = panel_of (window);
  page = _attest_window_get_review_page (window);

  /* The pending count is on the page switcher before the page is opened. */
  wait_badge (window, 4);

  show_review (window);
  wait_shows (window, made_item (0)->id);
  /* Each queued face names its video in full in the list, on a line of its own. */
  {
    GtkWidget *video = find_widget (GTK_WIDGET (_attest_window_get_review_page (window)),
                                    GTK_TYPE_LABEL, label_shows_whole, "attest-sample.mp4");

    g_assert_nonnull (video);
  }
  g_assert_cmpuint (attest_review_page_get_n_rows (page), ==, 4);
  g_assert_cmpstr (attest_review_page_get_row_status (page, 0), ==, "Pending");

  /* What the reviewer sees: the person asked about, the score with its meaning, the time. */
  {
    g_autofree char *title = g_strdup_printf ("Is This %s?", made_item (0)->person);

    g_assert_cmpstr (attest_review_panel_get_title_text (panel), ==, title);
  }
  g_assert_nonnull (strstr (attest_review_panel_get_score_text (panel), "(threshold 0.45)"));
  g_assert_true (g_str_has_prefix (attest_review_panel_get_score_text (panel), "Score 0."));
  g_assert_nonnull (strstr (attest_review_panel_get_fmr_text (panel), "false-match rate"));
  g_assert_nonnull (strstr (attest_review_panel_get_time_text (panel), ", on screen "));
  g_assert_null (attest_review_panel_get_source_note (panel));
  g_assert_cmpint (attest_review_panel_get_selected_identity (panel), ==, made_item (0)->identity_id);

  /* No reviewer name yet: asked for inline, and nothing can be decided. */
  g_assert_true (attest_review_panel_get_asks_name (panel));
  g_assert_false (gtk_widget_get_sensitive (button_for (window, "review.skip")));
  render_window (window, "test-review-name.png");
  type_text (window, attest_review_panel_get_name_entry (panel), REVIEWER);
  press (window, "Return", GDK_KEY_Return, 0);
  if (!use_xdotool)
    g_signal_emit_by_name (attest_review_panel_get_name_entry (panel), "apply");
  g_assert_cmpstr (attest_settings_get_reviewer_name (settings), ==, REVIEWER);
  g_assert_false (attest_review_panel_get_asks_name (panel));

  /* Confirm without a rationale is refused, and the hint says why. */
  attest_review_panel_focus_rationale (panel);
  audit_before = query_int ("SELECT count (*) FROM audit");
  g_assert_false (gtk_widget_get_sensitive (button_for (window, "review.confirm")));
  g_assert_nonnull (strstr (attest_review_panel_get_hint_text (panel), "rationale"));
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  type_text (window, attest_review_panel_get_rationale (panel), "   ");
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count (*) FROM audit"), ==, audit_before);
  status = item_status (made_item (0)->id);
  g_assert_cmpstr (status, ==, "pending");
  g_clear_pointer (&status, g_free);

  /* With a rationale, Ctrl+Return in the entry confirms: one match, audited, next item. */
  type_text (window, attest_review_panel_get_rationale (panel), rationale);
  g_assert_true (gtk_widget_get_sensitive (button_for (window, "review.confirm")));
  render_window (window, "test-review-item.png");
  g_assert_true (gtk_widget_has_focus (gtk_root_get_focus (GTK_ROOT (window))));
  g_assert_nonnull (gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (window)), ADW_TYPE_ENTRY_ROW));
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  wait_status (made_item (0)->id, "confirmed");
  wait_shows (window, made_item (1)->id);
  wait_toast (window, "Confirmed: ");
  g_assert_nonnull (strstr (_attest_window_get_last_toast_title (window), "(threshold 0.45)"));
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches"), ==, 1);
  g_assert_cmpint (query_intf ("SELECT count (*) FROM matches WHERE reviewer = '%s' AND rationale = '%s'"
                               " AND identity_id = %" G_GINT64_FORMAT " AND revoked_at IS NULL",
                               REVIEWER, rationale, made_item (0)->identity_id), ==, 1);
  g_assert_cmpint (query_intf ("SELECT count (*) FROM audit WHERE action = 'confirm' AND actor = '%s'"
                               " AND rationale = '%s' AND subject = 'item:%" G_GINT64_FORMAT "'",
                               REVIEWER, rationale, made_item (0)->id), ==, 1);
  /* The new item starts with an empty rationale: Confirm waits for one again. */
  g_assert_cmpstr (gtk_editable_get_text (attest_review_panel_get_rationale (panel)), ==, "");
  g_assert_false (gtk_widget_get_sensitive (button_for (window, "review.confirm")));
  wait_badge (window, 3);

  /* Ctrl+Z while typing the next rationale edits the text: the confirmation just recorded
   * stays, nothing is audited, the item on screen stays. */
  type_text (window, attest_review_panel_get_rationale (panel), "Same ears");
  audit_before = query_int ("SELECT count (*) FROM audit");
  press (window, "ctrl+z", GDK_KEY_z, GDK_CONTROL_MASK);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpint (query_int ("SELECT count (*) FROM audit"), ==, audit_before);
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches WHERE revoked_at IS NULL"), ==, 1);
  status = item_status (made_item (0)->id);
  g_assert_cmpstr (status, ==, "confirmed");
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (attest_review_panel_get_item (panel)->id, ==, made_item (1)->id);
  /* Typed key by key, the text's own undo takes the typing back. */
  if (use_xdotool)
    g_assert_cmpstr (gtk_editable_get_text (attest_review_panel_get_rationale (panel)), !=,
                     "Same ears");
  gtk_editable_set_text (attest_review_panel_get_rationale (panel), "");

  /* Reject (Alt+R): kept as negative evidence; the only candidate above the threshold, so
   * the item is rejected. */
  attest_review_panel_focus_rationale (panel);
  press (window, "alt+r", GDK_KEY_r, GDK_ALT_MASK);
  wait_shows (window, made_item (2)->id);
  wait_toast (window, "Rejected: ");
  g_assert_cmpint (query_intf ("SELECT count (*) FROM rejections WHERE identity_id = %" G_GINT64_FORMAT
                               " AND revoked_at IS NULL", made_item (1)->identity_id), ==, 1);
  {
    g_autoptr (GError) error = NULL;

    g_assert_true (attest_store_is_rejected (store, made_item (1)->id, made_item (1)->identity_id, &error));
    g_assert_no_error (error);
  }
  status = item_status (made_item (1)->id);
  g_assert_true (g_str_equal (status, "rejected") || g_str_equal (status, "pending"));
  g_clear_pointer (&status, g_free);
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches"), ==, 1);

  /* Skip (Alt+S) and Unsure (Alt+N): audited, the items stay open. */
  press (window, "alt+s", GDK_KEY_s, GDK_ALT_MASK);
  wait_status (made_item (2)->id, "skipped");
  wait_shows (window, made_item (3)->id);
  wait_toast (window, "Skipped");
  press (window, "alt+n", GDK_KEY_n, GDK_ALT_MASK);
  wait_status (made_item (3)->id, "unsure");
  wait_toast (window, "Marked unsure");
  g_assert_cmpint (query_intf ("SELECT count (*) FROM audit WHERE action = 'skip' AND actor = '%s'", REVIEWER), ==, 1);
  g_assert_cmpint (query_intf ("SELECT count (*) FROM audit WHERE action = 'unsure' AND actor = '%s'", REVIEWER), ==, 1);
  /* Nothing pending is left: the page says so and the queue shows each status. */
  g_assert_true (wait_for (page_done, page));
  g_assert_cmpuint (badge (window), ==, 0);
  /* Not "all reviewed": two faces are set aside, undecided, and the page says so. */
  g_assert_cmpstr (_attest_review_page_get_done_title (page), ==, "2 Faces Set Aside");
  g_assert_cmpstr (_attest_review_page_get_count_text (page), ==, "0 Faces to Review, 2 Set Aside");
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    g_test_message ("row %u: item %" G_GINT64_FORMAT " %s", i, attest_review_page_get_row_item (page, i),
                    attest_review_page_get_row_status (page, i));
  render_window (window, "test-review-done.png");

  /* Undo: Ctrl+Z with no text field focused, then Alt+U (which works from the rationale
   * too), four times in all: each a new "undo" entry; nothing is deleted. */
  gtk_root_set_focus (GTK_ROOT (window), NULL);
  press (window, "ctrl+z", GDK_KEY_z, GDK_CONTROL_MASK);
  wait_toast (window, "Undone: “unsure”");
  wait_status (made_item (3)->id, "pending");
  wait_shows (window, made_item (3)->id);
  attest_review_panel_focus_rationale (panel);
  press (window, "alt+u", GDK_KEY_u, GDK_ALT_MASK);
  wait_toast (window, "Undone: skip");
  wait_status (made_item (2)->id, "pending");
  press (window, "alt+u", GDK_KEY_u, GDK_ALT_MASK);
  wait_toast (window, "Undone: rejection of");
  wait_status (made_item (1)->id, "pending");
  g_assert_cmpint (query_int ("SELECT count (*) FROM rejections WHERE revoked_at IS NOT NULL"), ==, 1);
  press (window, "alt+u", GDK_KEY_u, GDK_ALT_MASK);
  wait_toast (window, "Undone: confirmation of");
  wait_status (made_item (0)->id, "pending");
  wait_shows (window, made_item (0)->id);
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches WHERE revoked_at IS NOT NULL"), ==, 1);
  g_assert_cmpint (query_intf ("SELECT count (*) FROM audit WHERE action = 'undo' AND actor = '%s'", REVIEWER), ==, 4);
  wait_badge (window, 4);

  /* Nothing more of this session to undo: the store's refusal is a toast. */
  {
    guint64 n = 0;
    gint64 bad = -1;
    g_autoptr (GError) error = NULL;

    g_assert_true (attest_store_verify_audit (store, &n, &bad, &error));
    g_assert_no_error (error);
  }

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static void
test_blind_review (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window;
  AttestReviewPanel *panel;
  GtkWidget *listbox;
  GtkListBoxRow *row = NULL;
  AttestReviewPage *page;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  attest_settings_set_blind_review (settings, TRUE);
  window = new_window (settings);
  panel = panel_of (window);
  page = _attest_window_get_review_page (window);
  show_review (window);
  wait_shows (window, made_item (0)->id);

  /* Hidden: no number anywhere on the page until the decision. */
  g_assert_cmpstr (attest_review_panel_get_score_text (panel), ==, "Score hidden until you decide (blind review)");
  g_assert_false (attest_review_panel_get_score_visible (panel));
  g_assert_null (find_widget (GTK_WIDGET (page), GTK_TYPE_LABEL, label_mapped_containing, "(threshold 0.45)"));
  render_window (window, "test-review-blind.png");

  type_text (window, attest_review_panel_get_rationale (panel), "Same face shape and eyebrows");
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  wait_status (made_item (0)->id, "confirmed");
  /* Decided: the toast now states the score and the threshold. */
  wait_toast (window, "Confirmed: ");
  g_assert_nonnull (strstr (_attest_window_get_last_toast_title (window), "score 0."));
  g_assert_nonnull (strstr (_attest_window_get_last_toast_title (window), "(threshold 0.45)"));
  wait_shows (window, made_item (1)->id);
  g_assert_false (attest_review_panel_get_score_visible (panel));

  /* The decided item, picked in the queue, shows its score. */
  listbox = find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_BOX,
                         is_sidebar, NULL);
  g_assert_nonnull (listbox);
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    if (attest_review_page_get_row_item (page, i) == made_item (0)->id)
      row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), (int) i);
  g_assert_nonnull (row);
  g_signal_emit_by_name (listbox, "row-activated", row);
  wait_shows (window, made_item (0)->id);
  g_assert_true (attest_review_panel_get_score_visible (panel));
  g_assert_true (g_str_has_prefix (attest_review_panel_get_score_text (panel), "Score 0."));

  /* The preference is a switch in Preferences, on as set. */
  {
    GtkWidget *preferences = attest_preferences_window_new (GTK_WINDOW (window), settings);
    GtkWidget *sw = find_widget (preferences, GTK_TYPE_SWITCH, NULL, NULL);

    g_assert_nonnull (sw);
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (sw)));
    gtk_switch_set_active (GTK_SWITCH (sw), FALSE);
    g_assert_false (attest_settings_get_blind_review (settings));
    gtk_window_destroy (GTK_WINDOW (preferences));
  }
  destroy_and_check_finalized (GTK_WINDOW (window));
}

static gboolean
source_note_shown (gpointer data)
{
  return attest_review_panel_get_source_note (data) != NULL;
}

static void
test_missing_source (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *copy = g_build_filename (tmp_dir, "moved-away.mp4", NULL);
  g_autoptr (GFile) copy_file = g_file_new_for_path (copy);
  g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  g_autofree char *copy_uri = g_file_get_uri (copy_file);
  AttestWindow *window;
  AttestReviewPanel *panel;
  AttestReviewPage *page;
  GtkWidget *listbox;
  GtkListBoxRow *row = NULL;
  g_autofree char *edited_uri = NULL;
  gint64 edited_item;

  /* Scanned from a copy that has since been deleted. */
  g_assert_true (g_file_copy (sample, copy_file, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  missing_item = add_item_for ("John_Simm", copy_uri, sample_sha);
  g_assert_cmpint (g_unlink (copy), ==, 0);
  /* And one whose file is there with other contents. */
  {
    g_autofree char *edited = g_build_filename (tmp_dir, "edited.mp4", NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (g_getenv ("ATTEST_SAMPLE_VIDEO"), &contents, &length, &error));
    contents[length / 2] ^= 0x5a;
    g_assert_true (g_file_set_contents (edited, contents, length, &error));
    edited_uri = g_filename_to_uri (edited, NULL, &error);
    g_assert_no_error (error);
    edited_item = add_item_for ("John_Schneider", edited_uri, sample_sha);
  }

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  panel = panel_of (window);
  page = _attest_window_get_review_page (window);
  show_review (window);
  /* The sample's own items show no note and can be played. */
  wait_shows (window, made_item (1)->id);
  g_assert_null (attest_review_panel_get_source_note (panel));
  g_assert_true (wait_for (widget_sensitive, button_for (window, "review.play")));

  listbox = find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_BOX,
                         is_sidebar, NULL);
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    if (attest_review_page_get_row_item (page, i) == missing_item)
      row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), (int) i);
  g_assert_nonnull (row);
  g_signal_emit_by_name (listbox, "row-activated", row);
  wait_shows (window, missing_item);
  g_assert_true (wait_for (source_note_shown, panel));
  g_assert_nonnull (strstr (attest_review_panel_get_source_note (panel), "missing"));
  g_assert_nonnull (find_widget (GTK_WIDGET (page), GTK_TYPE_LABEL, label_mapped_containing, "is missing"));
  g_assert_false (gtk_widget_get_sensitive (button_for (window, "review.play")));
  render_window (window, "test-review-missing.png");

  /* The edited file: there, but not what was analysed. */
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    if (attest_review_page_get_row_item (page, i) == edited_item)
      g_signal_emit_by_name (listbox, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), (int) i));
  wait_shows (window, edited_item);
  g_assert_true (wait_for (source_note_shown, panel));
  g_assert_nonnull (strstr (attest_review_panel_get_source_note (panel), "has changed"));
  g_assert_false (gtk_widget_get_sensitive (button_for (window, "review.play")));

  /* Back to the missing one. Reviewing goes on from the stored crop. */
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    if (attest_review_page_get_row_item (page, i) == missing_item)
      g_signal_emit_by_name (listbox, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), (int) i));
  wait_shows (window, missing_item);
  g_assert_true (wait_for (source_note_shown, panel));
  type_text (window, attest_review_panel_get_rationale (panel), "Same person as the gallery photos");
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  wait_status (missing_item, "confirmed");

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* Play This Moment opens the source on the Video page at the start of the moment. */
static gboolean
playing_near (gpointer data)
{
  AttestWindow *window = data;
  AttestPipeline *pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));

  AttestReviewItem *item = attest_review_panel_get_item (panel_of (window));
  GstClockTime position;

  if (pipeline == NULL || attest_video_page_get_opening (_attest_window_get_video_page (window)) || item == NULL ||
      !attest_pipeline_get_playing (pipeline))
    return FALSE;
  position = attest_pipeline_get_position (pipeline);
  return GST_CLOCK_TIME_IS_VALID (position) && position / GST_MSECOND + 1 >= (guint64) item->start_ms;
}

static void
test_play_moment (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  show_review (window);
  wait_shows (window, made_item (1)->id);
  g_assert_true (wait_for (widget_sensitive, button_for (window, "review.play")));
  g_assert_null (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));

  press (window, "alt+p", GDK_KEY_p, GDK_ALT_MASK);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "video");
  g_assert_true (wait_for (playing_near, window));
  g_test_message ("playing at %" G_GUINT64_FORMAT " ms for a moment starting at %" G_GINT64_FORMAT " ms",
                  attest_pipeline_get_position (_attest_video_page_get_pipeline (_attest_window_get_video_page (window))) / GST_MSECOND,
                  attest_review_panel_get_item (panel_of (window))->start_ms);
  /* Playing the moment decides nothing. */
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches WHERE revoked_at IS NULL"), ==, 2);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static gboolean
not_scanning (gpointer data)
{
  return !attest_review_page_get_scanning (_attest_window_get_review_page (data));
}

typedef struct
{
  AttestReviewPage *page;
  guint             n;
} RowsWait;

static gboolean
more_rows (gpointer data)
{
  RowsWait *wait = data;

  return attest_review_page_get_n_rows (wait->page) > wait->n;
}

static gboolean
wait_long (Condition cond,
           gpointer  data)
{
  /* A whole scan of the sample on a shared machine: minutes at worst, not a timing test. */
  for (int i = 0; i < 4; i++)
    if (wait_for (cond, data))
      return TRUE;
  return FALSE;
}

/* win.scan-video on the video on screen: progress, items joining the queue, cancel, resume. */
static void
test_scan (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  AttestWindow *window;
  AttestReviewPage *page;
  AttestReviewPanel *panel;
  GtkWidget *listbox;
  gint64 matches_before = query_int ("SELECT count (*) FROM matches");
  guint rows_before, rows_stopped;
  RowsWait rows;
  gint64 scanned = -1;
  const char *toast;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  page = _attest_window_get_review_page (window);
  panel = panel_of (window);
  attest_window_open_file (window, sample);
  g_assert_true (wait_for (window_done_opening, window));
  g_assert_nonnull (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));
  show_review (window);
  wait_shows (window, made_item (1)->id);
  rows_before = attest_review_page_get_n_rows (page);

  /* The page's Scan… button asks for a file (win.scan); the menu's Scan This Video
   * (win.scan-video) takes the one on screen, as here. */
  g_assert_true (gtk_widget_get_visible (button_for (window, "win.scan")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.scan-video", NULL));
  g_assert_true (attest_review_page_get_scanning (_attest_window_get_review_page (window)));
  g_assert_false (attest_pipeline_get_playing (_attest_video_page_get_pipeline (_attest_window_get_video_page (window))));
  g_assert_nonnull (attest_review_page_get_scan_text (page));
  g_assert_nonnull (strstr (attest_review_page_get_scan_text (page), "Scanning “attest-sample.mp4”"));

  /* Items join the queue while the scan goes on; the item on screen stays. */
  rows = (RowsWait) { page, rows_before };
  g_assert_true (wait_long (more_rows, &rows));
  g_assert_cmpint (attest_review_panel_get_item (panel)->id, ==, made_item (1)->id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->review_page), "scan.cancel", NULL));
  g_assert_true (wait_for (not_scanning, window));
  g_assert_null (attest_review_page_get_scan_text (page));
  wait_toast (window, "Scan ");
  toast = _attest_window_get_last_toast_title (window);
  g_test_message ("after cancel: %s", toast);
  if (strstr (toast, "finished") == NULL)
    {
      g_assert_true (g_str_has_prefix (toast, "Scan stopped at "));
      g_assert_nonnull (strstr (toast, "scanning again resumes there"));
    }
  rows_stopped = attest_review_page_get_n_rows (page);

  /* Again: it resumes and finishes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.scan-video", NULL));
  g_assert_true (wait_long (not_scanning, window));
  wait_toast (window, "Scan of “attest-sample.mp4” finished");
  g_test_message ("%s; %u items before the scan, %u when stopped, %u now", _attest_window_get_last_toast_title (window),
                  rows_before, rows_stopped, attest_review_page_get_n_rows (page));
  {
    g_autoptr (AttestScanProgress) progress = attest_store_get_scan_progress (store, sample_sha, NULL);

    g_assert_nonnull (progress);
    g_assert_true (progress->completed);
    scanned = progress->scanned_to_ms;
  }
  g_assert_cmpint (scanned, >, 30000);
  /* Scanning proposes; it never writes a match. */
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches"), ==, matches_before);

  /* A scanned item, picked in the queue, shows more frames of its track. */
  listbox = find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_BOX, is_sidebar, NULL);
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    {
      gint64 id = attest_review_page_get_row_item (page, i);
      gboolean ours = id == missing_item;

      for (guint j = 0; j < made->len; j++)
        ours = ours || made_item (j)->id == id;
      if (ours)
        continue;
      g_signal_emit_by_name (listbox, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), (int) i));
      wait_shows (window, id);
      break;
    }
  /* The frames come with the item's own read (a reload may read it again meanwhile). */
  g_assert_true (wait_for (panel_has_frames, panel));
  render_window (window, "test-review-scanned.png");

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* A decision the store refuses (another reviewer decided the item meanwhile) is a toast;
 * nothing is written and the queue moves on. */
static void
test_refusal_is_a_toast (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GError) error = NULL;
  AttestWindow *window;
  AttestReviewPanel *panel;
  gint64 item, matches, audit, next;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  panel = panel_of (window);
  show_review (window);
  wait_shows (window, made_item (1)->id);
  item = made_item (1)->id;
  g_assert_cmpint (attest_store_confirm_review_item (store, item, made_item (1)->identity_id, "Other Reviewer",
                                                     "Decided in another window", &error), >, 0);
  g_assert_no_error (error);
  matches = query_int ("SELECT count (*) FROM matches");
  audit = query_int ("SELECT count (*) FROM audit");

  type_text (window, attest_review_panel_get_rationale (panel), "Looks like him");
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  {
    g_autofree char *text = g_strdup_printf ("Review item %" G_GINT64_FORMAT " is already confirmed", item);

    wait_toast (window, text);
  }
  g_assert_cmpint (query_int ("SELECT count (*) FROM matches"), ==, matches);
  g_assert_cmpint (query_int ("SELECT count (*) FROM audit"), ==, audit);
  /* The queue was read again: the next pending item is up. */
  next = made_item (2)->id;
  wait_shows (window, next);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* A face nobody in the gallery reaches the threshold for, sent to review: its candidates are
 * shown below the threshold, each score with it. */
static void
test_no_match_item (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autofree char *photo = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "faces", "Tom_Cruise_avp_2014_4.jpg", NULL);
  AttestWindow *window;
  AttestReviewPanel *panel;
  AttestReviewPage *page;
  GtkWidget *listbox;
  gint64 item;

  item = add_item_from (NULL, photo, sample_uri, sample_sha);
  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  panel = panel_of (window);
  page = _attest_window_get_review_page (window);
  show_review (window);
  g_assert_true (wait_for (panel_has_item, panel));
  listbox = find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_BOX, is_sidebar, NULL);
  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    if (attest_review_page_get_row_item (page, i) == item)
      g_signal_emit_by_name (listbox, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), (int) i));
  wait_shows (window, item);
  g_assert_nonnull (strstr (attest_review_panel_get_score_text (panel), ", below the threshold"));
  g_assert_nonnull (strstr (attest_review_panel_get_score_text (panel), "(threshold 0.45)"));
  g_assert_nonnull (find_widget (GTK_WIDGET (page), GTK_TYPE_LABEL, label_mapped_containing, "below the threshold"));
  render_window (window, "test-review-below-threshold.png");
  /* Skipped, so the tests after this see the queue as before. */
  press (window, "alt+s", GDK_KEY_s, GDK_ALT_MASK);
  wait_status (item, "skipped");

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* A toast stays above the page's bottom bar: on the Review page the rationale and the
 * decision buttons, on the Video page the playback controls. */
static void
test_toast_clear_of_controls (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  AttestWindow *window;
  AttestReviewPanel *panel;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  show_review (window);
  panel = panel_of (window);
  g_assert_true (wait_for (panel_has_item, panel));
  attest_window_show_toast (window, "A message while reviewing");
  assert_toast_clear_of (window, attest_review_panel_get_decision_area (panel));
  destroy_and_check_finalized (GTK_WINDOW (window));

  window = new_window (settings);
  attest_window_open_file (window, sample);
  g_assert_true (wait_for (window_done_opening, window));
  adw_view_stack_set_visible_child_name (window->view_stack, "video");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  attest_window_show_toast (window, "A message about the video");
  assert_toast_clear_of (window, attest_video_page_get_controls (window->video_page));
  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* From the queue, Tab reaches the rationale in at most five presses: the queue and each row
 * of faces are one stop each (arrows move within them). */
static void
test_tab_to_rationale (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window;
  AttestReviewPanel *panel;
  GtkWidget *rationale;
  GtkWidget *queue;
  guint presses = 0;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  show_review (window);
  panel = panel_of (window);
  g_assert_true (wait_for (panel_has_item, panel));
  rationale = GTK_WIDGET (attest_review_panel_get_rationale (panel));
  queue = find_widget (GTK_WIDGET (_attest_window_get_review_page (window)), GTK_TYPE_LIST_BOX,
                       is_sidebar, NULL);
  g_assert_true (gtk_widget_child_focus (queue, GTK_DIR_TAB_FORWARD));
  for (;;)
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

      g_test_message ("after %u Tab: %s in %s", presses,
                      focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing",
                      focus != NULL && gtk_widget_get_parent (focus) != NULL
                      ? G_OBJECT_TYPE_NAME (gtk_widget_get_parent (focus)) : "-");
      if (focus != NULL && (focus == rationale || gtk_widget_is_ancestor (focus, rationale)))
        break;
      g_assert_cmpuint (presses, <, 5);
      press (window, "Tab", GDK_KEY_Tab, 0);
      presses++;
    }
  g_test_message ("the rationale after %u Tab presses", presses);
  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* A reviewer who types the next reason at once, before the next face has come up, loses
 * none of it: the next item starts with what was typed after the decision. */
static AttestReviewPanel *typing_panel;

/* The panel shows an item other than *data (an item id). */
static gboolean
panel_shows_other (gpointer data)
{
  AttestReviewItem *item = attest_review_panel_get_item (typing_panel);

  return item != NULL && item->id != *(gint64 *) data;
}

static void
test_typing_on_after_decision (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window;
  AttestReviewPanel *panel;
  GtkEditable *rationale;
  gint64 first;
  int position;

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  show_review (window);
  panel = panel_of (window);
  typing_panel = panel;
  g_assert_true (wait_for (panel_has_item, panel));
  first = attest_review_panel_get_item (panel)->id;
  rationale = attest_review_panel_get_rationale (panel);
  gtk_editable_set_text (rationale, "Skipped for now");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "review.skip", NULL));
  /* Typed on at once, while the decided face is still on screen. */
  position = -1;
  gtk_editable_insert_text (rationale, " Same scar over the eyebrow", -1, &position);
  g_assert_true (wait_for (panel_shows_other, &first));
  g_assert_cmpstr (gtk_editable_get_text (rationale), ==, " Same scar over the eyebrow");
  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* ---- a screen reader's view ---------------------------------------------------------- */

static gboolean
has_label_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label_text (child))
      return TRUE;
  return FALSE;
}

/* Whether a screen reader has a name to say for this control: an accessible label or
 * labelled-by relation (its own, or its entry's), text inside it, or the title of the row it
 * sits in. */
static gboolean
control_named (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW);

  for (GtkWidget *w = widget; w != NULL;
       w = GTK_IS_TEXT (widget) && w == widget ? gtk_widget_get_parent (w) : NULL)
    if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
        gtk_test_accessible_has_relation (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
      return TRUE;
  if (!GTK_IS_TEXT (widget) && has_label_text (widget))
    return TRUE;
  return row != NULL && *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) != '\0';
}

static gboolean
is_control (GtkWidget *widget)
{
  /* A scroll bar's insides are not named controls. */
  if (gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLBAR) != NULL)
    return FALSE;
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_RANGE (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_TEXT (widget);
}

static void
collect_unnamed (GtkWidget *widget,
                 GString   *unnamed,
                 guint     *n_controls)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (is_control (widget))
    {
      (*n_controls)++;
      if (!control_named (widget))
        {
          const char *tip = gtk_widget_get_tooltip_text (widget);

          g_string_append_printf (unnamed, "\n  %s%s%s", G_OBJECT_TYPE_NAME (widget),
                                  tip != NULL ? " tooltip " : "", tip != NULL ? tip : "");
        }
      /* A button's own insides (its icon, its label) are not controls. */
      if (!GTK_IS_TEXT (widget))
        return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, unnamed, n_controls);
}

static gboolean
has_items (gpointer data)
{
  return g_list_model_get_n_items (data) > 0;
}

/* Every control on every page, as a screen reader finds it, has a name. */
static void
test_accessible_names (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  const char *pages[] = { "video", "review", "gallery", "audit" };
  AttestWindow *window;
  g_autoptr (GString) unnamed = g_string_new (NULL);

  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  attest_window_open_file (window, sample);
  g_assert_true (wait_for (window_done_opening, window));

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      guint n_controls = 0;
      gsize before = unnamed->len;

      adw_view_stack_set_visible_child_name (window->view_stack, pages[i]);
      if (g_str_equal (pages[i], "gallery"))
        {
          GListModel *people = _attest_gallery_page_get_identities (window->gallery_page);

          g_assert_true (wait_for (has_items, people));
          g_autoptr (AttestIdentity) first = g_list_model_get_item (people, 0);

          /* A person's faces too, with their delete buttons. */
          g_assert_true (_attest_gallery_page_select (window->gallery_page,
                                                      attest_identity_get_id (first)));
          g_assert_true (wait_for (has_items,
                                   _attest_gallery_page_get_faces (window->gallery_page)));
        }
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      while (g_main_context_iteration (NULL, FALSE));
      collect_unnamed (GTK_WIDGET (window), unnamed, &n_controls);
      g_test_message ("page %s: %u controls, %s", pages[i], n_controls,
                      unnamed->len == before ? "all named" : unnamed->str + before);
      g_assert_cmpuint (n_controls, >, 0);
    }
  if (unnamed->len > 0)
    g_error ("controls without a name for a screen reader:%s", unnamed->str);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* ---- a network camera, watched, recorded and reviewed ---- */

static gboolean
live_boxes (gpointer data)
{
  AttestWindow *window = data;

  return attest_video_view_get_visible_faces (
           _attest_video_page_get_video_view (_attest_window_get_video_page (window))) > 0;
}

typedef struct
{
  AttestWindow *window;
  const char   *folder;
  gint64        item_id;   /* out: an item from the recording */
} LiveWait;

static GFile *
sample_file (void)
{
  static GFile *file;

  if (file == NULL)
    file = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  return file;
}

/* Not recording any more, and every segment scanned. */
static gboolean
recording_over (gpointer data)
{
  AttestWindow *window = data;

  return _attest_video_page_get_recording_text (_attest_window_get_video_page (window)) == NULL &&
         !attest_review_page_get_scanning (_attest_window_get_review_page (window));
}

/* An item queued from a file in the recordings folder (earlier tests' items are there too). */
static gboolean
queue_has_live_item (gpointer data)
{
  LiveWait *wait = data;
  AttestReviewPage *page = _attest_window_get_review_page (wait->window);
  g_autofree char *prefix = g_filename_to_uri (wait->folder, NULL, NULL);

  for (guint i = 0; i < attest_review_page_get_n_rows (page); i++)
    {
      g_autoptr (AttestReviewItem) item =
        attest_store_get_review_item (store, attest_review_page_get_row_item (page, i), NULL);

      if (item != NULL && item->source_uri != NULL &&
          g_str_has_prefix (item->source_uri, prefix) && g_strcmp0 (item->status, "pending") == 0)
        {
          wait->item_id = item->id;
          return TRUE;
        }
    }
  return FALSE;
}

/* A camera on 127.0.0.1 (gst-rtsp-server streaming the sample's own H.264): watched in the
 * window with faces boxed and a recording indicator; its first closed segment is scanned into
 * the queue; a face in it is confirmed through the review panel; the match names the segment,
 * whose SHA-256 is the file's on disk. */
static void
test_network_camera (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GstRTSPServer) server = gst_rtsp_server_new ();
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autofree char *launch = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *folder = g_dir_make_tmp ("attest-live-XXXXXX", NULL);
  g_autofree char *segment = NULL;
  g_autofree char *segment_sha = NULL;
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new ();
  AttestWindow *window;
  AttestVideoPage *video;
  gint64 item_id;
  guint server_id;

  launch = g_strdup_printf ("( filesrc location=\"%s\" ! qtdemux ! h264parse ! rtph264pay "
                            "name=pay0 pt=96 config-interval=1 )", g_getenv ("ATTEST_SAMPLE_VIDEO"));
  gst_rtsp_media_factory_set_launch (factory, launch);
  /* The window watches and records over two connections: each gets its own stream, as from a
   * camera (one media shared by clients that connect at once can stall the second). */
  gst_rtsp_media_factory_set_shared (factory, FALSE);
  gst_rtsp_server_set_address (server, "127.0.0.1");
  gst_rtsp_server_set_service (server, "0");
  mounts = gst_rtsp_server_get_mount_points (server);
  gst_rtsp_mount_points_add_factory (mounts, "/lobby", factory);
  server_id = gst_rtsp_server_attach (server, NULL);
  uri = g_strdup_printf ("rtsp://127.0.0.1:%d/lobby", gst_rtsp_server_get_bound_port (server));

  attest_settings_set_reviewer_name (settings, REVIEWER);
  attest_settings_set_blind_review (settings, FALSE);
  window = new_window (settings);
  video = _attest_window_get_video_page (window);
  attest_video_page_set_segment_length (video, 3 * GST_SECOND);
  g_assert_true (attest_video_page_open_stream (video, uri, NULL, NULL, folder, &error));
  g_assert_no_error (error);

  /* Live: boxes on the faces, and the recording said. */
  if (!wait_for (live_boxes, window))
    g_error ("no boxes on the live picture (last toast: %s)",
             _attest_window_get_last_toast_title (window));
  g_test_message ("recording indicator: %s (last toast: %s)",
                  _attest_video_page_get_recording_text (video),
                  _attest_window_get_last_toast_title (window));
  g_assert_true (g_str_has_prefix (_attest_video_page_get_recording_text (video), "● Recording"));
  render_window (window, "test-review-live.png");

  /* The first segment, once closed, is scanned: its faces wait for review. */
  {
    LiveWait wait = { window, folder, -1 };

    g_assert_true (wait_for (queue_has_live_item, &wait));
    item_id = wait.item_id;
  }
  {
    g_autoptr (AttestReviewItem) item = attest_store_get_review_item (store, item_id, &error);
    g_autoptr (GFile) file = NULL;

    g_assert_no_error (error);
    file = g_file_new_for_uri (item->source_uri);
    segment = g_file_get_path (file);
    g_test_message ("queued from the recording: %s", segment);
    g_assert_true (g_str_has_prefix (segment, folder));
    segment_sha = attest_file_sha256 (file, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (item->source_sha256, ==, segment_sha);
  }

  /* Reviewed like any file: confirmed through the panel, against the segment. */
  show_review (window);
  /* The reviewer picks it in the queue (earlier tests' items are listed too). */
  _attest_review_page_item_activated (_attest_window_get_review_page (window), item_id);
  wait_shows (window, item_id);
  render_window (window, "test-review-live-item.png");
  type_text (window, attest_review_panel_get_rationale (panel_of (window)),
             "Same face as the gallery photos, seen live at the lobby");
  press (window, "ctrl+Return", GDK_KEY_Return, GDK_CONTROL_MASK);
  wait_status (item_id, "confirmed");
  g_assert_cmpint (query_intf ("SELECT count (*) FROM matches m JOIN sources s ON s.id = m.source_id"
                               " WHERE s.sha256 = '%s' AND m.revoked_at IS NULL", segment_sha), ==, 1);

  /* Another video on screen ends the recording: its last segment is closed and scanned. */
  attest_window_open_file (window, sample_file ());
  g_assert_true (wait_for (recording_over, window));
  g_assert_null (_attest_video_page_get_recording_text (video));
  destroy_and_check_finalized (GTK_WINDOW (window));
  g_source_remove (server_id);
  remove_tree (folder);
}

/* A scan while a video plays: the live analysis and the scan share the face models. */
static gboolean
scan_done (gpointer data)
{
  return !attest_review_page_get_scanning (_attest_window_get_review_page (data));
}

static void
test_scan_while_playing (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  g_autofree char *folder = g_dir_make_tmp ("attest-scanplay-XXXXXX", NULL);
  g_autofree char *copy_path = g_build_filename (folder, "copy.mp4", NULL);
  g_autoptr (GFile) copy = g_file_new_for_path (copy_path);
  AttestWindow *window;

  g_assert_true (g_file_copy (sample, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, NULL));
  attest_settings_set_reviewer_name (settings, REVIEWER);
  window = new_window (settings);
  attest_window_open_file (window, sample);
  g_assert_true (wait_for (window_done_opening, window));
  attest_pipeline_play (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));
  attest_review_page_scan_file (_attest_window_get_review_page (window), copy);
  g_assert_true (attest_review_page_get_scanning (_attest_window_get_review_page (window)));
  g_assert_true (wait_for (scan_done, window));
  destroy_and_check_finalized (GTK_WINDOW (window));
  remove_tree (folder);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  int result;

  /* Accessible properties kept where the tests can read them (GTK's test backend), not
   * dropped (none) nor sent over D-Bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!ui_test_init (&argc, &argv))
    return 0;
  {
    /* What AdwApplication loads for the app. */
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  use_xdotool = xdotool != NULL && GDK_IS_X11_DISPLAY (gdk_display_get_default ()) &&
                g_getenv ("ATTEST_TEST_NO_XDOTOOL") == NULL;
  g_test_message ("keys: %s", use_xdotool ? "real key presses (xdotool, XTEST)" : "the window's shortcut controllers");

  vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
  g_assert_no_error (error);
  build_gallery ();

  g_test_add_func ("/review-ui/empty", test_empty);
  g_test_add_func ("/review-ui/decide-with-keyboard", test_decide_with_keyboard);
  g_test_add_func ("/review-ui/blind-review", test_blind_review);
  g_test_add_func ("/review-ui/missing-source", test_missing_source);
  g_test_add_func ("/review-ui/play-moment", test_play_moment);
  g_test_add_func ("/review-ui/scan", test_scan);
  g_test_add_func ("/review-ui/refusal-is-a-toast", test_refusal_is_a_toast);
  g_test_add_func ("/review-ui/no-match-item", test_no_match_item);
  g_test_add_func ("/review-ui/accessible-names", test_accessible_names);
  g_test_add_func ("/review-ui/network-camera", test_network_camera);
  g_test_add_func ("/review-ui/scan-while-playing", test_scan_while_playing);
  g_test_add_func ("/review-ui/tab-to-rationale", test_tab_to_rationale);
  g_test_add_func ("/review-ui/typing-on-after-decision", test_typing_on_after_decision);
  g_test_add_func ("/review-ui/toast-clear-of-controls", test_toast_clear_of_controls);

  result = g_test_run ();

  g_clear_pointer (&matcher, attest_matcher_unref);
  g_clear_pointer (&names, g_hash_table_unref);
  g_clear_object (&store);
  g_clear_pointer (&sample_truth, sample_truth_free);
  for (guint i = 0; made != NULL && i < made->len; i++)
    g_free (g_array_index (made, Made, i).person);
  g_clear_pointer (&made, g_array_unref);
  if (tmp_dir != NULL)
    {
      remove_gallery_db_dir (tmp_dir);
      g_free (tmp_dir);
    }
  g_free (sample_uri);
  g_free (sample_sha);
  g_clear_pointer (&vision, attest_vision_free);
  return result;
}
