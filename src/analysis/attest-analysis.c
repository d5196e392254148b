/* attest-analysis.c: the per-frame step (see attest-analysis.h).
 *
 * Appearance grids. Between two embeddings of a track, what says that the face in its place
 * is still the same one? Besides the tracker's rules (a gap, a jump in size or place), each
 * face's box is reduced to a small grid of mean colours (a few hundred pixel reads), and a
 * face whose grid differs from its track's last one by more than ATTEST_ANALYSIS_LOOK_CHANGE
 * is embedded at once: in a doorway or a slideshow, someone else can stand exactly where the
 * last person stood, in a box of the same size. The same grid over the whole frame tells a
 * scene cut: most cells change at once. The limits and what they were measured on are in
 * attest-analysis-private.h.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "analysis/attest-analysis-private.h"
#include "analysis/attest-tracker.h"

#define LOOK_SIZE ATTEST_ANALYSIS_LOOK_SIZE
#define LOOK_GRID ATTEST_ANALYSIS_LOOK_GRID
/* Samples per cell side when averaging (LOOK_SAMPLES^2 pixels per cell). */
#define LOOK_SAMPLES 4
#define FRAME_GRID_W 16
#define FRAME_GRID_H 9
#define FRAME_LOOK_SIZE ATTEST_ANALYSIS_FRAME_LOOK_SIZE
/* Candidates searched per track: enough that those the rejections hide still leave
 * ATTEST_FACE_MAX_CANDIDATES to show. */
#define SEARCH_K (2 * ATTEST_FACE_MAX_CANDIDATES)
/* Out-of-order frames: a face overlapping a face of a nearby analysed frame this much is in
 * that face's place. */
#define SAME_PLACE_IOU 0.3f
/* Results remembered for the out-of-order frames (about the player's history). */
#define RECENT_RESULTS 64
/* Checks that say someone else may be there now: until the face is embedded, its label waits. */
#define CHANGE_CHECKS (ATTEST_TRACKER_CHECK_GAP | ATTEST_TRACKER_CHECK_JUMP)

/* What the step keeps per active track, beside the tracker's record. */
typedef struct
{
  AttestTrackSummary *summary;        /* the step's own; copies go out */
  AttestFaceInfo      labels;         /* candidates and hidden ones for the track's best face
                                       * (only the candidate fields are used) */
  gboolean            compared;       /* labels hold a search */
  guint               searched_best;  /* track->best_changes + 1 searched; 0: never */
  guint               searched_serial;
  gboolean            unverified;     /* a change was seen and the face not embedded since */
  gboolean            has_look;
  float               look[LOOK_SIZE];
} StepTrack;

typedef struct
{
  AttestDetections *detections;
  guint             serial;
} Recent;

/* The settings as one frame uses them. */
typedef struct
{
  AttestMatcher    *matcher;
  GHashTable       *names;
  AttestRejections *rejections;
  double            threshold;
  char             *uri;
  char             *sha256;
  guint             serial;
} Snapshot;

struct _AttestAnalysis
{
  AttestVision        *vision;     /* not owned */
  AttestAnalysisFlags  flags;

  /* Settings, under lock */
  GMutex               lock;
  AttestMatcher       *matcher;
  GHashTable          *names;
  AttestRejections    *rejections;
  double               threshold;
  char                *uri;
  char                *sha256;
  guint                serial;     /* bumped when the gallery or the rejections change */

  /* The processing thread's */
  AttestTracker       *tracker;
  GHashTable          *tracks;     /* tracker id -> StepTrack * */
  guint64              last_pts;   /* of the last frame tracked; ATTEST_TIME_NONE: none */
  gboolean             has_frame_look;
  float                frame_look[FRAME_LOOK_SIZE];
  GArray              *recent;     /* Recent, oldest first */
  AttestAnalysisStats  stats;
};

static void
step_track_free (gpointer data)
{
  StepTrack *t = data;

  attest_track_summary_unref (t->summary);
  attest_face_info_clear (&t->labels);
  g_free (t);
}

static void
recent_clear (gpointer data)
{
  g_clear_pointer (&((Recent *) data)->detections, attest_detections_unref);
}

