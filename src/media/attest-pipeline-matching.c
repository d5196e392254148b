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

#include "review/attest-tracker.h"
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

/* A frame after the tracker's last: tracked, and each track searched when its best face
 * changed or the index did. */
static void
match_in_order (AttestMatching  *m,
                GstClockTime     pts,
                const AttestImageView *view,
                const AttestBox *boxes,
                float          **embeddings,
                AttestFaceInfo  *info,
                guint            n,
                AttestMatcher   *matcher,
                GHashTable      *names,
                guint            serial)
{
  g_autofree guint *ids = g_new0 (guint, MAX (n, 1));
  g_autoptr (GPtrArray) ended = NULL;

  attest_tracker_set_frame_size (m->tracker, view->width, view->height);
  attest_tracker_update (m->tracker, (gint64) pts, boxes, (const float *const *) embeddings,
                         NULL, n, ids);
  m->last_pts = pts;

  /* Ended tracks are only wanted by the review queue (issue 4); drop them. */
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
      if (track == NULL || !track->has_embedding)
        continue;

      searched = GPOINTER_TO_UINT (g_hash_table_lookup (m->searched, GUINT_TO_POINTER (ids[i])));
      if (searched != serial + 1 || track->candidates_stale)
        {
          AttestCandidate found[ATTEST_FACE_MAX_CANDIDATES];
          guint n_found;

          n_found = attest_matcher_search (matcher, track->best_embedding,
                                           ATTEST_FACE_MAX_CANDIDATES, NULL, 0, found);
          attest_tracker_set_candidates (m->tracker, ids[i], found, n_found);
          g_hash_table_insert (m->searched, GUINT_TO_POINTER (ids[i]),
                               GUINT_TO_POINTER (serial + 1));
          track = attest_tracker_get_track (m->tracker, ids[i]);
        }

      set_candidates (&info[i], track->candidates, track->n_candidates, names);
    }
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
          guint n_found = attest_matcher_search (matcher, embeddings[i],
                                                 ATTEST_FACE_MAX_CANDIDATES, NULL, 0, found);

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
    match_in_order (m, pts, view, boxes, embeddings, info, n, matcher, names, serial);
  else
    match_out_of_order (m, pts, boxes, embeddings, info, n, matcher, names, serial);

  detections = attest_detections_new_full (pts, frame_number, view->width, view->height,
                                           boxes, info, n, threshold);
  for (guint i = 0; i < n; i++)
    attest_face_info_clear (&info[i]);

  remember (m, detections, serial);
  return detections;
}

/* ---- Main thread ---- */

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

void
_attest_pipeline_analysis_finalize (AttestPipeline *self)
{
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  g_clear_pointer (&self->paused_sample, gst_sample_unref);
}
