/* attest-window-queue.c: the window's part in filling the review queue while a video plays.
 *
 * Every tracked face that leaves the screen as a suggestion ("track-ended") becomes a
 * pending review item, and the reviewer can send any selected face there by hand
 * (face.send-to-review), even one labelled "No match". Both only propose: the review page
 * is where a person decides, and nothing here writes a match. */
#include "config.h"

#include <glib/gi18n.h>

#include "review/attest-review-queue.h"
#include "review/attest-search.h"
#include "attest-window-private.h"

typedef struct
{
  AttestWindow *self;
  gboolean      by_hand;
  char         *time_text;
} QueueRequest;

static void
queue_request_free (QueueRequest *request)
{
  g_object_unref (request->self);
  g_free (request->time_text);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QueueRequest, queue_request_free)

static char *
format_span (const AttestTrackSummary *summary)
{
  guint64 a = GST_CLOCK_TIME_IS_VALID (summary->first_pts) ? summary->first_pts / GST_SECOND : 0;
  guint64 b = GST_CLOCK_TIME_IS_VALID (summary->last_pts) ? summary->last_pts / GST_SECOND : a;

  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT
                          ":%02" G_GUINT64_FORMAT, a / 60, a % 60, b / 60, b % 60);
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (QueueRequest) request = user_data;
  AttestWindow *self = request->self;
  g_autoptr (GError) error = NULL;
  AttestReviewQueueOutcome outcome;
  gint64 item_id;
  gboolean ok = attest_review_queue_add_track_finish (result, &outcome, &item_id, &error);

  self->queue_in_flight--;
  /* The window closed meanwhile (its last faces are queued as it closes): nothing to show. */
  if (self->toast_overlay == NULL)
    return;
  if (!ok)
    {
      /* One toast per kind of failure, not one per face leaving the screen. */
      if (request->by_hand || g_strcmp0 (self->last_queue_error, error->message) != 0)
        attest_window_show_toast (self, error->message);
      g_free (self->last_queue_error);
      self->last_queue_error = g_strdup (error->message);
      return;
    }

  if (outcome == ATTEST_REVIEW_QUEUE_ADDED)
    _attest_window_queue_changed (self, item_id);
  if (!request->by_hand)
    return;
  if (outcome == ATTEST_REVIEW_QUEUE_DUPLICATE)
    {
      g_autofree char *text = g_strdup_printf (_("This face (%s) is in the review queue already"),
                                               request->time_text);
      attest_window_show_toast (self, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Sent to review: the face on screen %s"),
                                               request->time_text);
      attest_window_show_toast (self, text);
    }
}

static void
queue_summary (AttestWindow       *self,
               AttestTrackSummary *summary,
               const char         *uri,
               gboolean            by_hand)
{
  QueueRequest *request = g_new0 (QueueRequest, 1);

  request->self = g_object_ref (self);
  request->by_hand = by_hand;
  request->time_text = format_span (summary);
  self->queue_in_flight++;
  attest_review_queue_add_track_async (self->store, summary, uri,
                                       attest_vision_get_model_id (self->vision), by_hand,
                                       NULL, queued_cb, request);
}

static void
on_track_ended (AttestWindow       *self,
                AttestTrackSummary *summary,
                const char         *uri,
                AttestPipeline     *pipeline)
{
  if (self->store == NULL || self->vision == NULL || uri == NULL)
    return;
  queue_summary (self, summary, uri, FALSE);
}