static void
snapshot_clear (Snapshot *snap)
{
  g_clear_pointer (&snap->matcher, attest_matcher_unref);
  g_clear_pointer (&snap->names, g_hash_table_unref);
  g_clear_pointer (&snap->rejections, attest_rejections_unref);
  g_clear_pointer (&snap->uri, g_free);
  g_clear_pointer (&snap->sha256, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Snapshot, snapshot_clear)

AttestAnalysis *
attest_analysis_new (AttestVision        *vision,
                     AttestAnalysisFlags  flags)
{
  AttestAnalysis *self;

  g_return_val_if_fail (vision != NULL, NULL);

  self = g_new0 (AttestAnalysis, 1);
  self->vision = vision;
  self->flags = flags;
  g_mutex_init (&self->lock);
  self->threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
  self->tracker = attest_tracker_new ();
  self->tracks = g_hash_table_new_full (NULL, NULL, NULL, step_track_free);
  self->last_pts = ATTEST_TIME_NONE;
  self->recent = g_array_new (FALSE, TRUE, sizeof (Recent));
  g_array_set_clear_func (self->recent, recent_clear);
  return self;
}

void
attest_analysis_free (AttestAnalysis *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_clear_pointer (&self->rejections, attest_rejections_unref);
  g_free (self->uri);
  g_free (self->sha256);
  g_mutex_clear (&self->lock);
  attest_tracker_free (self->tracker);
  g_hash_table_unref (self->tracks);
  g_array_unref (self->recent);
  g_free (self);
}

/* ---- settings (any thread) ---- */

void
attest_analysis_set_gallery (AttestAnalysis *self,
                             AttestMatcher  *matcher,
                             GHashTable     *names)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  if (matcher != NULL)
    attest_matcher_ref (matcher);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  self->matcher = matcher;
  if (names != NULL)
    g_hash_table_ref (names);
  g_clear_pointer (&self->names, g_hash_table_unref);
  self->names = names;
  self->serial++;
  g_mutex_unlock (&self->lock);
}

void
attest_analysis_set_rejections (AttestAnalysis   *self,
                                AttestRejections *rejections)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  if (rejections != NULL)
    attest_rejections_ref (rejections);
  g_clear_pointer (&self->rejections, attest_rejections_unref);
  self->rejections = rejections;
  self->serial++;
  g_mutex_unlock (&self->lock);
}

void
attest_analysis_set_threshold (AttestAnalysis *self,
                               double          threshold)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (threshold));

  g_mutex_lock (&self->lock);
  self->threshold = threshold;
  g_mutex_unlock (&self->lock);
}

double
attest_analysis_get_threshold (AttestAnalysis *self)
{
  double threshold;

  g_return_val_if_fail (self != NULL, ATTEST_MATCHER_DEFAULT_THRESHOLD);

  g_mutex_lock (&self->lock);
  threshold = self->threshold;
  g_mutex_unlock (&self->lock);
  return threshold;
}

void
attest_analysis_set_source (AttestAnalysis *self,
                            const char     *uri,
                            const char     *sha256)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  g_free (self->uri);
  self->uri = g_strdup (uri);
  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
  self->serial++;
  g_mutex_unlock (&self->lock);
}

static void
take_snapshot (AttestAnalysis *self,
               Snapshot       *snap)
{
  g_mutex_lock (&self->lock);
  snap->matcher = self->matcher != NULL ? attest_matcher_ref (self->matcher) : NULL;
  snap->names = self->names != NULL ? g_hash_table_ref (self->names) : NULL;
  snap->rejections = self->rejections != NULL ? attest_rejections_ref (self->rejections) : NULL;
  snap->threshold = self->threshold;
  snap->uri = g_strdup (self->uri);
  snap->sha256 = g_strdup (self->sha256);
  snap->serial = self->serial;
  g_mutex_unlock (&self->lock);
}

void
attest_analysis_get_stats (AttestAnalysis      *self,
                           AttestAnalysisStats *stats)
{
  g_return_if_fail (self != NULL && stats != NULL);

  *stats = self->stats;
}

/* ---- appearance grids ---- */

