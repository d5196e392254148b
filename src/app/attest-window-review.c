/* attest-window-review.c: the window's Review page: reads the queue from the store, shows
 * one item at a time in the review panel, records the reviewer's decisions through the
 * store's writer thread (attest-review-async.h), says what happened in a toast, and brings
 * the next pending item up at once. "Play This Moment" opens the source on the Video page.
 *
 * Nothing here decides: every decision is the reviewer's, made with the panel's actions. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "app/attest-application.h"
#include "review/attest-scanner.h"
#include "store/attest-store-scan.h"
#include "widgets/attest-match-text.h"
#include "attest-window-private.h"

struct _AttestWindowReview
{
  GPtrArray    *items;           /* the queue as shown, AttestReviewItem* */
  gint64        current;         /* the item in the panel, -1: none */
  gint64        want;            /* show this item after the next reload (-1: the next pending) */
  GCancellable *cancellable;     /* reads; cancelled on dispose */
  guint         generation;      /* drops answers to reads that were superseded */
  GHashTable   *source_states;   /* "uri\nsha256" -> AttestReviewSourceState (checked contents) */
  GPtrArray    *undo_texts;      /* what each decision of this session was, newest last */
  GArray       *undo_items;      /* ... and its item */
  char         *seek_uri;        /* Play This Moment waits for this file to open */
  gint64        seek_ms;
  guint         seek_idle;
  guint         reload_idle;     /* a coalesced reload of the queue is due */

  /* A scan (win.scan) */
  AttestScanner        *scanner;
  GCancellable         *scan_cancellable;
  GFile                *scan_file;
  char                 *scan_name;
  guint                 scan_added;
  GtkFileChooserNative *scan_chooser;
};

typedef struct
{
  AttestWindow         *window;
  AttestReviewDecision  decision;
  gint64                item_id;
  char                 *toast;
  char                 *undo_text;
  guint                 generation;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->window);
  g_free (request->toast);
  g_free (request->undo_text);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/* read: a read of the queue, which supersedes the reads before it. */
static Request *
request_new (AttestWindow *self,
             gboolean      read)
{
  Request *request = g_new0 (Request, 1);

  request->window = g_object_ref (self);
  if (read)
    self->review->generation++;
  request->generation = self->review->generation;
  return request;
}

/* The window was disposed, or a newer read superseded this one. */
static gboolean
request_stale (Request *request)
{
  AttestWindowReview *review = request->window->review;

  return review == NULL || review->generation != request->generation;
}

static AttestStore *
get_store (AttestWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->store != NULL)
    return self->store;
  if (ATTEST_IS_APPLICATION (app))
    return attest_application_get_store (ATTEST_APPLICATION (app));
  return NULL;
}

static AttestReviewPanel *
get_panel (AttestWindow *self)
{
  return attest_review_page_get_panel (self->review_page);
}

static void
ensure_set_up (AttestWindow *self)
{
  AttestReviewPanel *panel = get_panel (self);

  attest_review_panel_set_store (panel, get_store (self));
}

static int
status_rank (const char *status)
{
  if (g_strcmp0 (status, "pending") == 0)
    return 0;
  if (g_strcmp0 (status, "skipped") == 0 || g_strcmp0 (status, "unsure") == 0)
    return 1;
  return 2;
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const AttestReviewItem *x = *(AttestReviewItem **) a;
  const AttestReviewItem *y = *(AttestReviewItem **) b;
  int rx = status_rank (x->status), ry = status_rank (y->status);

  if (rx != ry)
    return rx - ry;
  return x->id < y->id ? -1 : x->id > y->id;
}

static const AttestReviewItem *
find_item (AttestWindow *self,
           gint64        item_id)
{
  for (guint i = 0; self->review->items != NULL && i < self->review->items->len; i++)
    if (((AttestReviewItem *) self->review->items->pdata[i])->id == item_id)
      return self->review->items->pdata[i];
  return NULL;
}

