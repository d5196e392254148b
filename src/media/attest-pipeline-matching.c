/* attest-pipeline-matching.c: live matching. The worker hands each analysed frame to the
 * shared per-frame step (src/analysis/attest-analysis.h: quality gate, embeddings, tracker,
 * search, rejections, track summaries), and this file carries what it gives to the main
 * thread: the summaries of the tracks in view (for "Send to Review") and "track-ended" for
 * the suggestions among the tracks that leave. Seeks and new media bump the pipeline's
 * generation: the step starts over then.
 *
 * Nothing here writes to the database: the gallery, names and rejections are snapshots. */
#include "config.h"

#include "attest-pipeline-private.h"

/* ---- Review queue: what each track looks like, for the main thread ---- */

typedef struct
{
  AttestPipeline     *pipeline;
  AttestTrackSummary *summary;
  char               *uri;
} TrackEnded;

static void
track_ended_free (gpointer data)
{
  TrackEnded *ended = data;

  g_object_unref (ended->pipeline);
  attest_track_summary_unref (ended->summary);
  g_free (ended->uri);
  g_free (ended);
}

static gboolean
emit_track_ended_cb (gpointer data)
{
  TrackEnded *ended = data;

  g_signal_emit_by_name (ended->pipeline, "track-ended", ended->summary, ended->uri);
  return G_SOURCE_REMOVE;
}

/* Lock held. The track has ended: its summary goes out on the main context when it is a
 * suggestion of a file. Takes `summary`. */
static void
queue_track_ended_locked (AttestPipeline     *self,
                          AttestTrackSummary *summary)
{
  TrackEnded *ended;

  if (self->analysis_uri == NULL || !attest_track_summary_is_suggestion (summary))
    {
      attest_track_summary_unref (summary);
      return;
    }
  ended = g_new0 (TrackEnded, 1);
  ended->pipeline = g_object_ref (self);
  ended->summary = summary;
  ended->uri = g_strdup (self->analysis_uri);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_track_ended_cb, ended,
                              track_ended_free);
}

/* Hands the frame's changed summaries and ended tracks to the main thread. */
static void
publish_summaries (AttestPipeline    *self,
                   AttestFrameResult *result,
                   guint              generation)
{
  g_mutex_lock (&self->lock);
  if (generation == self->generation)
    {
      for (guint i = 0; i < result->changed->len; i++)
        {
          AttestTrackSummary *summary = g_ptr_array_index (result->changed, i);

          g_hash_table_replace (self->live_tracks, GUINT_TO_POINTER (summary->track_id),
                                attest_track_summary_ref (summary));
        }
      for (guint i = 0; i < result->ended->len; i++)
        {
          AttestTrackSummary *summary = g_ptr_array_index (result->ended, i);

          /* The main thread may have ended it already (a seek, other media). */
          if (g_hash_table_remove (self->live_tracks, GUINT_TO_POINTER (summary->track_id)))
            queue_track_ended_locked (self, attest_track_summary_ref (summary));
        }
    }
  g_mutex_unlock (&self->lock);
}

AttestDetections *
_attest_pipeline_analyse_view (AttestPipeline        *self,
                               const AttestImageView *view,
                               GstClockTime           pts,
                               guint64                frame_number,
                               guint                  generation)
{
  g_autoptr (AttestFrameResult) result = NULL;

  /* A seek or new media: continuity is broken. What was in view has ended already (the main
   * thread emitted it: _attest_pipeline_end_live_tracks). */
  if (!self->analysis_started || generation != self->analysis_generation)
    {
      g_ptr_array_unref (attest_analysis_reset (self->analysis));
      self->analysis_started = TRUE;
      self->analysis_generation = generation;
    }

  result = attest_analysis_process (self->analysis, view, pts, frame_number);
  publish_summaries (self, result, generation);
  return attest_detections_ref (result->detections);
}

/* ---- Main thread ---- */

static int
compare_first_pts (gconstpointer a,
                   gconstpointer b)
{
  const AttestTrackSummary *x = *(AttestTrackSummary *const *) a;
  const AttestTrackSummary *y = *(AttestTrackSummary *const *) b;

  return x->first_pts < y->first_pts ? -1 : x->first_pts > y->first_pts;
}

