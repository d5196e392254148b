/* attest-review-page-queue.c: the Review page's part that reads and writes: it lists the
 * queue from the store, shows one item at a time in the review panel, records the reviewer's
 * decisions through the store's writer thread (attest-review-async.h), says what happened in a
 * toast, brings the next pending item up at once, and scans videos into the queue. It follows
 * the store's "changed::review" signal, whoever wrote (this window, another, the CLI).
 *
 * Nothing here decides: every decision is the reviewer's, made with the panel's actions. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "review/attest-scanner.h"
#include "store/attest-review-async.h"
#include "attest-match-text.h"
#include "attest-toast.h"
#include "attest-review-page-private.h"

typedef struct
{
  AttestReviewPage     *page;
  AttestReviewDecision  decision;
  gint64                item_id;
  char                 *toast;
  char                 *undo_text;
  char                 *key;          /* a source check: "uri\nsha256" */
  guint                 generation;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->page);
  g_free (request->toast);
  g_free (request->undo_text);
  g_free (request->key);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
toast (AttestReviewPage *self,
       const char       *message)
{
  attest_widget_toast (GTK_WIDGET (self), message);
}

/* read: a read of the queue, which supersedes the reads before it. */
static Request *
request_new (AttestReviewPage *self,
             gboolean      read)
{
  Request *request = g_new0 (Request, 1);

  request->page = g_object_ref (self);
  if (read)
    self->generation++;
  request->generation = self->generation;
  return request;
}

/* The page was disposed, or a newer read superseded this one. */
static gboolean
request_stale (Request *request)
{
  AttestReviewPage *self = request->page;

  return self->disposed || self->generation != request->generation;
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
find_item (AttestReviewPage *self,
           gint64        item_id)
{
  for (guint i = 0; self->items != NULL && i < self->items->len; i++)
    if (((AttestReviewItem *) self->items->pdata[i])->id == item_id)
      return self->items->pdata[i];
  return NULL;
}

/* The pending count, for the page's badge ("n-pending"). */
static void
update_badge (AttestReviewPage *self)
{
  guint pending = 0;

  for (guint i = 0; self->items != NULL && i < self->items->len; i++)
    if (g_strcmp0 (((AttestReviewItem *) self->items->pdata[i])->status, "pending") == 0)
      pending++;
  _attest_review_page_set_n_pending (self, pending);
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
  AttestReviewPage *self = request->page;
  g_autofree char *sha = attest_file_sha256_finish (G_FILE (source), result, NULL);
  const AttestReviewItem *item;
  AttestReviewSourceState state;
  const char *expected;

  if (self->disposed)
    return;
  expected = strchr (request->key, '\n') + 1;
  /* Unreadable counts as missing: it cannot be played either. */
  state = sha == NULL ? ATTEST_REVIEW_SOURCE_MISSING
          : g_ascii_strcasecmp (sha, expected) == 0 ? ATTEST_REVIEW_SOURCE_OK
          : ATTEST_REVIEW_SOURCE_CHANGED;
  if (sha != NULL)
    g_hash_table_insert (self->source_states, g_strdup (request->key), GINT_TO_POINTER (state));

  item = attest_review_panel_get_item (self->panel);
  if (item != NULL && item->source_uri != NULL && item->source_sha256 != NULL)
    {
      g_autofree char *shown = source_key (item);

      if (g_str_equal (shown, request->key))
        attest_review_panel_set_source_state (self->panel, state);
    }
}

static void
check_source (AttestReviewPage       *self,
              const AttestReviewItem *item)
{
  AttestReviewPanel *panel = self->panel;
  g_autoptr (GFile) file = NULL;
  g_autofree char *key = NULL;
  Request *request;
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
  if (g_hash_table_lookup_extended (self->source_states, key, NULL, &state))
    {
      attest_review_panel_set_source_state (panel, GPOINTER_TO_INT (state));
      return;
    }

  /* The contents are hashed once per file and session, off the main thread. */
  attest_review_panel_set_source_state (panel, ATTEST_REVIEW_SOURCE_UNKNOWN);
  request = request_new (self, FALSE);
  request->key = g_steal_pointer (&key);
  attest_file_sha256_async (file, self->cancellable, on_source_hashed, request);
}

/* ---- reading the queue ---- */

static void
on_item_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestReviewPage *self = request->page;
  g_autoptr (GError) error = NULL;
  gboolean *rejected = NULL;
  g_autoptr (GPtrArray) frames = NULL;
  AttestReviewItem *item;

  item = attest_store_load_review_item_finish (ATTEST_STORE (source), result, &rejected, &frames, &error);
  if (self->disposed || request->item_id != self->current)
    {
      g_clear_pointer (&item, attest_review_item_free);
      g_free (rejected);
      return;
    }
  if (item == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }

  attest_review_panel_take_item (self->panel, item, rejected);
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
    attest_review_panel_set_frames (self->panel, (GdkTexture **) textures->pdata,
                                    (const gint64 *) at->data, textures->len);
  }
  /* Focus lost with the row it was on (the queue is rebuilt): the rationale is where the
   * reviewer types next. */
  {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

    if (gtk_widget_get_mapped (GTK_WIDGET (self)) &&
        (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self))))
      attest_review_panel_focus_rationale (self->panel);
  }
}