static void
update_badge (AttestWindow *self)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->view_stack, GTK_WIDGET (self->review_page));
  guint pending = 0;

  for (guint i = 0; self->review->items != NULL && i < self->review->items->len; i++)
    if (g_strcmp0 (((AttestReviewItem *) self->review->items->pdata[i])->status, "pending") == 0)
      pending++;
  adw_view_stack_page_set_badge_number (page, pending);
  adw_view_stack_page_set_needs_attention (page, pending > 0);
}

/* ---- is the source still there, with the same contents? ---- */

static char *
source_key (const AttestReviewItem *item)
{
  return g_strconcat (item->source_uri, "\n", item->source_sha256, NULL);
}

static void
on_source_hashed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestWindow *self = request->window;
  g_autofree char *key = g_task_get_task_data (G_TASK (result)) != NULL
                         ? g_strdup (g_task_get_task_data (G_TASK (result))) : NULL;
  g_autofree char *sha = g_task_propagate_pointer (G_TASK (result), NULL);
  const AttestReviewItem *item;
  AttestReviewSourceState state;
  const char *expected;

  if (self->review == NULL || key == NULL)
    return;
  expected = strchr (key, '\n') + 1;
  /* Unreadable counts as missing: it cannot be played either. */
  state = sha == NULL ? ATTEST_REVIEW_SOURCE_MISSING
          : g_ascii_strcasecmp (sha, expected) == 0 ? ATTEST_REVIEW_SOURCE_OK
          : ATTEST_REVIEW_SOURCE_CHANGED;
  if (sha != NULL)
    g_hash_table_insert (self->review->source_states, g_strdup (key), GINT_TO_POINTER (state));

  item = attest_review_panel_get_item (get_panel (self));
  if (item != NULL && item->source_uri != NULL && item->source_sha256 != NULL)
    {
      g_autofree char *shown = source_key (item);

      if (g_str_equal (shown, key))
        attest_review_panel_set_source_state (get_panel (self), state);
    }
}

static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *key = task_data;
  g_autofree char *uri = g_strndup (key, strchr (key, '\n') - key);
  g_autoptr (GFile) file = g_file_new_for_uri (uri);
  GError *error = NULL;
  char *sha = attest_file_sha256 (file, cancellable, &error);

  if (sha != NULL)
    g_task_return_pointer (task, sha, g_free);
  else
    g_task_return_error (task, error);
}

static void
check_source (AttestWindow           *self,
              const AttestReviewItem *item)
{
  AttestReviewPanel *panel = get_panel (self);
  g_autoptr (GFile) file = NULL;
  g_autoptr (GTask) task = NULL;
  g_autofree char *key = NULL;
  gpointer state;

  if (item->source_uri == NULL || item->source_sha256 == NULL)
    {
      attest_review_panel_set_source_state (panel, ATTEST_REVIEW_SOURCE_MISSING);
      return;
    }
  /* Cheap enough on every showing: a file can go away at any time. */
  file = g_file_new_for_uri (item->source_uri);
  if (!g_file_query_exists (file, NULL))
    {
      attest_review_panel_set_source_state (panel, ATTEST_REVIEW_SOURCE_MISSING);
      return;
    }
  key = source_key (item);
  if (g_hash_table_lookup_extended (self->review->source_states, key, NULL, &state))
    {
      attest_review_panel_set_source_state (panel, GPOINTER_TO_INT (state));
      return;
    }

  /* The contents are hashed once per file and session, off the main thread. */
  attest_review_panel_set_source_state (panel, ATTEST_REVIEW_SOURCE_UNKNOWN);
  task = g_task_new (NULL, self->review->cancellable, on_source_hashed, request_new (self, FALSE));
  g_task_set_task_data (task, g_steal_pointer (&key), g_free);
  g_task_run_in_thread (task, hash_thread);
}

/* ---- reading the queue ---- */

