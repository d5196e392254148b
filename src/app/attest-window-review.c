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
  gboolean      set_up;
  char         *seek_uri;        /* Play This Moment waits for this file to open */
  gint64        seek_ms;
  guint         seek_idle;
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
  if (self->review->set_up || self->settings == NULL)
    return;
  self->review->set_up = TRUE;
  attest_review_panel_set_settings (panel, self->settings);
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
  AttestReviewItem *item;

  item = attest_store_load_review_item_finish (ATTEST_STORE (source), result, &rejected, &error);
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
  review->current = next;
  show_current (self);
}

void
_attest_window_review_reload (AttestWindow *self)
{
  AttestStore *store;

  g_return_if_fail (ATTEST_IS_WINDOW (self));

  if (self->review == NULL)
    return;
  ensure_set_up (self);
  store = get_store (self);
  if (store == NULL)
    {
      g_clear_pointer (&self->review->items, g_ptr_array_unref);
      attest_review_page_set_items (self->review_page, NULL);
      update_badge (self);
      return;
    }
  attest_store_list_review_items_async (store, NULL, self->review->cancellable,
                                        on_items_listed, request_new (self, TRUE));
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
      request->toast = g_strdup (_("Skipped: the face stays in the queue"));
      request->undo_text = g_strdup_printf (_("skip of the face at %s"), moment);
      break;
    case ATTEST_REVIEW_DECISION_UNSURE:
      request->toast = g_strdup (_("Marked unsure: the face stays in the queue"));
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

static void
show_review_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  adw_view_stack_set_visible_child_name (ATTEST_WINDOW (widget)->view_stack, "review");
}

void
_attest_window_class_init_review (GtkWidgetClass *widget_class)
{
  g_type_ensure (ATTEST_TYPE_REVIEW_PAGE);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, review_page);
  gtk_widget_class_install_action (widget_class, "win.show-review", NULL, show_review_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-review", NULL);
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
  update_badge (self);
}

void
_attest_window_dispose_review (AttestWindow *self)
{
  AttestWindowReview *review = g_steal_pointer (&self->review);

  if (review == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->pipeline_signals, on_pipeline_bind, self);
  g_cancellable_cancel (review->cancellable);
  g_clear_object (&review->cancellable);
  g_clear_handle_id (&review->seek_idle, g_source_remove);
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