static void
show_current (AttestReviewPage *self)
{
  AttestStore *store = self->store;
  Request *request;

  _attest_review_page_show_current (self, self->current);
  if (self->current < 0 || store == NULL)
    {
      attest_review_panel_take_item (self->panel, NULL, NULL);
      return;
    }
  request = request_new (self, FALSE);
  request->item_id = self->current;
  attest_store_load_review_item_async (store, self->current, self->cancellable,
                                       on_item_loaded, request);
}

static void
on_items_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestReviewPage *self = request->page;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  const AttestReviewItem *current;
  gint64 next = -1;

  items = attest_store_list_review_items_finish (ATTEST_STORE (source), result, &error);
  if (request_stale (request))
    return;
  if (items == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }

  g_ptr_array_sort (items, compare_items);
  _attest_review_page_show_items (self, items);
  update_badge (self);

  /* What to show: the item asked for; else the one on screen while it is still pending (a
   * reject of one of several candidates leaves it so); else the next pending one. */
  current = find_item (self, self->want >= 0 ? self->want : self->current);
  if (current != NULL && (self->want >= 0 || g_strcmp0 (current->status, "pending") == 0))
    next = current->id;
  else if (items->len > 0 && status_rank (((AttestReviewItem *) items->pdata[0])->status) == 0)
    next = ((AttestReviewItem *) items->pdata[0])->id;
  self->want = -1;
  /* The same item still on screen, undecided (a reload because something else changed: a
   * scan, another window, the CLI): nothing to read again. A re-read would keep the typed
   * rationale (attest_review_panel_take_item) but rebuild the frames on every reload. */
  if (next >= 0 && next == self->current)
    {
      AttestReviewItem *shown = attest_review_panel_get_item (self->panel);
      const AttestReviewItem *listed = find_item (self, next);

      if (shown != NULL && shown->id == next && listed != NULL &&
          g_strcmp0 (shown->status, listed->status) == 0)
        {
          _attest_review_page_show_current (self, next);
          return;
        }
    }
  self->current = next;
  show_current (self);
}

static gboolean
reload_now (gpointer data)
{
  AttestReviewPage *self = data;
  AttestStore *store;

  self->reload_idle = 0;
  store = self->store;
  if (store == NULL)
    {
      _attest_review_page_show_items (self, NULL);
      update_badge (self);
      return G_SOURCE_REMOVE;
    }
  attest_store_list_review_items_async (store, NULL, self->cancellable,
                                        on_items_listed, request_new (self, TRUE));
  return G_SOURCE_REMOVE;
}

/* Coalesced: a scan's checkpoint adds its items in a burst, and each would read the whole
 * queue again; one read after the burst does. */