static void
on_item_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestWindow *self = request->window;
  g_autoptr (GError) error = NULL;
  gboolean *rejected = NULL;
  g_autoptr (GPtrArray) frames = NULL;
  AttestReviewItem *item;

  item = attest_store_load_review_item_finish (ATTEST_STORE (source), result, &rejected, &frames, &error);
  if (self->review == NULL || request->item_id != self->review->current)
    {
      g_clear_pointer (&item, attest_review_item_free);
      g_free (rejected);
      return;
    }
  if (item == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        attest_window_show_toast (self, error->message);
      return;
    }

  attest_review_panel_take_item (get_panel (self), item, rejected);
  check_source (self, item);
  /* A few more frames of the track, from the store: they show without the source. */
  {
    g_autoptr (GPtrArray) textures = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr (GArray) at = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; frames != NULL && i < frames->len; i++)
      {
        AttestReviewFrame *frame = frames->pdata[i];
        GdkTexture *texture = frame->png != NULL ? gdk_texture_new_from_bytes (frame->png, NULL) : NULL;

        if (texture == NULL)
          continue;
        g_ptr_array_add (textures, texture);
        g_array_append_val (at, frame->ms);
      }
    attest_review_panel_set_frames (get_panel (self), (GdkTexture **) textures->pdata,
                                    (const gint64 *) at->data, textures->len);
  }
  /* Focus lost with the row it was on (the queue is rebuilt): the rationale is where the
   * reviewer types next. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

    if (gtk_widget_get_mapped (GTK_WIDGET (self->review_page)) &&
        (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->review_page))))
      attest_review_panel_focus_rationale (get_panel (self));
  }
}

static void
show_current (AttestWindow *self)
{
  AttestStore *store = get_store (self);
  Request *request;

  attest_review_page_set_current (self->review_page, self->review->current);
  if (self->review->current < 0 || store == NULL)
    {
      attest_review_panel_take_item (get_panel (self), NULL, NULL);
      return;
    }
  request = request_new (self, FALSE);
  request->item_id = self->review->current;
  attest_store_load_review_item_async (store, self->review->current, self->review->cancellable,
                                       on_item_loaded, request);
}

static void
on_items_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestWindow *self = request->window;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  AttestWindowReview *review;
  const AttestReviewItem *current;
  gint64 next = -1;

  items = attest_store_list_review_items_finish (ATTEST_STORE (source), result, &error);
  if (request_stale (request))
    return;
  review = self->review;
  if (items == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        attest_window_show_toast (self, error->message);
      return;
    }

  g_ptr_array_sort (items, compare_items);
  g_clear_pointer (&review->items, g_ptr_array_unref);
  review->items = g_ptr_array_ref (items);
  attest_review_page_set_items (self->review_page, items);
  update_badge (self);

  /* What to show: the item asked for; else the one on screen while it is still pending (a
   * reject of one of several candidates leaves it so); else the next pending one. */
  current = find_item (self, review->want >= 0 ? review->want : review->current);
  if (current != NULL && (review->want >= 0 || g_strcmp0 (current->status, "pending") == 0))
    next = current->id;
  else if (items->len > 0 && status_rank (((AttestReviewItem *) items->pdata[0])->status) == 0)
    next = ((AttestReviewItem *) items->pdata[0])->id;
  review->want = -1;
  /* The same item still on screen, undecided (a reload because something else changed: a
   * scan, another window, the CLI): nothing to read again. A re-read would keep the typed
   * rationale (attest_review_panel_take_item) but rebuild the frames on every reload. */
  if (next >= 0 && next == review->current)
    {
      AttestReviewItem *shown = attest_review_panel_get_item (get_panel (self));
      const AttestReviewItem *listed = find_item (self, next);

      if (shown != NULL && shown->id == next && listed != NULL &&
          g_strcmp0 (shown->status, listed->status) == 0)
        {
          attest_review_page_set_current (self->review_page, next);
          return;
        }
    }
  review->current = next;
  show_current (self);
}

static gboolean
reload_now (gpointer data)
{
  AttestWindow *self = data;
  AttestStore *store;

  self->review->reload_idle = 0;
  ensure_set_up (self);
  store = get_store (self);
  if (store == NULL)
    {
      g_clear_pointer (&self->review->items, g_ptr_array_unref);
      attest_review_page_set_items (self->review_page, NULL);
      update_badge (self);
      return G_SOURCE_REMOVE;
    }
  attest_store_list_review_items_async (store, NULL, self->review->cancellable,
                                        on_items_listed, request_new (self, TRUE));
  return G_SOURCE_REMOVE;
}

/* Coalesced: a scan's checkpoint adds its items in a burst, and each would read the whole
 * queue again; one read after the burst does. */