/* Mean B, G, R of the view's pixels at (x, y), x in [x0, x1) sampled n times per side. */
static void
cell_mean (const AttestImageView *view,
           int                    x0,
           int                    y0,
           int                    x1,
           int                    y1,
           float                 *out)
{
  int bpp = view->format == ATTEST_PIXELS_BGRA || view->format == ATTEST_PIXELS_RGBA ? 4 : 3;
  gboolean rgb = view->format == ATTEST_PIXELS_RGB || view->format == ATTEST_PIXELS_RGBA;
  double sum[3] = { 0, 0, 0 };
  int n = 0;

  for (int j = 0; j < LOOK_SAMPLES; j++)
    {
      int y = y0 + (int) ((j + 0.5) * (y1 - y0) / LOOK_SAMPLES);
      const guint8 *row;

      if (y < 0 || y >= view->height)
        continue;
      row = view->data + (gsize) y * view->stride;
      for (int i = 0; i < LOOK_SAMPLES; i++)
        {
          int x = x0 + (int) ((i + 0.5) * (x1 - x0) / LOOK_SAMPLES);
          const guint8 *p;

          if (x < 0 || x >= view->width)
            continue;
          p = row + (gsize) x * bpp;
          sum[0] += rgb ? p[2] : p[0];
          sum[1] += p[1];
          sum[2] += rgb ? p[0] : p[2];
          n++;
        }
    }
  for (int c = 0; c < 3; c++)
    out[c] = n > 0 ? (float) (sum[c] / n) : 0.0f;
}

/* A grid_w x grid_h grid of mean colours over the rectangle (clamped to the view). */
static void
grid_look (const AttestImageView *view,
           double                 x,
           double                 y,
           double                 w,
           double                 h,
           int                    grid_w,
           int                    grid_h,
           float                 *out)
{
  for (int gy = 0; gy < grid_h; gy++)
    for (int gx = 0; gx < grid_w; gx++)
      cell_mean (view,
                 (int) floor (x + w * gx / grid_w), (int) floor (y + h * gy / grid_h),
                 (int) floor (x + w * (gx + 1) / grid_w), (int) floor (y + h * (gy + 1) / grid_h),
                 out + (gy * grid_w + gx) * 3);
}

float
_attest_analysis_look_difference (const float *a,
                                  const float *b,
                                  guint        n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += fabsf (a[i] - b[i]);
  return (float) (sum / n);
}

void
_attest_analysis_frame_look (const AttestImageView *view,
                             float                 *out)
{
  grid_look (view, 0, 0, view->width, view->height, FRAME_GRID_W, FRAME_GRID_H, out);
}

double
_attest_analysis_frame_change (const float *a,
                               const float *b)
{
  guint changed = 0;

  for (guint c = 0; c < FRAME_GRID_W * FRAME_GRID_H; c++)
    if (_attest_analysis_look_difference (&a[c * 3], &b[c * 3], 3) > ATTEST_ANALYSIS_CUT_CELL_CHANGE)
      changed++;
  return (double) changed / (FRAME_GRID_W * FRAME_GRID_H);
}

/* Whether the whole frame changed since the last tracked frame; keeps this frame's grid. */
static gboolean
scene_cut (AttestAnalysis        *self,
           const AttestImageView *view)
{
  float look[FRAME_LOOK_SIZE];
  gboolean cut;

  _attest_analysis_frame_look (view, look);
  cut = self->has_frame_look &&
        _attest_analysis_frame_change (look, self->frame_look) >= ATTEST_ANALYSIS_CUT_SHARE;
  memcpy (self->frame_look, look, sizeof look);
  self->has_frame_look = TRUE;
  return cut;
}

void
_attest_analysis_face_look (const AttestImageView *view,
                            const AttestBox       *box,
                            float                 *out)
{
  grid_look (view, box->x, box->y, box->w, box->h, LOOK_GRID, LOOK_GRID, out);
}

/* ---- candidates ---- */

static char *
identity_name (GHashTable *names,
               gint64      identity_id)
{
  const char *name = names != NULL ? g_hash_table_lookup (names, &identity_id) : NULL;

  if (name != NULL)
    return g_strdup (name);
  /* Enrolled after the names were loaded; the next snapshot brings the name. */
  return g_strdup_printf (_("Identity %" G_GINT64_FORMAT), identity_id);
}

