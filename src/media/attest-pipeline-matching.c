/* attest-pipeline-matching.c: live matching on the analysis worker.
 *
 * For every face of an analysed frame: the quality gate; the embedding when it passes; the
 * tracker, so a face keeps one id while it stays in view; and a search of the gallery index
 * for each track whose best face changed (an identity's score is its best gallery face, see
 * attest-matcher.h). The candidates belong to the track, not to the frame, so a face's label
 * changes only when its track's best face does.
 *
 * Frames reach the worker in stream order while playing; a paused frame (pause, step back)
 * and the frames right after it come earlier than the tracker's last one. Feeding those to
 * the tracker would end every track (it takes going back in time for a seek), so they take
 * the track, and its candidates, of the overlapping face of the nearest frame already
 * analysed instead. Seeks and new media bump the pipeline's generation: the tracker starts
 * over then.
 *
 * Nothing here writes to the database: names come from the snapshot loaded with the index. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "analysis/attest-rejections.h"
#include "analysis/attest-tracker.h"
#include "attest-pipeline-private.h"

/* A face overlapping a face of a nearby frame by this much is the same face. */
#define SAME_FACE_IOU 0.3f
/* Results remembered for the out-of-order frames (about the pipeline's history). */
#define RECENT_RESULTS 64

typedef struct
{
  AttestDetections *detections;
  guint             serial;     /* index they were searched in */
} Recent;

struct _AttestMatching
{
  AttestTracker *tracker;
  gboolean       started;       /* generation is valid */
  guint          generation;
  GstClockTime   last_pts;      /* of the tracker's last update */
  GHashTable    *searched;      /* track id -> matcher serial + 1 its candidates came from */
  GArray        *recent;        /* Recent, oldest first */
  GHashTable    *summaries;     /* track id -> AttestTrackSummary *, the worker's own */
};

static void
recent_clear (gpointer data)
{
  Recent *recent = data;

  g_clear_pointer (&recent->detections, attest_detections_unref);
}

AttestMatching *
_attest_matching_new (void)
{
  AttestMatching *m = g_new0 (AttestMatching, 1);

  m->tracker = attest_tracker_new ();
  m->last_pts = GST_CLOCK_TIME_NONE;
  m->searched = g_hash_table_new (NULL, NULL);
  m->recent = g_array_new (FALSE, TRUE, sizeof (Recent));
  g_array_set_clear_func (m->recent, recent_clear);
  m->summaries = g_hash_table_new_full (NULL, NULL, NULL,
                                        (GDestroyNotify) attest_track_summary_unref);

  return m;
}

void
_attest_matching_free (AttestMatching *m)
{
  if (m == NULL)
    return;

  attest_tracker_free (m->tracker);
  g_hash_table_unref (m->searched);
  g_array_unref (m->recent);
  g_hash_table_unref (m->summaries);
  g_free (m);
}

static char *
identity_name (GHashTable *names,
               gint64      identity_id)
{
  const char *name = names != NULL ? g_hash_table_lookup (names, &identity_id) : NULL;

  if (name != NULL)
    return g_strdup (name);
  /* Enrolled after the names were loaded; the next reload brings the name. */
  return g_strdup_printf (_("Identity %" G_GINT64_FORMAT), identity_id);
}

static void
set_candidates (AttestFaceInfo        *info,
                const AttestCandidate *candidates,
                guint                  n,
                GHashTable            *names)
{
  info->compared = TRUE;
  info->n_candidates = MIN (n, ATTEST_FACE_MAX_CANDIDATES);
  for (guint i = 0; i < info->n_candidates; i++)
    {
      AttestFaceCandidate *c = &info->candidates[i];

      c->identity_id = candidates[i].identity_id;
      c->face_id = candidates[i].face_id;
      c->score = candidates[i].score;
      c->rank = candidates[i].rank;
      c->name = identity_name (names, c->identity_id);
    }
}

/* The remembered result nearest in time to pts, searched in the current index. */
static const AttestDetections *
nearest_recent (AttestMatching *m,
                GstClockTime    pts,
                guint           serial)
{
  const AttestDetections *best = NULL;
  GstClockTime best_distance = GST_CLOCK_TIME_NONE;

  for (guint i = 0; i < m->recent->len; i++)
    {
      const Recent *r = &g_array_index (m->recent, Recent, i);
      GstClockTime d = r->detections->pts > pts ? r->detections->pts - pts
                                                : pts - r->detections->pts;

      if (r->serial == serial && d < best_distance)
        {
          best = r->detections;
          best_distance = d;
        }
    }

  return best;
}