void
_attest_window_review_reload (AttestWindow *self)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  if (self->review == NULL || self->review->reload_idle != 0)
    return;
  self->review->reload_idle = g_idle_add (reload_now, self);
}

void
_attest_window_review_sync (AttestWindow *self)
{
  if (self->review == NULL)
    return;
  attest_review_panel_set_impostor_stats (get_panel (self), self->have_stats ? &self->stats : NULL,
                                          self->stats_enough);
  _attest_window_review_reload (self);
}

/* ---- decisions ---- */

static void
on_decided (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestWindow *self = request->window;
  g_autoptr (GError) error = NULL;
  gint64 out_id = -1;
  gboolean ok;

  ok = attest_store_decide_review_item_finish (ATTEST_STORE (source), result, &out_id, &error);
  /* The decision is saved (or refused) whether or not the window is still there. */
  if (self->review == NULL)
    return;
  attest_review_panel_set_busy (get_panel (self), FALSE);

  if (!ok)
    {
      attest_window_show_toast (self, error->message);
      _attest_window_review_reload (self);
      return;
    }

  if (request->decision == ATTEST_REVIEW_DECISION_UNDO)
    {
      AttestWindowReview *review = self->review;
      g_autofree char *text = NULL;
      guint n = review->undo_texts->len;

      if (n > 0 && g_array_index (review->undo_items, gint64, n - 1) == out_id)
        {
          /* Translators: "Undone: confirmation of Ada at 0:12.4, on screen 0:10–0:15". */
          text = g_strdup_printf (_("Undone: %s"), (char *) review->undo_texts->pdata[n - 1]);
          g_ptr_array_remove_index (review->undo_texts, n - 1);
          g_array_remove_index (review->undo_items, n - 1);
        }
      else
        {
          const AttestReviewItem *item = find_item (self, out_id);
          g_autofree char *moment = item != NULL ? attest_review_format_moment (item) : NULL;

          text = moment != NULL
                 ? g_strdup_printf (_("Undone: the last decision on the face at %s"), moment)
                 : g_strdup (_("Undone: the last decision"));
        }
      attest_window_show_toast (self, text);
      self->review->want = out_id;
    }
  else
    {
      attest_window_show_toast (self, request->toast);
      g_ptr_array_add (self->review->undo_texts, g_steal_pointer (&request->undo_text));
      g_array_append_val (self->review->undo_items, request->item_id);
    }
  _attest_window_review_reload (self);
  _attest_window_audit_changed (self);
  /* A rejection (or its undo) changes what live matching may suggest. */
  if (request->decision == ATTEST_REVIEW_DECISION_REJECT ||
      request->decision == ATTEST_REVIEW_DECISION_UNDO)
    _attest_window_rejections_changed (self);
}