void
attest_review_page_reload (AttestReviewPage *self)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  if (self->disposed || self->reload_idle != 0)
    return;
  self->reload_idle = g_idle_add (reload_now, self);
}


/* ---- decisions ---- */

static void
on_decided (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (Request) request = user_data;
  AttestReviewPage *self = request->page;
  g_autoptr (GError) error = NULL;
  gint64 out_id = -1;
  gboolean ok;

  ok = attest_store_decide_review_item_finish (ATTEST_STORE (source), result, &out_id, &error);
  /* The decision is saved (or refused) whether or not the page is still there. */
  if (self->disposed)
    return;
  attest_review_panel_set_busy (self->panel, FALSE);

  if (!ok)
    {
      toast (self, error->message);
      attest_review_page_reload (self);
      return;
    }

  if (request->decision == ATTEST_REVIEW_DECISION_UNDO)
    {
      g_autofree char *text = NULL;
      guint n = self->undo_texts->len;

      if (n > 0 && g_array_index (self->undo_items, gint64, n - 1) == out_id)
        {
          /* Translators: "Undone: confirmation of Ada at 0:12.4, on screen 0:10–0:15". */
          text = g_strdup_printf (_("Undone: %s"), (char *) self->undo_texts->pdata[n - 1]);
          g_ptr_array_remove_index (self->undo_texts, n - 1);
          g_array_remove_index (self->undo_items, n - 1);
        }
      else
        {
          const AttestReviewItem *item = find_item (self, out_id);
          g_autofree char *moment = item != NULL ? attest_review_format_moment (item) : NULL;

          text = moment != NULL
                 ? g_strdup_printf (_("Undone: the last decision on the face at %s"), moment)
                 : g_strdup (_("Undone: the last decision"));
        }
      toast (self, text);
      self->want = out_id;
    }
  else
    {
      toast (self, request->toast);
      g_ptr_array_add (self->undo_texts, g_steal_pointer (&request->undo_text));
      g_array_append_val (self->undo_items, request->item_id);
    }
  /* The store's "changed" signal brings the queue, the audit log and the live suggestions
   * up to date; the queue is read now too, so the next item comes up at once. */
  attest_review_page_reload (self);
}

static void
on_decide (AttestReviewPanel *panel,
           int                decision,
           gint64             identity_id,
           const char        *rationale,
           AttestReviewPage  *self)
{
  AttestStore *store = self->store;
  AttestReviewItem *item = attest_review_panel_get_item (panel);
  const AttestReviewCandidate *candidate = NULL;
  g_autofree char *actor = NULL;
  g_autofree char *score = NULL;
  g_autofree char *moment = NULL;
  Request *request;

  if (store == NULL)
    {
      toast (self, _("The gallery is not available: nothing can be decided"));
      return;
    }
  actor = g_strstrip (g_strdup (attest_review_panel_get_reviewer_name (panel) != NULL
                                ? attest_review_panel_get_reviewer_name (panel) : ""));
  if (*actor == '\0')
    {
      toast (self, _("Enter your name first: it is recorded with every decision"));
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

/* The reviewer picked an item in the queue. */
void
_attest_review_page_item_activated (AttestReviewPage *self,
                                    gint64            item_id)
{
  self->current = item_id;
  show_current (self);
}

/* ---- Play This Moment ---- */

static void
on_play_moment (AttestReviewPanel *panel,
                gint64             ms,
                AttestReviewPage  *self)
{
  AttestReviewItem *item = attest_review_panel_get_item (panel);

  if (item != NULL && item->source_uri != NULL)
    g_signal_emit_by_name (self, "play-moment", item->source_uri, ms);
}

/* ---- scanning ---- */


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
update_scan_bar (AttestReviewPage *self,
                 double        fraction)
{
  g_autofree char *label = NULL;

  if (self->scanner == NULL)
    {
      _attest_review_page_show_scan (self, NULL, 0);
      return;
    }
  /* Translators: "Scanning “video.mp4”: 2 faces to review so far". */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Scanning “%s”: %u face to review so far",
                                        "Scanning “%s”: %u faces to review so far", self->scan_added),
                           self->scan_name, self->scan_added);
  _attest_review_page_show_scan (self, label, fraction);
}

