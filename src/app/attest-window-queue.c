/* attest-window-queue.c: the window's part in filling the review queue while a video plays.
 *
 * Every tracked face that leaves the screen as a suggestion ("track-ended") becomes a
 * pending review item, and the reviewer can send any selected face there by hand
 * (face.send-to-review), even one labelled "No match". Both only propose: the review page
 * is where a person decides, and nothing here writes a match. */
#include "config.h"

#include <glib/gi18n.h>

#include "review/attest-review-queue.h"
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

void
_attest_window_class_init_queue (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "face.send-to-review", NULL,
                                   send_to_review_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "face.send-to-review", NULL);
}

/* For the pipeline's whole life, not only while it is on screen: the faces still in view
 * when it is replaced or closed end then, and are queued too. */
void
_attest_window_setup_pipeline_queue (AttestWindow   *self,
                                     AttestPipeline *pipeline)
{
  g_signal_connect_object (pipeline, "track-ended", G_CALLBACK (on_track_ended), self,
                           G_CONNECT_SWAPPED);
}

void
_attest_window_dispose_queue (AttestWindow *self)
{
  g_clear_pointer (&self->last_queue_error, g_free);
}

/* Until the review page is in: count what arrived, for tests and the page to come. */
void
_attest_window_queue_changed (AttestWindow *self,
                              gint64        item_id)
{
  g_debug ("Review item %" G_GINT64_FORMAT " queued", item_id);
}