static gint64
ns_to_ms (guint64 ns)
{
  return ns == ATTEST_TIME_NONE ? 0 : (gint64) (ns / G_GUINT64_CONSTANT (1000000));
}

/* Searches `probe` (seen at `where`) and fills out's candidates and hidden candidates. */
static void
search_face (AttestAnalysis       *self,
             const Snapshot       *snap,
             const float          *probe,
             const AttestSighting *where,
             AttestFaceInfo       *out)
{
  AttestCandidate found[SEARCH_K];
  guint n = attest_matcher_search (snap->matcher, probe, SEARCH_K, NULL, 0, found);

  self->stats.searches++;
  for (guint i = 0; i < out->n_candidates; i++)
    g_clear_pointer (&out->candidates[i].name, g_free);
  for (guint i = 0; i < out->n_hidden; i++)
    attest_hidden_candidate_clear (&out->hidden[i]);
  out->n_candidates = out->n_hidden = 0;
  out->compared = TRUE;

  for (guint i = 0; i < n; i++)
    {
      float similarity;
      const AttestRejection *r = attest_rejections_lookup (snap->rejections, found[i].identity_id,
                                                           probe, where, &similarity);
      AttestFaceCandidate c = {
        found[i].identity_id, found[i].face_id, NULL, found[i].score, found[i].rank
      };

      if (r == NULL && out->n_candidates < ATTEST_FACE_MAX_CANDIDATES)
        {
          c.name = identity_name (snap->names, c.identity_id);
          out->candidates[out->n_candidates++] = c;
        }
      else if (r != NULL && out->n_hidden < ATTEST_FACE_MAX_CANDIDATES)
        {
          AttestHiddenCandidate *h = &out->hidden[out->n_hidden++];

          c.name = identity_name (snap->names, c.identity_id);
          h->candidate = c;
          h->rejection_id = r->rejection_id;
          h->rejected_by = g_strdup (r->reviewer);
          h->rejected_at_us = r->decided_at_us;
          h->rejected_uri = g_strdup (r->source_uri);
          h->rejected_ms = r->best_ms;
          h->similarity = similarity;
        }
    }
}

/* Copies the candidate fields of src into dest (both AttestFaceInfo). */
static void
copy_labels (AttestFaceInfo       *dest,
             const AttestFaceInfo *src)
{
  dest->compared = TRUE;
  dest->n_candidates = src->n_candidates;
  for (guint i = 0; i < src->n_candidates; i++)
    {
      dest->candidates[i] = src->candidates[i];
      dest->candidates[i].name = g_strdup (src->candidates[i].name);
    }
  dest->n_hidden = src->n_hidden;
  for (guint i = 0; i < src->n_hidden; i++)
    attest_hidden_candidate_copy (&dest->hidden[i], &src->hidden[i]);
}

/* Searches the track's best face over its span so far; TRUE when its labels changed. */
static gboolean
search_track (AttestAnalysis    *self,
              const Snapshot    *snap,
              StepTrack         *t,
              const AttestTrack *track,
              gboolean           force)
{
  AttestSighting where = {
    snap->uri, snap->sha256, ns_to_ms ((guint64) track->first_pts), ns_to_ms ((guint64) track->last_pts)
  };

  if (snap->matcher == NULL || !track->has_embedding)
    return FALSE;
  if (!force && t->searched_best == track->best_changes + 1 && t->searched_serial == snap->serial)
    return FALSE;
  search_face (self, snap, track->best_embedding, &where, &t->labels);
  t->compared = TRUE;
  t->searched_best = track->best_changes + 1;
  t->searched_serial = snap->serial;
  attest_track_summary_set_candidates (t->summary, &t->labels, snap->threshold);
  return TRUE;
}

/* ---- tracks ---- */

static StepTrack *
get_step_track (AttestAnalysis *self,
                guint           id)
{
  StepTrack *t = g_hash_table_lookup (self->tracks, GUINT_TO_POINTER (id));

  if (t == NULL)
    {
      t = g_new0 (StepTrack, 1);
      t->summary = attest_track_summary_new (id);
      g_hash_table_insert (self->tracks, GUINT_TO_POINTER (id), t);
    }
  return t;
}