static void
send_to_review_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  guint track = attest_video_view_get_selected_track (self->video_view);
  g_autoptr (AttestTrackSummary) summary = NULL;
  const char *uri;

  if (self->store == NULL)
    {
      attest_window_show_toast (self, _("The gallery database is not available: nothing can be "
                                        "queued for review"));
      return;
    }
  if (self->pipeline == NULL || self->vision == NULL)
    {
      attest_window_show_toast (self, _("Open a video with face detection on to send a face "
                                        "to review"));
      return;
    }
  uri = attest_pipeline_get_uri (self->pipeline);
  if (uri == NULL)
    {
      attest_window_show_toast (self, _("Faces seen by a camera cannot be reviewed later: "
                                        "record the camera to a file and open that"));
      return;
    }
  if (track == 0)
    {
      attest_window_show_toast (self, _("Select a face first: click its box"));
      return;
    }
  summary = attest_pipeline_get_track_summary (self->pipeline, track);
  if (summary == NULL || summary->probe_png == NULL)
    {
      attest_window_show_toast (self, _("This face is not followed yet: let the video play a "
                                        "moment, or select a face on screen"));
      return;
    }
  queue_summary (self, summary, uri, TRUE);
}

guint
_attest_window_get_queue_in_flight (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), 0);

  return self->queue_in_flight;
}

void
_attest_window_class_init_queue (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "face.send-to-review", NULL,
                                   send_to_review_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "face.send-to-review", NULL);
}

/* ---- negative evidence ---- */

typedef struct
{
  AttestStore *store;
  char        *model_id;
} RejectionsJob;

static void
rejections_job_free (RejectionsJob *job)
{
  g_object_unref (job->store);
  g_free (job->model_id);
  g_free (job);
}

static void
load_rejections_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  RejectionsJob *job = task_data;
  GError *error = NULL;
  AttestRejections *rejections = attest_rejections_load_from_store (job->store, job->model_id,
                                                                    &error);

  if (rejections == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rejections, (GDestroyNotify) attest_rejections_unref);
}

static void
rejections_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  AttestWindow *self = ATTEST_WINDOW (source);
  g_autoptr (GError) error = NULL;
  AttestRejections *rejections = g_task_propagate_pointer (G_TASK (result), &error);

  if (rejections == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        attest_window_show_toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->rejections, attest_rejections_unref);
  self->rejections = rejections;
  if (self->pipeline != NULL)
    attest_pipeline_set_rejections (self->pipeline, rejections);
}

void
_attest_window_rejections_changed (AttestWindow *self)
{
  g_autoptr (GTask) task = NULL;
  RejectionsJob *job;

  g_return_if_fail (ATTEST_IS_WINDOW (self));

  g_cancellable_cancel (self->rejections_cancellable);
  g_clear_object (&self->rejections_cancellable);
  if (self->store == NULL || self->vision == NULL)
    return;

  self->rejections_cancellable = g_cancellable_new ();
  job = g_new0 (RejectionsJob, 1);
  job->store = g_object_ref (self->store);
  job->model_id = g_strdup (attest_vision_get_model_id (self->vision));
  task = g_task_new (self, self->rejections_cancellable, rejections_loaded_cb, NULL);
  g_task_set_source_tag (task, _attest_window_rejections_changed);
  g_task_set_task_data (task, job, (GDestroyNotify) rejections_job_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_rejections_thread);
}

/* For the pipeline's whole life, not only while it is on screen: the faces still in view
 * when it is replaced or closed end then, and are queued too. */
void
_attest_window_setup_pipeline_queue (AttestWindow   *self,
                                     AttestPipeline *pipeline)
{
  g_signal_connect_object (pipeline, "track-ended", G_CALLBACK (on_track_ended), self,
                           G_CONNECT_SWAPPED);
  attest_pipeline_set_rejections (pipeline, self->rejections);
}

void
_attest_window_dispose_queue (AttestWindow *self)
{
  g_clear_pointer (&self->last_queue_error, g_free);
  g_cancellable_cancel (self->rejections_cancellable);
  g_clear_object (&self->rejections_cancellable);
  g_clear_pointer (&self->rejections, attest_rejections_unref);
}

/* The review page lists the queue again; the item on screen stays. */
void
_attest_window_queue_changed (AttestWindow *self,
                              gint64        item_id)
{
  g_debug ("Review item %" G_GINT64_FORMAT " queued", item_id);
  _attest_window_review_reload (self);
}