static void
on_scan_progress (AttestScanner *scanner,
                  double         fraction,
                  AttestReviewPage *self)
{
  if (!self->disposed && self->scanner == scanner)
    update_scan_bar (self, fraction);
}

static void
on_scan_item_added (AttestScanner *scanner,
                    gint64         item_id,
                    AttestReviewPage *self)
{
  if (self->disposed || self->scanner != scanner)
    return;
  self->scan_added++;
  update_scan_bar (self, -1);
  /* New items join the queue as they come; the item on screen stays. */
  attest_review_page_reload (self);
}

typedef struct
{
  AttestReviewPage *page;
  GFile        *file;
  char         *name;
  guint         added;
} ScanDone;

static void
scan_done_free (ScanDone *done)
{
  g_clear_object (&done->page);
  g_clear_object (&done->file);
  g_free (done->name);
  g_free (done);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScanDone, scan_done_free)

/* How far a stopped scan got: its last checkpoint, where the next scan resumes. */
static void
say_stopped_at (AttestReviewPage *self,
                gint64            ms)
{
  g_autofree char *text = NULL;

  if (ms > 0)
    {
      gint64 s = ms / 1000;

      /* Translators: "Scan stopped at 0:18; scanning again resumes there". */
      text = g_strdup_printf (_("Scan stopped at %" G_GINT64_FORMAT ":%02d; scanning again resumes there"),
                              s / 60, (int) (s % 60));
    }
  else
    text = g_strdup (_("Scan stopped before the first checkpoint; scanning again starts over"));
  toast (self, text);
}

static void
on_scan_finished (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (ScanDone) done = user_data;
  AttestReviewPage *self = done->page;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestScanResult) scan = NULL;

  scan = attest_scanner_scan_finish (ATTEST_SCANNER (source), result, &error);
  if (self->disposed)
    return;

  if (self->scanner == ATTEST_SCANNER (source))
    {
      g_signal_handlers_disconnect_by_data (self->scanner, self);
      g_clear_object (&self->scanner);
      g_clear_object (&self->scan_cancellable);
      g_clear_object (&self->scan_file);
      g_clear_pointer (&self->scan_name, g_free);
    }
  update_scan_bar (self, 0);
  _attest_review_page_scanning_changed (self);
  attest_review_page_reload (self);
  /* The next file waiting (a camera's next segment). */
  if (self->scanner == NULL && !g_queue_is_empty (&self->scan_queue))
    {
      g_autoptr (GFile) next = g_queue_pop_head (&self->scan_queue);

      attest_review_page_scan_file (self, next);
    }

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
      toast (self, text);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    say_stopped_at (self, attest_scanner_get_resume_ms (ATTEST_SCANNER (source)));
  else
    {
      g_autofree char *text = NULL;

      if (error->message != NULL && strstr (error->message, done->name) != NULL)
        text = g_strdup (error->message);
      else
        text = g_strdup_printf (_("Cannot scan “%s”: %s"), done->name, error->message);
      toast (self, text);
    }
}

void
attest_review_page_scan_file (AttestReviewPage *self,
                              GFile            *file)
{
  AttestStore *store;

  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  store = self->store;
  ScanDone *done;

  if (self->scanner != NULL)
    {
      toast (self, _("A scan is running already: cancel it first"));
      return;
    }
  if (store == NULL)
    {
      toast (self, _("The gallery is not available: nothing can be scanned"));
      return;
    }
  if (self->vision == NULL)
    {
      toast (self, _("Face detection is off: videos cannot be scanned"));
      return;
    }
  if (self->matcher == NULL || attest_matcher_get_n_faces (self->matcher) == 0)
    {
      toast (self, _("Enrol people in the gallery first: a scan looks for them"));
      return;
    }

  self->scanner = attest_scanner_new (store, self->vision, self->matcher, self->identity_names);
  attest_scanner_set_threshold (self->scanner, self->match_threshold);
  self->scan_cancellable = g_cancellable_new ();
  self->scan_file = g_object_ref (file);
  self->scan_name = display_name (file);
  self->scan_added = 0;
  g_signal_connect (self->scanner, "progress", G_CALLBACK (on_scan_progress), self);
  g_signal_connect (self->scanner, "item-added", G_CALLBACK (on_scan_item_added), self);

  done = g_new0 (ScanDone, 1);
  done->page = g_object_ref (self);
  done->file = g_object_ref (file);
  done->name = g_strdup (self->scan_name);
  attest_scanner_scan_async (self->scanner, file, self->scan_cancellable, on_scan_finished, done);

  update_scan_bar (self, 0);
  _attest_review_page_scanning_changed (self);
}