static void
on_decide (AttestReviewPanel *panel,
           int                decision,
           gint64             identity_id,
           const char        *rationale,
           AttestWindow      *self)
{
  AttestStore *store = get_store (self);
  AttestReviewItem *item = attest_review_panel_get_item (panel);
  const AttestReviewCandidate *candidate = NULL;
  g_autofree char *actor = NULL;
  g_autofree char *score = NULL;
  g_autofree char *moment = NULL;
  Request *request;

  if (store == NULL)
    {
      attest_window_show_toast (self, _("The gallery is not available: nothing can be decided"));
      return;
    }
  actor = g_strstrip (g_strdup (attest_settings_get_reviewer_name (self->settings)));
  if (*actor == '\0')
    {
      attest_window_show_toast (self, _("Enter your name first: it is recorded with every decision"));
      return;
    }
  if (decision != ATTEST_REVIEW_DECISION_UNDO && item == NULL)
    return;

  for (guint i = 0; item != NULL && i < item->n_candidates; i++)
    if (item->candidates[i].identity_id == identity_id)
      candidate = &item->candidates[i];
  if ((decision == ATTEST_REVIEW_DECISION_CONFIRM || decision == ATTEST_REVIEW_DECISION_REJECT) &&
      candidate == NULL)
    return;
  if (candidate != NULL)
    score = attest_match_text_score (candidate->score, item->threshold);
  if (item != NULL)
    moment = attest_review_format_moment (item);

  request = request_new (self, FALSE);
  request->decision = decision;
  request->item_id = item != NULL ? item->id : -1;
  switch (decision)
    {
    case ATTEST_REVIEW_DECISION_CONFIRM:
      /* The score is said here, also under blind review: the decision is made. */
      request->toast = g_strdup_printf (_("Confirmed: %s · score %s"), candidate->name, score);
      request->undo_text = g_strdup_printf (_("confirmation of %s at %s"), candidate->name, moment);
      break;
    case ATTEST_REVIEW_DECISION_REJECT:
      request->toast = g_strdup_printf (_("Rejected: %s · score %s"), candidate->name, score);
      request->undo_text = g_strdup_printf (_("rejection of %s at %s"), candidate->name, moment);
      break;
    case ATTEST_REVIEW_DECISION_SKIP:
      request->toast = g_strdup (_("Skipped: set aside in the list, not decided"));
      request->undo_text = g_strdup_printf (_("skip of the face at %s"), moment);
      break;
    case ATTEST_REVIEW_DECISION_UNSURE:
      request->toast = g_strdup (_("Marked unsure: set aside in the list, not decided"));
      request->undo_text = g_strdup_printf (_("“unsure” on the face at %s"), moment);
      break;
    default:
      break;
    }

  attest_review_panel_set_busy (panel, TRUE);
  attest_store_decide_review_item_async (store, decision, request->item_id, identity_id, actor,
                                         rationale, NULL, on_decided, request);
}

static void
on_item_activated (AttestReviewPage *page,
                   gint64            item_id,
                   AttestWindow     *self)
{
  self->review->current = item_id;
  show_current (self);
}

/* ---- Play This Moment ---- */

static gboolean
same_uri (const char *a,
          const char *b)
{
  g_autoptr (GFile) fa = NULL;
  g_autoptr (GFile) fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_file_new_for_uri (a);
  fb = g_file_new_for_uri (b);
  return g_file_equal (fa, fb);
}

static gboolean
seek_idle_cb (gpointer data)
{
  AttestWindow *self = data;
  AttestWindowReview *review = self->review;

  review->seek_idle = 0;
  if (self->pipeline != NULL && same_uri (attest_pipeline_get_uri (self->pipeline), review->seek_uri))
    {
      attest_pipeline_seek (self->pipeline, (GstClockTime) MAX (review->seek_ms, 0) * GST_MSECOND);
      attest_pipeline_play (self->pipeline);
    }
  g_clear_pointer (&review->seek_uri, g_free);
  return G_SOURCE_REMOVE;
}

static void
on_pipeline_bind (GSignalGroup *group,
                  GObject      *pipeline,
                  AttestWindow *self)
{
  AttestWindowReview *review = self->review;

  if (review == NULL || review->seek_uri == NULL || review->seek_idle != 0)
    return;
  if (same_uri (attest_pipeline_get_uri (ATTEST_PIPELINE (pipeline)), review->seek_uri))
    /* After the window has started it playing from the start. */
    review->seek_idle = g_idle_add (seek_idle_cb, self);
}

static void
on_play_moment (AttestReviewPanel *panel,
                gint64             ms,
                AttestWindow      *self)
{
  AttestReviewItem *item = attest_review_panel_get_item (panel);
  AttestWindowReview *review = self->review;

  if (item == NULL || item->source_uri == NULL)
    return;

  g_free (review->seek_uri);
  review->seek_uri = g_strdup (item->source_uri);
  review->seek_ms = ms;
  adw_view_stack_set_visible_child_name (self->view_stack, "video");

  if (self->pipeline != NULL && same_uri (attest_pipeline_get_uri (self->pipeline), item->source_uri))
    {
      if (review->seek_idle == 0)
        review->seek_idle = g_idle_add (seek_idle_cb, self);
    }
  else
    {
      g_autoptr (GFile) file = g_file_new_for_uri (item->source_uri);

      attest_window_open_file (self, file);
    }
}

/* ---- scanning (win.scan) ---- */