static void
remember (AttestMatching   *m,
          AttestDetections *detections,
          guint             serial)
{
  Recent recent = { attest_detections_ref (detections), serial };

  if (m->recent->len >= RECENT_RESULTS)
    g_array_remove_index (m->recent, 0);
  g_array_append_val (m->recent, recent);
}

/* The gallery's best identities for `probe`, leaving out those rejected for a probe like it. */
static guint
search_without_rejected (AttestMatcher   *matcher,
                         AttestMatcher   *rejections,
                         const float     *probe,
                         AttestCandidate *found)
{
  gint64 excluded[ATTEST_REJECTIONS_MAX];
  guint n_excluded = attest_rejections_find (rejections, probe, excluded, ATTEST_REJECTIONS_MAX);

  return attest_matcher_search (matcher, probe, ATTEST_FACE_MAX_CANDIDATES, excluded,
                                n_excluded, found);
}

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

/* Lock held. The summary was stolen from live_tracks: emit it on the main context. */
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

/* Face i of this frame is on `track`: its summary follows the track. Adds it to `changed`
 * when it changed. */
static void
update_summary (AttestMatching        *m,
                const AttestTrack     *track,
                const AttestImageView *view,
                const AttestBox       *box,
                const AttestFaceInfo  *info,
                GstClockTime           pts,
                guint64                frame_number,
                double                 threshold,
                GPtrArray             *changed_out)
{
  AttestTrackSummary *summary = g_hash_table_lookup (m->summaries, GUINT_TO_POINTER (track->id));
  gboolean changed;

  if (summary == NULL)
    {
      summary = attest_track_summary_new (track->id);
      g_hash_table_insert (m->summaries, GUINT_TO_POINTER (track->id), summary);
    }
  changed = attest_track_summary_follow (summary, track, view, box,
                                         info->assessed ? &info->quality : NULL, pts,
                                         frame_number);

  if (info->compared)
    {
      attest_track_summary_set_candidates (summary, info->candidates, info->n_candidates,
                                           threshold);
      changed = TRUE;
    }
  if (changed)
    {
      summary->threshold = threshold;
      g_ptr_array_add (changed_out, summary);
    }
}

/* Hands the changed summaries and the ended tracks of this frame to the main thread. */
static void
publish_summaries (AttestPipeline *self,
                   AttestMatching *m,
                   GPtrArray      *changed,
                   GPtrArray      *ended,
                   guint           generation)
{
  g_mutex_lock (&self->lock);
  if (generation == self->generation)
    {
      for (guint i = 0; i < changed->len; i++)
        {
          AttestTrackSummary *summary = g_ptr_array_index (changed, i);

          g_hash_table_replace (self->live_tracks, GUINT_TO_POINTER (summary->track_id),
                                attest_track_summary_copy (summary));
        }
      for (guint i = 0; i < ended->len; i++)
        {
          guint id = ((AttestTrack *) g_ptr_array_index (ended, i))->id;
          gpointer summary = NULL;

          if (g_hash_table_steal_extended (self->live_tracks, GUINT_TO_POINTER (id), NULL,
                                           &summary))
            queue_track_ended_locked (self, summary);
        }
    }
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < ended->len; i++)
    g_hash_table_remove (m->summaries,
                         GUINT_TO_POINTER (((AttestTrack *) g_ptr_array_index (ended, i))->id));
}

/* A frame after the tracker's last: tracked, and each track searched when its best face
 * changed or the index did. */