/* The tracker's ended tracks: searched once more over their whole span, their summaries
 * appended to `out` (final). */
static void
collect_ended (AttestAnalysis *self,
               const Snapshot *snap,
               GPtrArray      *out)
{
  g_autoptr (GPtrArray) ended = attest_tracker_take_ended (self->tracker);

  for (guint i = 0; i < ended->len; i++)
    {
      const AttestTrack *track = g_ptr_array_index (ended, i);
      gpointer key = GUINT_TO_POINTER (track->id);
      StepTrack *t = g_hash_table_lookup (self->tracks, key);

      if (t == NULL)
        continue;
      if (track->replaced)
        self->stats.splits++;
      search_track (self, snap, t, track, TRUE);
      t->summary->last_pts = (guint64) track->last_pts;
      g_ptr_array_add (out, attest_track_summary_ref (t->summary));
      g_hash_table_remove (self->tracks, key);
    }
}

GPtrArray *
attest_analysis_reset (AttestAnalysis *self)
{
  g_auto (Snapshot) snap = { 0 };
  GPtrArray *ended = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_track_summary_unref);

  g_return_val_if_fail (self != NULL, ended);

  take_snapshot (self, &snap);
  attest_tracker_reset (self->tracker);
  collect_ended (self, &snap, ended);
  g_hash_table_remove_all (self->tracks);
  g_array_set_size (self->recent, 0);
  self->last_pts = ATTEST_TIME_NONE;
  self->has_frame_look = FALSE;
  return ended;
}

/* ---- one frame ---- */

typedef struct
{
  AttestBox      boxes[ATTEST_ANALYSIS_MAX_FACES];
  AttestFaceInfo info[ATTEST_ANALYSIS_MAX_FACES];
  float         *embeddings[ATTEST_ANALYSIS_MAX_FACES];
  float          storage[ATTEST_ANALYSIS_MAX_FACES][ATTEST_EMBEDDING_DIM];
  float          looks[ATTEST_ANALYSIS_MAX_FACES][LOOK_SIZE];
  guint          checks[ATTEST_ANALYSIS_MAX_FACES];  /* AttestTrackerCheck, or CHANGE_LOOK */
  guint          n;
} Frame;

/* A face whose look changed since its track's last sighting (beside AttestTrackerCheck). */
#define CHECK_LOOK (1u << 16)

/* Gate and embed face i; the embedding goes to f->embeddings[i] when made. */
static void
examine_face (AttestAnalysis        *self,
              const AttestImageView *view,
              Frame                 *f,
              guint                  i,
              gboolean               embed)
{
  g_autoptr (GError) error = NULL;
  AttestFaceInfo *info = &f->info[i];
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = attest_vision_assess (self->vision, view, &f->boxes[i], &info->quality, &error);

  self->stats.gated++;
  self->stats.gate_us += g_get_monotonic_time () - t0;
  if (!ok)
    {
      /* A box the gate cannot measure cannot be compared either. */
      info->quality_reason = g_strdup (error->message);
      return;
    }
  info->assessed = TRUE;
  if (info->quality.issue != ATTEST_QUALITY_OK)
    {
      info->quality_reason = attest_quality_describe (&info->quality);
      return;
    }
  if (!embed)
    return;

  t0 = g_get_monotonic_time ();
  if (attest_vision_embed (self->vision, view, &f->boxes[i], f->storage[i], &error))
    {
      f->embeddings[i] = f->storage[i];
      info->embedded = TRUE;
    }
  else
    info->quality_reason = g_strdup (error->message);
  self->stats.embedded++;
  self->stats.embed_us += g_get_monotonic_time () - t0;
  /* An embedding only to check who the track is: what the identity checks cost. */
  if ((f->checks[i] & (ATTEST_TRACKER_CHECK_NEW | ATTEST_TRACKER_CHECK_BETTER)) == 0)
    {
      self->stats.checks++;
      self->stats.check_us += g_get_monotonic_time () - t0;
    }
}