static char *
display_name (GFile *file)
{
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);
  g_autofree char *base = NULL;

  if (info != NULL)
    return g_strdup (g_file_info_get_display_name (info));
  base = g_file_get_basename (file);
  return base != NULL ? g_filename_display_name (base) : g_file_get_parse_name (file);
}

static void
update_scan_bar (AttestWindow *self,
                 double        fraction)
{
  AttestWindowReview *review = self->review;
  g_autofree char *label = NULL;

  if (review->scanner == NULL)
    {
      attest_review_page_set_scan (self->review_page, NULL, 0);
      return;
    }
  /* Translators: "Scanning “video.mp4”: 2 faces to review so far". */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Scanning “%s”: %u face to review so far",
                                        "Scanning “%s”: %u faces to review so far", review->scan_added),
                           review->scan_name, review->scan_added);
  attest_review_page_set_scan (self->review_page, label, fraction);
}

static void
on_scan_progress (AttestScanner *scanner,
                  double         fraction,
                  AttestWindow  *self)
{
  if (self->review != NULL && self->review->scanner == scanner)
    update_scan_bar (self, fraction);
}

static void
on_scan_item_added (AttestScanner *scanner,
                    gint64         item_id,
                    AttestWindow  *self)
{
  if (self->review == NULL || self->review->scanner != scanner)
    return;
  self->review->scan_added++;
  update_scan_bar (self, -1);
  /* New items join the queue as they come; the item on screen stays. */
  _attest_window_review_reload (self);
}

typedef struct
{
  AttestWindow *window;
  GFile        *file;
  char         *name;
  guint         added;
} ScanDone;

static void
scan_done_free (ScanDone *done)
{
  g_clear_object (&done->window);
  g_clear_object (&done->file);
  g_free (done->name);
  g_free (done);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScanDone, scan_done_free)

/* How far a stopped scan got: its checkpoint, found by the file's contents. */
static void
stopped_at_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ScanDone *done = task_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *sha = attest_file_sha256 (done->file, NULL, &error);
  g_autoptr (AttestScanProgress) progress = NULL;
  gint64 *ms = g_new (gint64, 1);

  *ms = -1;
  if (sha != NULL)
    progress = attest_store_get_scan_progress (ATTEST_STORE (source_object), sha, NULL);
  if (progress != NULL)
    *ms = progress->scanned_to_ms;
  g_task_return_pointer (task, ms, g_free);
}

static void
on_stopped_at (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ScanDone *done = g_task_get_task_data (G_TASK (result));
  g_autofree gint64 *ms = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *text = NULL;

  if (ms != NULL && *ms > 0)
    {
      gint64 s = *ms / 1000;

      /* Translators: "Scan stopped at 0:18; scanning again resumes there". */
      text = g_strdup_printf (_("Scan stopped at %" G_GINT64_FORMAT ":%02d; scanning again resumes there"),
                              s / 60, (int) (s % 60));
    }
  else
    text = g_strdup (_("Scan stopped before the first checkpoint; scanning again starts over"));
  if (done->window->review != NULL)
    attest_window_show_toast (done->window, text);
}

static void
on_scan_finished (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (ScanDone) done = user_data;
  AttestWindow *self = done->window;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestScanResult) scan = NULL;
  AttestWindowReview *review = self->review;

  scan = attest_scanner_scan_finish (ATTEST_SCANNER (source), result, &error);
  if (review == NULL)
    return;

  if (review->scanner == ATTEST_SCANNER (source))
    {
      g_signal_handlers_disconnect_by_data (review->scanner, self);
      g_clear_object (&review->scanner);
      g_clear_object (&review->scan_cancellable);
      g_clear_object (&review->scan_file);
      g_clear_pointer (&review->scan_name, g_free);
    }
  update_scan_bar (self, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-cancel", FALSE);
  _attest_window_review_reload (self);

  if (scan != NULL)
    {
      g_autofree char *text = NULL;

      if (scan->completed)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Scan of “%s” finished: %u new face to review",
                                             "Scan of “%s” finished: %u new faces to review",
                                             scan->n_items), done->name, scan->n_items);
      else
        text = g_strdup_printf (_("Scan of “%s” ended early: %u new faces to review"), done->name,
                                scan->n_items);
      attest_window_show_toast (self, text);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      AttestStore *store = get_store (self);
      g_autoptr (GTask) task = NULL;

      if (store == NULL)
        return;
      task = g_task_new (store, NULL, on_stopped_at, NULL);
      g_task_set_task_data (task, g_steal_pointer (&done), (GDestroyNotify) scan_done_free);
      g_task_run_in_thread (task, stopped_at_thread);
    }
  else
    {
      g_autofree char *text = NULL;

      if (error->message != NULL && strstr (error->message, done->name) != NULL)
        text = g_strdup (error->message);
      else
        text = g_strdup_printf (_("Cannot scan “%s”: %s"), done->name, error->message);
      attest_window_show_toast (self, text);
    }
}