void
attest_review_page_queue_scan (AttestReviewPage *self,
                               GFile            *file)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->scanner != NULL)
    g_queue_push_tail (&self->scan_queue, g_object_ref (file));
  else
    attest_review_page_scan_file (self, file);
}

void
_attest_review_page_cancel_scan (AttestReviewPage *self)
{
  g_cancellable_cancel (self->scan_cancellable);
}

/* ---- set-up ---- */

void
_attest_review_page_init_queue (AttestReviewPage *self)
{
  self->want = -1;
  self->cancellable = g_cancellable_new ();
  self->source_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->undo_texts = g_ptr_array_new_with_free_func (g_free);
  self->undo_items = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_queue_init (&self->scan_queue);
  g_signal_connect_object (self->panel, "decide", G_CALLBACK (on_decide), self, 0);
  g_signal_connect_object (self->panel, "play-moment", G_CALLBACK (on_play_moment), self, 0);
}

void
_attest_review_page_dispose_queue (AttestReviewPage *self)
{
  self->disposed = TRUE;
  g_queue_clear_full (&self->scan_queue, g_object_unref);
  /* A scan stops at its next frame; what it has checkpointed stays, and it resumes there. */
  g_cancellable_cancel (self->scan_cancellable);
  if (self->scanner != NULL)
    g_signal_handlers_disconnect_by_data (self->scanner, self);
  g_clear_object (&self->scanner);
  g_clear_object (&self->scan_cancellable);
  g_clear_object (&self->scan_file);
  g_clear_pointer (&self->scan_name, g_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_idle, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  g_clear_pointer (&self->source_states, g_hash_table_unref);
  g_clear_pointer (&self->undo_texts, g_ptr_array_unref);
  g_clear_pointer (&self->undo_items, g_array_unref);
}

void
attest_review_page_set_store (AttestReviewPage *self,
                              AttestStore      *store)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  attest_review_panel_set_store (self->panel, store);
  /* Whoever wrote (this window, another, the CLI beside the app), the queue follows. */
  if (store != NULL)
    g_signal_connect_object (store, "changed::review", G_CALLBACK (attest_review_page_reload),
                             self, G_CONNECT_SWAPPED);
  attest_review_page_reload (self);
}

void
attest_review_page_set_vision (AttestReviewPage *self,
                               AttestVision     *vision)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  self->vision = vision;
}

void
attest_review_page_set_matcher (AttestReviewPage *self,
                                AttestMatcher    *matcher,
                                GHashTable       *identity_names)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  if (matcher != NULL)
    attest_matcher_ref (matcher);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  self->matcher = matcher;
  if (identity_names != NULL)
    g_hash_table_ref (identity_names);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  self->identity_names = identity_names;
}

void
attest_review_page_set_impostor_stats (AttestReviewPage          *self,
                                       const AttestImpostorStats *stats,
                                       gboolean                   enough)
{
  g_return_if_fail (ATTEST_IS_REVIEW_PAGE (self));

  attest_review_panel_set_impostor_stats (self->panel, stats, enough);
  attest_review_page_reload (self);
}

gboolean
attest_review_page_get_scanning (AttestReviewPage *self)
{
  g_return_val_if_fail (ATTEST_IS_REVIEW_PAGE (self), FALSE);

  return self->scanner != NULL;
}