static void
match_in_order (AttestPipeline  *self,
                AttestMatching  *m,
                GstClockTime     pts,
                guint64          frame_number,
                guint            generation,
                double           threshold,
                const AttestImageView *view,
                const AttestBox *boxes,
                float          **embeddings,
                AttestFaceInfo  *info,
                guint            n,
                AttestMatcher   *matcher,
                AttestMatcher   *rejections,
                GHashTable      *names,
                guint            serial)
{
  g_autofree guint *ids = g_new0 (guint, MAX (n, 1));
  g_autoptr (GPtrArray) ended = NULL;
  g_autoptr (GPtrArray) changed = g_ptr_array_new ();

  attest_tracker_set_frame_size (m->tracker, view->width, view->height);
  attest_tracker_update (m->tracker, (gint64) pts, boxes, (const float *const *) embeddings,
                         NULL, n, ids);
  m->last_pts = pts;

  /* Ended tracks go to the review queue (publish_summaries). */
  ended = attest_tracker_take_ended (m->tracker);
  for (guint i = 0; i < ended->len; i++)
    g_hash_table_remove (m->searched,
                         GUINT_TO_POINTER (((AttestTrack *) g_ptr_array_index (ended, i))->id));

  for (guint i = 0; i < n; i++)
    {
      const AttestTrack *track;
      guint searched;

      info[i].track_id = ids[i];
      track = ids[i] != 0 ? attest_tracker_get_track (m->tracker, ids[i]) : NULL;
      if (track == NULL)
        continue;
      if (!track->has_embedding)
        {
          update_summary (m, track, view, &boxes[i], &info[i], pts, frame_number, threshold,
                          changed);
          continue;
        }

      searched = GPOINTER_TO_UINT (g_hash_table_lookup (m->searched, GUINT_TO_POINTER (ids[i])));
      if (searched != serial + 1 || track->candidates_stale)
        {
          AttestCandidate found[ATTEST_FACE_MAX_CANDIDATES];
          guint n_found;

          n_found = search_without_rejected (matcher, rejections, track->best_embedding, found);
          attest_tracker_set_candidates (m->tracker, ids[i], found, n_found);
          g_hash_table_insert (m->searched, GUINT_TO_POINTER (ids[i]),
                               GUINT_TO_POINTER (serial + 1));
          track = attest_tracker_get_track (m->tracker, ids[i]);
        }

      set_candidates (&info[i], track->candidates, track->n_candidates, names);
      update_summary (m, track, view, &boxes[i], &info[i], pts, frame_number, threshold,
                      changed);
    }

  publish_summaries (self, m, changed, ended, generation);
}

/* A frame at or before the tracker's last (paused, stepped back, just resumed). */
static void
match_out_of_order (AttestMatching  *m,
                    GstClockTime     pts,
                    const AttestBox *boxes,
                    float          **embeddings,
                    AttestFaceInfo  *info,
                    guint            n,
                    AttestMatcher   *matcher,
                    AttestMatcher   *rejections,
                    GHashTable      *names,
                    guint            serial)
{
  const AttestDetections *near = nearest_recent (m, pts, serial);

  for (guint i = 0; i < n; i++)
    {
      const AttestFaceInfo *same = NULL;
      float best_iou = SAME_FACE_IOU;

      for (guint j = 0; near != NULL && near->info != NULL && j < near->n_faces; j++)
        {
          float iou = attest_box_iou (&boxes[i], &near->faces[j]);

          if (iou >= best_iou)
            {
              best_iou = iou;
              same = &near->info[j];
            }
        }

      if (same != NULL && same->track_id != 0)
        {
          info[i].track_id = same->track_id;
          /* The track's label, as it was shown on the frames around this one. */
          if (same->compared)
            {
              info[i].compared = TRUE;
              info[i].n_candidates = same->n_candidates;
              for (guint c = 0; c < same->n_candidates; c++)
                {
                  info[i].candidates[c] = same->candidates[c];
                  info[i].candidates[c].name = g_strdup (same->candidates[c].name);
                }
              continue;
            }
        }

      if (embeddings[i] != NULL)
        {
          AttestCandidate found[ATTEST_FACE_MAX_CANDIDATES];
          guint n_found = search_without_rejected (matcher, rejections, embeddings[i], found);

          set_candidates (&info[i], found, n_found, names);
        }
    }
}