static void
start_scan (AttestWindow *self,
            GFile        *file)
{
  AttestWindowReview *review = self->review;
  AttestStore *store = get_store (self);
  ScanDone *done;

  if (review->scanner != NULL)
    {
      attest_window_show_toast (self, _("A scan is running already: cancel it first"));
      return;
    }
  if (store == NULL)
    {
      attest_window_show_toast (self, _("The gallery is not available: nothing can be scanned"));
      return;
    }
  if (self->vision == NULL)
    {
      attest_window_show_toast (self, _("Face detection is off: videos cannot be scanned"));
      return;
    }
  if (self->matcher == NULL || attest_matcher_get_n_faces (self->matcher) == 0)
    {
      attest_window_show_toast (self, _("Enrol people in the gallery first: a scan looks for them"));
      return;
    }

  review->scanner = attest_scanner_new (store, self->vision, self->matcher, self->identity_names);
  attest_scanner_set_threshold (review->scanner, attest_settings_get_match_threshold (self->settings));
  review->scan_cancellable = g_cancellable_new ();
  review->scan_file = g_object_ref (file);
  review->scan_name = display_name (file);
  review->scan_added = 0;
  g_signal_connect (review->scanner, "progress", G_CALLBACK (on_scan_progress), self);
  g_signal_connect (review->scanner, "item-added", G_CALLBACK (on_scan_item_added), self);

  done = g_new0 (ScanDone, 1);
  done->window = g_object_ref (self);
  done->file = g_object_ref (file);
  done->name = g_strdup (review->scan_name);
  attest_scanner_scan_async (review->scanner, file, review->scan_cancellable, on_scan_finished, done);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-cancel", TRUE);
  update_scan_bar (self, 0);
  adw_view_stack_set_visible_child_name (self->view_stack, "review");
}

static void
on_scan_chooser_response (GtkNativeDialog *chooser,
                          int              response,
                          AttestWindow    *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (self->review != NULL)
    g_clear_object (&self->review->scan_chooser);
  if (file != NULL && self->review != NULL)
    start_scan (self, file);
}

/* The video on screen, when it is a file (NULL otherwise). */
static GFile *
video_on_screen (AttestWindow *self)
{
  const char *uri = self->pipeline != NULL ? attest_pipeline_get_uri (self->pipeline) : NULL;

  return uri != NULL && g_str_has_prefix (uri, "file:") ? g_file_new_for_uri (uri) : NULL;
}

/* win.scan: "Scan Video…" always asks which file, the one on screen chosen to start with. */
static void
scan_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  AttestWindowReview *review = self->review;
  g_autoptr (GtkFileFilter) videos = NULL;
  g_autoptr (GFile) shown = video_on_screen (self);

  if (review->scan_chooser == NULL)
    {
      review->scan_chooser = gtk_file_chooser_native_new (_("Scan a Video for Faces"),
                                                          GTK_WINDOW (self),
                                                          GTK_FILE_CHOOSER_ACTION_OPEN,
                                                          _("_Scan"), _("_Cancel"));
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (review->scan_chooser), TRUE);
      videos = gtk_file_filter_new ();
      gtk_file_filter_set_name (videos, _("Videos"));
      gtk_file_filter_add_mime_type (videos, "video/*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (review->scan_chooser), videos);
      g_signal_connect (review->scan_chooser, "response", G_CALLBACK (on_scan_chooser_response),
                        self);
    }
  if (shown != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (review->scan_chooser), shown, NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (review->scan_chooser));
}