/* A frame after the last one tracked. */
static void
process_in_order (AttestAnalysis        *self,
                  const Snapshot        *snap,
                  const AttestImageView *view,
                  guint64                pts,
                  guint64                frame_number,
                  Frame                 *f,
                  AttestFrameResult     *result)
{
  guint ids[ATTEST_ANALYSIS_MAX_FACES];
  gint64 t0 = g_get_monotonic_time ();

  /* A cut ends every track before anything on this frame continues one. */
  result->scene_cut = scene_cut (self, view);
  if (result->scene_cut)
    {
      self->stats.scene_cuts++;
      attest_tracker_reset (self->tracker);
      collect_ended (self, snap, result->ended);
    }
  attest_tracker_set_frame_size (self->tracker, view->width, view->height);

  for (guint i = 0; i < f->n; i++)
    {
      AttestTrackerCheck check;
      guint id = attest_tracker_peek (self->tracker, (gint64) pts, &f->boxes[i], &check);
      StepTrack *t = id != 0 ? g_hash_table_lookup (self->tracks, GUINT_TO_POINTER (id)) : NULL;

      _attest_analysis_face_look (view, &f->boxes[i], f->looks[i]);
      f->checks[i] = check;
      if (t != NULL && t->has_look &&
          _attest_analysis_look_difference (f->looks[i], t->look, LOOK_SIZE) >
            ATTEST_ANALYSIS_LOOK_CHANGE)
        f->checks[i] |= CHECK_LOOK;
    }
  self->stats.look_us += g_get_monotonic_time () - t0;

  for (guint i = 0; i < f->n; i++)
    if (f->checks[i] != 0 || (self->flags & ATTEST_ANALYSIS_GATE_EVERY_FACE))
      examine_face (self, view, f, i, f->checks[i] != 0);

  t0 = g_get_monotonic_time ();
  attest_tracker_update (self->tracker, (gint64) pts, f->boxes,
                         (const float *const *) f->embeddings, NULL, f->n, ids);
  self->last_pts = pts;

  /* Tracks that ended here (a gap, someone else in their place). */
  collect_ended (self, snap, result->ended);

  for (guint i = 0; i < f->n; i++)
    {
      const AttestTrack *track = ids[i] != 0 ? attest_tracker_get_track (self->tracker, ids[i]) : NULL;
      AttestFaceInfo *info = &f->info[i];
      gboolean changed, searched, checked;
      StepTrack *t;

      if (track == NULL)
        continue;
      info->track_id = ids[i];
      t = get_step_track (self, ids[i]);

      /* Checked: embedded on this frame (a whole face, or the tracker would not count it). */
      checked = info->embedded && track->checked_pts == (gint64) pts;
      if (checked)
        t->unverified = FALSE;
      else if (f->checks[i] & (CHANGE_CHECKS | CHECK_LOOK))
        t->unverified = TRUE;
      memcpy (t->look, f->looks[i], sizeof t->look);
      t->has_look = TRUE;

      searched = search_track (self, snap, t, track, FALSE);
      /* The label is the track's own face's, and only while nothing says someone else may be
       * there now: a change that could not be checked (a poor face) withholds it. */
      if (t->compared && !t->unverified)
        copy_labels (info, &t->labels);

      changed = attest_track_summary_follow (t->summary, track, view, &f->boxes[i],
                                             info->assessed ? &info->quality : NULL, checked,
                                             pts, frame_number);
      if (changed || searched)
        {
          t->summary->threshold = snap->threshold;
          g_ptr_array_add (result->changed, attest_track_summary_copy (t->summary));
        }
    }
  self->stats.track_us += g_get_monotonic_time () - t0;
}

/* The remembered result nearest in time to pts, from the current settings. */
static const AttestDetections *
nearest_recent (AttestAnalysis *self,
                guint64         pts,
                guint           serial)
{
  const AttestDetections *best = NULL;
  guint64 best_distance = ATTEST_TIME_NONE;

  for (guint i = 0; i < self->recent->len; i++)
    {
      const Recent *r = &g_array_index (self->recent, Recent, i);
      guint64 d = r->detections->pts > pts ? r->detections->pts - pts : pts - r->detections->pts;

      if (r->serial == serial && d < best_distance)
        {
          best = r->detections;
          best_distance = d;
        }
    }
  return best;
}

/* A frame at or before the last one tracked (paused, stepped back, just resumed): not
 * tracked; each face is labelled from its own embedding. */