AttestDetections *
_attest_matching_run (AttestPipeline        *self,
                      AttestMatching        *m,
                      const AttestImageView *view,
                      GstClockTime           pts,
                      guint64                frame_number,
                      guint                  generation,
                      const AttestBox       *boxes,
                      guint                  n)
{
  g_autoptr (AttestMatcher) matcher = NULL;
  g_autoptr (AttestMatcher) rejections = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autofree AttestFaceInfo *info = NULL;
  g_autofree float *storage = NULL;
  g_autofree float **embeddings = NULL;
  gboolean in_order;
  AttestDetections *detections;
  double threshold;
  guint serial;

  g_mutex_lock (&self->lock);
  if (self->matcher != NULL)
    matcher = attest_matcher_ref (self->matcher);
  if (self->identity_names != NULL)
    names = g_hash_table_ref (self->identity_names);
  if (self->rejections != NULL)
    rejections = attest_matcher_ref (self->rejections);
  serial = self->matcher_serial;
  threshold = self->match_threshold;
  g_mutex_unlock (&self->lock);

  if (matcher == NULL)
    return NULL;

  /* A seek or new media: continuity is broken. */
  if (!m->started || generation != m->generation)
    {
      attest_tracker_reset (m->tracker);
      g_ptr_array_unref (attest_tracker_take_ended (m->tracker));
      g_hash_table_remove_all (m->searched);
      g_hash_table_remove_all (m->summaries);
      g_array_set_size (m->recent, 0);
      m->started = TRUE;
      m->generation = generation;
      m->last_pts = GST_CLOCK_TIME_NONE;
    }

  info = g_new0 (AttestFaceInfo, MAX (n, 1));
  storage = g_new (float, (gsize) MAX (n, 1) * ATTEST_EMBEDDING_DIM);
  embeddings = g_new0 (float *, MAX (n, 1));

  in_order = !GST_CLOCK_TIME_IS_VALID (m->last_pts) || pts > m->last_pts;
  if (in_order)
    attest_tracker_set_frame_size (m->tracker, view->width, view->height);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      float *embedding = storage + (gsize) i * ATTEST_EMBEDDING_DIM;

      if (!attest_vision_assess (self->vision, view, &boxes[i], &info[i].quality, &error))
        {
          /* A box the gate cannot measure cannot be compared either. */
          info[i].quality_reason = g_strdup (error->message);
          continue;
        }
      info[i].assessed = TRUE;
      if (info[i].quality.issue != ATTEST_QUALITY_OK)
        {
          info[i].quality_reason = attest_quality_describe (&info[i].quality);
          continue;
        }

      /* Embedding is the worker's biggest cost per face: skip it where the track this box
       * continues already has a best face at least as good, so playback keeps up and boxes
       * stay on the faces. */
      if (in_order && !attest_tracker_worth_embedding (m->tracker, &boxes[i]))
        continue;

      if (attest_vision_embed (self->vision, view, &boxes[i], embedding, &error))
        embeddings[i] = embedding;
      else
        info[i].quality_reason = g_strdup (error->message);
    }

  if (in_order)
    match_in_order (self, m, pts, frame_number, generation, threshold, view, boxes, embeddings,
                    info, n, matcher, rejections, names, serial);
  else
    match_out_of_order (m, pts, boxes, embeddings, info, n, matcher, rejections, names, serial);

  detections = attest_detections_new_full (pts, frame_number, view->width, view->height,
                                           boxes, info, n, threshold);
  for (guint i = 0; i < n; i++)
    attest_face_info_clear (&info[i]);

  remember (m, detections, serial);
  return detections;
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

void
attest_pipeline_set_matcher (AttestPipeline *self,
                             AttestMatcher  *matcher,
                             GHashTable     *identity_names)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

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
  self->matcher_serial++;

  /* Paused: the frame on screen is labelled again with the new gallery. */
  if (!self->worker_playing && self->paused_sample != NULL && self->preroll_sample == NULL)
    {
      self->preroll_sample = gst_sample_ref (self->paused_sample);
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->lock);
}

void
attest_pipeline_set_rejections (AttestPipeline *self,
                                AttestMatcher  *rejections)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  g_mutex_lock (&self->lock);
  if (rejections != self->rejections)
    {
      if (rejections != NULL)
        attest_matcher_ref (rejections);
      g_clear_pointer (&self->rejections, attest_matcher_unref);
      self->rejections = rejections;
      /* Every track is searched again without what was rejected. */
      self->matcher_serial++;
      if (!self->worker_playing && self->paused_sample != NULL && self->preroll_sample == NULL)
        {
          self->preroll_sample = gst_sample_ref (self->paused_sample);
          g_cond_signal (&self->cond);
        }
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
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->rejections, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  g_clear_pointer (&self->paused_sample, gst_sample_unref);
}