/* Lock held. Paused: the frame on screen is analysed again with the new settings. */
static void
reanalyse_paused_locked (AttestPipeline *self)
{
  if (!self->worker_playing && self->paused_sample != NULL && self->preroll_sample == NULL)
    {
      self->preroll_sample = gst_sample_ref (self->paused_sample);
      g_cond_signal (&self->cond);
    }
}

void
attest_pipeline_set_matcher (AttestPipeline *self,
                             AttestMatcher  *matcher,
                             GHashTable     *identity_names)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  if (self->analysis == NULL)
    return;
  g_mutex_lock (&self->lock);
  if (matcher == self->matcher && identity_names == self->identity_names)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  if (matcher != NULL)
    attest_matcher_ref (matcher);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  self->matcher = matcher;
  if (identity_names != NULL)
    g_hash_table_ref (identity_names);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  self->identity_names = identity_names;
  attest_analysis_set_gallery (self->analysis, matcher, identity_names);
  reanalyse_paused_locked (self);
  g_mutex_unlock (&self->lock);
}

void
attest_pipeline_set_rejections (AttestPipeline   *self,
                                AttestRejections *rejections)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  if (self->analysis == NULL)
    return;
  g_mutex_lock (&self->lock);
  if (rejections != self->rejections)
    {
      if (rejections != NULL)
        attest_rejections_ref (rejections);
      g_clear_pointer (&self->rejections, attest_rejections_unref);
      self->rejections = rejections;
      /* Every track is searched again under the new rejections. */
      attest_analysis_set_rejections (self->analysis, rejections);
      reanalyse_paused_locked (self);
    }
  g_mutex_unlock (&self->lock);
}

void
attest_pipeline_set_match_threshold (AttestPipeline *self,
                                     double          threshold)
{
  gboolean changed;

  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  g_mutex_lock (&self->lock);
  changed = self->match_threshold != threshold;
  self->match_threshold = threshold;
  if (self->analysis != NULL)
    attest_analysis_set_threshold (self->analysis, threshold);
  g_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify (G_OBJECT (self), "match-threshold");
}

double
attest_pipeline_get_match_threshold (AttestPipeline *self)
{
  double threshold;

  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), ATTEST_MATCHER_DEFAULT_THRESHOLD);

  g_mutex_lock (&self->lock);
  threshold = self->match_threshold;
  g_mutex_unlock (&self->lock);

  return threshold;
}

AttestTrackSummary *
attest_pipeline_get_track_summary (AttestPipeline *self,
                                   guint           track_id)
{
  AttestTrackSummary *summary;

  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), NULL);

  g_mutex_lock (&self->lock);
  summary = self->live_tracks != NULL
            ? g_hash_table_lookup (self->live_tracks, GUINT_TO_POINTER (track_id)) : NULL;
  if (summary != NULL)
    attest_track_summary_ref (summary);
  g_mutex_unlock (&self->lock);

  return summary;
}

void
_attest_pipeline_end_live_tracks (AttestPipeline *self,
                                  const char     *next_uri)
{
  g_autoptr (GPtrArray) ended = g_ptr_array_new_with_free_func (
    (GDestroyNotify) attest_track_summary_unref);
  g_autofree char *uri = NULL;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->live_tracks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (attest_track_summary_is_suggestion (value))
        g_ptr_array_add (ended, value);
      else
        attest_track_summary_unref (value);
      g_hash_table_iter_steal (&iter);
    }
  uri = g_steal_pointer (&self->analysis_uri);
  self->analysis_uri = g_strdup (next_uri);
  if (self->analysis != NULL)
    attest_analysis_set_source (self->analysis, next_uri, NULL);
  g_mutex_unlock (&self->lock);

  /* In the order they came on screen. */
  g_ptr_array_sort (ended, compare_first_pts);
  for (guint i = 0; uri != NULL && i < ended->len; i++)
    g_signal_emit_by_name (self, "track-ended", g_ptr_array_index (ended, i), uri);
}

void
_attest_pipeline_analysis_finalize (AttestPipeline *self)
{
  g_clear_pointer (&self->live_tracks, g_hash_table_unref);
  g_clear_pointer (&self->analysis_uri, g_free);
  g_clear_pointer (&self->analysis, attest_analysis_free);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  g_clear_pointer (&self->rejections, attest_rejections_unref);
  g_clear_pointer (&self->paused_sample, gst_sample_unref);
}