static void
process_out_of_order (AttestAnalysis        *self,
                      const Snapshot        *snap,
                      const AttestImageView *view,
                      guint64                pts,
                      Frame                 *f)
{
  const AttestDetections *near = nearest_recent (self, pts, snap->serial);
  AttestSighting where = { snap->uri, snap->sha256, ns_to_ms (pts), ns_to_ms (pts) };

  for (guint i = 0; i < f->n; i++)
    {
      AttestFaceInfo *info = &f->info[i];
      const AttestTrack *track = NULL;
      float best_iou = SAME_PLACE_IOU;
      guint id = 0;

      f->checks[i] = ATTEST_TRACKER_CHECK_NEW;
      examine_face (self, view, f, i, TRUE);
      for (guint j = 0; near != NULL && near->info != NULL && j < near->n_faces; j++)
        {
          float iou = attest_box_iou (&f->boxes[i], &near->faces[j]);

          if (iou >= best_iou && near->info[j].track_id != 0)
            {
              best_iou = iou;
              id = near->info[j].track_id;
            }
        }
      track = id != 0 ? attest_tracker_get_track (self->tracker, id) : NULL;
      /* The nearby track's id only for that track's person (or a face that cannot say). */
      if (track != NULL && (f->embeddings[i] == NULL ||
                            (track->has_embedding &&
                             attest_embedding_cosine (track->best_embedding, f->embeddings[i]) >=
                             ATTEST_TRACKER_SAME_PERSON)))
        info->track_id = id;
      if (f->embeddings[i] != NULL && snap->matcher != NULL)
        {
          gint64 t0 = g_get_monotonic_time ();

          search_face (self, snap, f->embeddings[i], &where, info);
          self->stats.track_us += g_get_monotonic_time () - t0;
        }
    }
}

AttestFrameResult *
attest_analysis_process (AttestAnalysis        *self,
                         const AttestImageView *view,
                         guint64                pts,
                         guint64                frame_number)
{
  g_auto (Snapshot) snap = { 0 };
  g_autofree Frame *f = g_new0 (Frame, 1);
  AttestFrameResult *result;
  gint64 t0;
  int found;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (view != NULL && view->data != NULL, NULL);

  take_snapshot (self, &snap);
  result = g_new0 (AttestFrameResult, 1);
  result->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_track_summary_unref);
  result->ended = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_track_summary_unref);

  t0 = g_get_monotonic_time ();
  found = attest_vision_detect (self->vision, view, f->boxes, ATTEST_ANALYSIS_MAX_FACES);
  f->n = (guint) CLAMP (found, 0, ATTEST_ANALYSIS_MAX_FACES);
  self->stats.detect_us += g_get_monotonic_time () - t0;
  self->stats.frames++;
  self->stats.faces += f->n;

  /* No gallery: the faces only (what was being followed ends). */
  if (snap.matcher == NULL)
    {
      if (g_hash_table_size (self->tracks) > 0)
        {
          g_autoptr (GPtrArray) ended = attest_analysis_reset (self);

          g_ptr_array_extend_and_steal (result->ended, g_steal_pointer (&ended));
        }
      result->detections = attest_detections_new (pts, frame_number, view->width, view->height,
                                                  f->boxes, f->n);
      return result;
    }

  if (self->last_pts == ATTEST_TIME_NONE || pts > self->last_pts)
    process_in_order (self, &snap, view, pts, frame_number, f, result);
  else
    process_out_of_order (self, &snap, view, pts, f);

  result->detections = attest_detections_new_full (pts, frame_number, view->width, view->height,
                                                   f->boxes, f->info, f->n, snap.threshold);
  for (guint i = 0; i < f->n; i++)
    attest_face_info_clear (&f->info[i]);

  {
    Recent recent = { attest_detections_ref (result->detections), snap.serial };

    if (self->recent->len >= RECENT_RESULTS)
      g_array_remove_index (self->recent, 0);
    g_array_append_val (self->recent, recent);
  }
  return result;
}

void
attest_frame_result_free (AttestFrameResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->detections, attest_detections_unref);
  g_clear_pointer (&result->changed, g_ptr_array_unref);
  g_clear_pointer (&result->ended, g_ptr_array_unref);
  g_free (result);
}
