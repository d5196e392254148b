/* attest-review-queue.c: see attest-review-queue.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "review/attest-review-queue.h"
#include "review/attest-search.h"
#include "store/attest-file-hash.h"

static gint64
pts_ms (guint64 pts)
{
  return pts != ATTEST_TIME_NONE ? (gint64) (pts / G_GUINT64_CONSTANT (1000000)) : 0;
}

void
attest_review_spec_from_summary (AttestReviewItemSpec     *spec,
                                 const AttestTrackSummary *summary,
                                 GBytes                  **frame_pngs,
                                 gint64                   *frame_ms)
{
  guint n = 0;

  g_return_if_fail (spec != NULL && summary != NULL && frame_pngs != NULL && frame_ms != NULL);

  spec->start_ms = pts_ms (summary->first_pts);
  spec->end_ms = MAX (spec->start_ms, pts_ms (summary->last_pts));
  spec->best_ms = summary->best_pts != ATTEST_TIME_NONE ? pts_ms (summary->best_pts)
                                                              : spec->start_ms;
  spec->best_frame = summary->best_frame == G_MAXUINT64 ? -1 : (gint64) summary->best_frame;
  spec->box_x = summary->best_box.x;
  spec->box_y = summary->best_box.y;
  spec->box_w = summary->best_box.w;
  spec->box_h = summary->best_box.h;
  spec->probe_png = summary->probe_png;
  spec->probe_embedding = summary->has_embedding ? summary->embedding : NULL;
  spec->embedding_dim = summary->has_embedding ? ATTEST_EMBEDDING_DIM : 0;
  for (guint i = 0; i < summary->n_frames; i++)
    {
      if (summary->frame_pts[i] == summary->best_pts)
        continue;
      frame_pngs[n] = summary->frame_pngs[i];
      frame_ms[n] = pts_ms (summary->frame_pts[i]);
      n++;
    }
  spec->frame_pngs = frame_pngs;
  spec->frame_ms = frame_ms;
  spec->n_frames = n;
}

gboolean
attest_review_queue_add_track (AttestStore               *store,
                               const AttestTrackSummary  *summary,
                               const char                *uri,
                               const char                *model_id,
                               gboolean                   by_hand,
                               AttestReviewQueueOutcome  *outcome,
                               gint64                    *item_id,
                               GError                   **error)
{
  g_autofree char *sha256 = NULL;
  g_autofree AttestReviewCandidate *candidates = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (AttestRejections) rejections = NULL;
  GBytes *frame_pngs[ATTEST_TRACK_SUMMARY_MAX_FRAMES];
  gint64 frame_ms[ATTEST_TRACK_SUMMARY_MAX_FRAMES];
  AttestReviewItemSpec spec = { 0 };
  gint64 existing = -1;
  guint n = 0;

  g_return_val_if_fail (ATTEST_IS_STORE (store), FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (model_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (item_id != NULL)
    *item_id = -1;
  if (outcome != NULL)
    *outcome = ATTEST_REVIEW_QUEUE_NOT_SUGGESTED;

  sha256 = attest_file_sha256_cached (uri, NULL, &local_error);
  if (sha256 == NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (uri);
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot read “%s” to queue its faces for review: %s"), name,
                   local_error->message);
      return FALSE;
    }

  /* Negative evidence as it stands now (a rejection may be newer than the snapshot the
   * analysis had), by the analysis's one policy (attest-rejections.h). */
  if (summary->has_embedding)
    {
      rejections = attest_rejections_load_from_store (store, model_id, error);
      if (rejections == NULL)
        return FALSE;
    }

  candidates = g_new0 (AttestReviewCandidate, MAX (summary->n_candidates, 1));
  for (guint i = 0; i < summary->n_candidates; i++)
    {
      const AttestFaceCandidate *c = &summary->candidates[i];
      AttestSighting where = {
        uri, sha256, pts_ms (summary->first_pts), pts_ms (summary->last_pts)
      };

      if (attest_rejections_lookup (rejections, c->identity_id, summary->embedding, &where,
                                    NULL) != NULL)
        continue;

      /* Only what may be suggested: below the threshold is "No match", unless the reviewer
       * asked for this face. */
      if (!by_hand && c->score < summary->threshold)
        continue;
      candidates[n].identity_id = c->identity_id;
      candidates[n].name = c->name;
      candidates[n].score = c->score;
      candidates[n].face_id = c->face_id;
      n++;
    }
  if (n == 0 && !by_hand)
    return TRUE;

  attest_review_spec_from_summary (&spec, summary, frame_pngs, frame_ms);
  if (!attest_store_find_review_item_covering (store, sha256,
                                               summary->n_candidates > 0
                                               ? summary->candidates[0].identity_id : -1,
                                               spec.start_ms, spec.end_ms,
                                               ATTEST_REVIEW_QUEUE_SAME_SPAN_MS, &existing, error))
    return FALSE;
  if (existing > 0)
    {
      if (outcome != NULL)
        *outcome = ATTEST_REVIEW_QUEUE_DUPLICATE;
      if (item_id != NULL)
        *item_id = existing;
      return TRUE;
    }

  spec.source_uri = uri;
  spec.source_sha256 = sha256;
  /* Live track ids restart with every playback and would collide with a scan's stable ids
   * (attest-scanner.h): a rejection on this item holds by its probe, not by a track. */
  spec.track = -1;
  spec.model_id = model_id;
  spec.threshold = summary->threshold;
  spec.candidates = candidates;
  spec.n_candidates = n;

  if (!attest_store_add_review_item (store, &spec, item_id, error))
    return FALSE;
  if (outcome != NULL)
    *outcome = ATTEST_REVIEW_QUEUE_ADDED;
  return TRUE;
}

typedef struct
{
  AttestStore        *store;
  AttestTrackSummary *summary;
  char               *uri;
  char               *model_id;
  gboolean            by_hand;
  AttestReviewQueueOutcome outcome;
  gint64              item_id;
} AddJob;

static void
add_job_free (gpointer data)
{
  AddJob *job = data;

  g_object_unref (job->store);
  attest_track_summary_unref (job->summary);
  g_free (job->uri);
  g_free (job->model_id);
  g_free (job);
}

static void
add_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  AddJob *job = task_data;
  GError *error = NULL;

  if (attest_review_queue_add_track (job->store, job->summary, job->uri, job->model_id,
                                     job->by_hand, &job->outcome, &job->item_id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
attest_review_queue_add_track_async (AttestStore         *store,
                                     AttestTrackSummary  *summary,
                                     const char          *uri,
                                     const char          *model_id,
                                     gboolean             by_hand,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  AddJob *job;

  g_return_if_fail (ATTEST_IS_STORE (store));
  g_return_if_fail (summary != NULL);
  g_return_if_fail (uri != NULL && model_id != NULL);

  job = g_new0 (AddJob, 1);
  job->store = g_object_ref (store);
  job->summary = attest_track_summary_ref (summary);
  job->uri = g_strdup (uri);
  job->model_id = g_strdup (model_id);
  job->by_hand = by_hand;
  job->item_id = -1;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_review_queue_add_track_async);
  g_task_set_task_data (task, job, add_job_free);
  g_task_run_in_thread (task, add_thread);
}

gboolean
attest_review_queue_add_track_finish (GAsyncResult              *result,
                                      AttestReviewQueueOutcome  *outcome,
                                      gint64                    *item_id,
                                      GError                   **error)
{
  AddJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (outcome != NULL)
    *outcome = job->outcome;
  if (item_id != NULL)
    *item_id = job->item_id;
  return TRUE;
}