/* win.scan-video: "Scan This Video", the file on screen (disabled without one). */
static void
scan_video_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  g_autoptr (GFile) shown = video_on_screen (self);

  if (shown == NULL)
    return;
  if (attest_pipeline_get_playing (self->pipeline))
    attest_pipeline_pause (self->pipeline);
  start_scan (self, shown);
}

static void
scan_cancel_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);

  if (self->review != NULL)
    g_cancellable_cancel (self->review->scan_cancellable);
}

void
_attest_window_scan_file (AttestWindow *self,
                          GFile        *file)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->review != NULL)
    start_scan (self, file);
}

gboolean
_attest_window_get_scanning (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), FALSE);

  return self->review != NULL && self->review->scanner != NULL;
}

/* ---- the page ---- */

static void
on_visible_page_changed (AttestWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "review") != 0)
    return;
  ensure_set_up (self);
  _attest_window_review_reload (self);
  attest_review_panel_focus_rationale (get_panel (self));
}

void
_attest_window_class_init_review (GtkWidgetClass *widget_class)
{
  g_type_ensure (ATTEST_TYPE_REVIEW_PAGE);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, review_page);
  gtk_widget_class_install_action (widget_class, "win.show-review", NULL,
                                   _attest_window_show_page_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-review", NULL);
  gtk_widget_class_install_action (widget_class, "win.scan", NULL, scan_action);
  gtk_widget_class_install_action (widget_class, "win.scan-video", NULL, scan_video_action);
  gtk_widget_class_install_action (widget_class, "win.scan-cancel", NULL, scan_cancel_action);
}

void
_attest_window_init_review (AttestWindow *self)
{
  AttestWindowReview *review = g_new0 (AttestWindowReview, 1);

  review->current = -1;
  review->want = -1;
  review->cancellable = g_cancellable_new ();
  review->source_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  review->undo_texts = g_ptr_array_new_with_free_func (g_free);
  review->undo_items = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->review = review;

  g_signal_connect_object (get_panel (self), "decide", G_CALLBACK (on_decide), self, 0);
  g_signal_connect_object (get_panel (self), "play-moment", G_CALLBACK (on_play_moment), self, 0);
  g_signal_connect_object (self->review_page, "item-activated", G_CALLBACK (on_item_activated), self, 0);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (on_visible_page_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->pipeline_signals, "bind", G_CALLBACK (on_pipeline_bind), self);
  /* On the window: they work wherever the focus is while the Review page is on screen. */
  attest_review_panel_add_shortcuts (get_panel (self), GTK_WIDGET (self), GTK_WIDGET (self->review_page));
  attest_review_page_set_can_scan (self->review_page, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-cancel", FALSE);
  update_badge (self);
}

void
_attest_window_dispose_review (AttestWindow *self)
{
  AttestWindowReview *review = g_steal_pointer (&self->review);

  if (review == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->pipeline_signals, on_pipeline_bind, self);
  /* A scan stops at its next frame; what it has checkpointed stays, and it resumes there. */
  g_cancellable_cancel (review->scan_cancellable);
  if (review->scanner != NULL)
    g_signal_handlers_disconnect_by_data (review->scanner, self);
  g_clear_object (&review->scanner);
  g_clear_object (&review->scan_cancellable);
  g_clear_object (&review->scan_file);
  g_clear_pointer (&review->scan_name, g_free);
  if (review->scan_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (review->scan_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (review->scan_chooser));
      g_clear_object (&review->scan_chooser);
    }
  g_cancellable_cancel (review->cancellable);
  g_clear_object (&review->cancellable);
  g_clear_handle_id (&review->seek_idle, g_source_remove);
  g_clear_handle_id (&review->reload_idle, g_source_remove);
  g_clear_pointer (&review->items, g_ptr_array_unref);
  g_clear_pointer (&review->source_states, g_hash_table_unref);
  g_clear_pointer (&review->undo_texts, g_ptr_array_unref);
  g_clear_pointer (&review->undo_items, g_array_unref);
  g_free (review->seek_uri);
  g_free (review);
}

AttestReviewPage *
_attest_window_get_review_page (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->review_page;
}
