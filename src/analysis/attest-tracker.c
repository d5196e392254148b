/* attest-tracker.c: frame-to-frame face association (see attest-tracker.h).
 *
 * Each update scores every (track, box) pair, keeps the plausible ones and assigns them
 * greedily, best score first, so no box and no track is used twice in a frame. A pair is
 * plausible when the box overlaps the track's predicted box (IoU >= IOU_MIN), or the faces
 * look alike (cosine >= COSINE_MIN: fast motion, skipped frames, a short occlusion), or, for
 * a track seen only once (no velocity yet), the box is near and about as big. Overlap is not
 * trusted when two whole faces clearly differ (cosine < COSINE_VETO): a cut to someone else
 * in the same place, or two people crossing, must not continue a track. The score adds
 * overlap and likeness, so where both are known the right pairing beats a merely nearer one.
 * With a handful of faces per frame, greedy assignment is enough.
 *
 * Measured on the bundled sample (tests/test-tracker.c, every 2nd to every 10th frame): one
 * whole face in consecutive analysed frames scores cosine >= 0.85 (mean 0.99); different
 * people in one frame <= 0.30 (models.md: <= 0.44 over 8,092 pairs of real photos); a face
 * the frame edge cuts scores as low as 0.24 against its previous sighting, hence the veto
 * needs whole faces on both sides. Odd boxes (one straddling two faces) score ~0.2 too.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "attest-tracker.h"

#define IOU_MIN 0.3f
#define COSINE_MIN 0.5f
/* A box that continues a track by overlap at least this much is "the same place": embedding
 * it can be skipped while the track's identity check is not due (attest_tracker_peek). */
#define CONTINUE_IOU 0.5f
/* A jump: a continuing box this much wider or narrower than the last one, or whose centre is
 * this many box widths from where the track was heading. Someone else, or a cut, may have
 * taken the place: the identity is checked at once. */
#define JUMP_SIZE_RATIO 1.25
#define JUMP_DISTANCE 0.35
/* A track seen once has no velocity yet: a box whose centre is within this many widths of
 * its box, of about the same size, may be it (a 44 px face moving 12 px a frame, every 2nd
 * frame analysed, overlaps its last box by IoU 0.28 only). */
#define NEAR_MAX_DISTANCE 0.75
#define NEAR_MAX_SIZE_RATIO 1.5
/* A box this close to the frame's edge (fraction of the frame side, at least 2 px) holds a
 * face the edge probably cuts: the detector clips boxes to the frame. */
#define EDGE_FRACTION 0.01
#define EDGE_MIN_PX 2.0
/* A sighting must beat the best one's quality by this fraction to replace it: detector
 * boxes jitter by a few percent from frame to frame, and each replacement means a new search
 * and perhaps a new label (measured on the sample: 5-10 replacements per track without a
 * margin, 2-4 with it). */
#define BEST_MARGIN 0.1f
#define NS_PER_S 1e9

/* The public part first: an AttestTrack pointer handed out is a Track. */
typedef struct
{
  AttestTrack pub;

  /* Motion: the sighting before the last one gives the velocity. */
  gboolean  has_velocity;
  double    vx, vy;              /* box centre, pixels per second */

  gboolean  best_whole;          /* the best sighting is not cut by the frame edge */

  /* The latest embedding seen, for likeness beside the best one (appearance drifts). */
  gboolean  has_last_embedding;
  float     last_embedding[ATTEST_EMBEDDING_DIM];
  /* The latest embedding of the whole face: only those may refuse a face as different. */
  gboolean  has_whole_embedding;
  float     whole_embedding[ATTEST_EMBEDDING_DIM];

  /* Refused a whole face at its predicted place in this update (someone else is there). */
  gboolean  refused;
} Track;

struct _AttestTracker
{
  gint64     max_gap;
  int        frame_width;        /* 0: unknown */
  int        frame_height;
  guint      next_id;
  gboolean   has_pts;
  gint64     last_update_pts;
  GPtrArray *active;             /* Track*, by id */
  GPtrArray *ended;              /* Track*, by end */
};

typedef struct
{
  guint  track;                  /* index into active */
  guint  box;
  float  score;
  gint64 last_pts;               /* the track's */
} Pair;

/* One face in the frame being added. */
typedef struct
{
  const AttestBox *box;
  const float     *embedding;    /* may be NULL */
  float            quality;
  gboolean         whole;        /* not cut by the frame edge */
} Sighting;

AttestTracker *
attest_tracker_new (void)
{
  AttestTracker *self = g_new0 (AttestTracker, 1);

  self->max_gap = ATTEST_TRACKER_DEFAULT_MAX_GAP_NS;
  self->next_id = 1;
  self->active = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_track_free);
  self->ended = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_track_free);
  return self;
}

void
attest_tracker_free (AttestTracker *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->active);
  g_ptr_array_unref (self->ended);
  g_free (self);
}

void
attest_tracker_set_max_gap (AttestTracker *self,
                            gint64         max_gap_ns)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_gap_ns >= 0);

  self->max_gap = max_gap_ns;
}

gint64
attest_tracker_get_max_gap (AttestTracker *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_gap;
}

void
attest_tracker_set_frame_size (AttestTracker *self,
                               int            width,
                               int            height)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (width >= 0 && height >= 0);

  self->frame_width = width;
  self->frame_height = height;
}

AttestTrack *
attest_track_copy (const AttestTrack *track)
{
  Track *copy;

  g_return_val_if_fail (track != NULL, NULL);

  copy = g_memdup2 (track, sizeof (Track));
  copy->pub.candidates = g_memdup2 (track->candidates,
                                    track->n_candidates * sizeof (AttestTrackCandidate));
  return &copy->pub;
}

void
attest_track_free (AttestTrack *track)
{
  if (track == NULL)
    return;
  g_free (track->candidates);
  g_free ((Track *) track);
}

static void
box_center (const AttestBox *box,
            double          *cx,
            double          *cy)
{
  *cx = box->x + box->w / 2.0;
  *cy = box->y + box->h / 2.0;
}

/* Where the track's face should be at pts: the last box moved on at the last velocity. */
static AttestBox
predict_box (const Track *track,
             gint64       pts,
             gint64       max_gap)
{
  AttestBox box = track->pub.last_box;
  double dt = (double) CLAMP (pts - track->pub.last_pts, 0, max_gap) / NS_PER_S;

  if (track->has_velocity)
    {
      box.x += (float) (track->vx * dt);
      box.y += (float) (track->vy * dt);
    }
  return box;
}

/* How near box b is to box a, 0 (too far or too different in size) to 1 (same centre), for
 * a track without a velocity. */
static float
nearness (const AttestBox *a,
          const AttestBox *b)
{
  double ax, ay, bx, by, distance;
  double ratio = (double) b->w / a->w;

  if (ratio > NEAR_MAX_SIZE_RATIO || ratio < 1.0 / NEAR_MAX_SIZE_RATIO)
    return 0.0f;
  box_center (a, &ax, &ay);
  box_center (b, &bx, &by);
  distance = hypot (bx - ax, by - ay) / MAX (a->w, b->w);
  return (float) MAX (0.0, 1.0 - distance / NEAR_MAX_DISTANCE);
}

/* Whether the face is whole: its box keeps clear of the frame's edges. Without a frame size
 * only the left and top edges are known. */
static gboolean
box_is_whole (AttestTracker   *self,
              const AttestBox *box)
{
  double mx = MAX (EDGE_MIN_PX, EDGE_FRACTION * self->frame_width);
  double my = MAX (EDGE_MIN_PX, EDGE_FRACTION * self->frame_height);

  if (box->x < mx || box->y < my)
    return FALSE;
  if (self->frame_width > 0 && box->x + box->w > self->frame_width - mx)
    return FALSE;
  if (self->frame_height > 0 && box->y + box->h > self->frame_height - my)
    return FALSE;
  return TRUE;
}

/* Likeness of a face to a track: the better of its best and its latest embedding.
 * -2 when either side has none. */
static float
track_likeness (const Track *track,
                const float *embedding)
{
  float cosine = -2.0f;

  if (embedding == NULL)
    return cosine;
  if (track->pub.has_embedding)
    cosine = attest_embedding_cosine (track->pub.best_embedding, embedding);
  if (track->has_last_embedding)
    cosine = MAX (cosine, attest_embedding_cosine (track->last_embedding, embedding));
  return cosine;
}

/* Whether a whole face is clearly someone else than the track's whole face. Embeddings of
 * faces the frame edge cuts are too unlike their whole face to refuse anything (measured:
 * cosine 0.24 between two frames of one face sliding in). */
static gboolean
track_refuses (const Track    *track,
               const Sighting *sighting)
{
  float cosine;

  if (!sighting->whole || sighting->embedding == NULL || !track->has_whole_embedding)
    return FALSE;
  cosine = attest_embedding_cosine (track->whole_embedding, sighting->embedding);
  if (track->pub.has_embedding && track->best_whole)
    cosine = MAX (cosine, attest_embedding_cosine (track->pub.best_embedding,
                                                   sighting->embedding));
  return cosine < ATTEST_TRACKER_SAME_PERSON;
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const Pair *pa = a, *pb = b;

  if (pa->score != pb->score)
    return pa->score > pb->score ? -1 : 1;
  /* Ties (two tracks where the face is, nothing else to tell them apart): the track seen
   * most recently, then the older track, then boxes in order, so runs are reproducible. */
  if (pa->last_pts != pb->last_pts)
    return pa->last_pts > pb->last_pts ? -1 : 1;
  if (pa->track != pb->track)
    return pa->track < pb->track ? -1 : 1;
  return pa->box < pb->box ? -1 : (pa->box > pb->box);
}

/* Whether the sighting should replace the track's best one. What the best is for decides
 * the order: it is searched, so an embedded face beats one without; it is shown for review,
 * so a whole face beats a cut one; then the caller's quality. */
static gboolean
better_than_best (const Track    *track,
                  const Sighting *sighting)
{
  gboolean embedded = sighting->embedding != NULL;

  if (embedded != track->pub.has_embedding)
    return embedded;
  if (sighting->whole != track->best_whole)
    return sighting->whole;
  return sighting->quality > track->pub.best_quality +
                             BEST_MARGIN * fabsf (track->pub.best_quality);
}

/* A sighting of the track at pts. */
static void
track_add_sighting (Track          *track,
                    gint64          pts,
                    const Sighting *sighting)
{
  AttestTrack *pub = &track->pub;
  const float *embedding = sighting->embedding;

  if (pub->n_sightings > 0 && pts > pub->last_pts)
    {
      double dt = (double) (pts - pub->last_pts) / NS_PER_S;
      double x0, y0, x1, y1;

      box_center (&pub->last_box, &x0, &y0);
      box_center (sighting->box, &x1, &y1);
      track->vx = (x1 - x0) / dt;
      track->vy = (y1 - y0) / dt;
      track->has_velocity = TRUE;
    }

  if (pub->n_sightings == 0 || better_than_best (track, sighting))
    {
      pub->best_pts = pts;
      pub->best_box = *sighting->box;
      pub->best_quality = sighting->quality;
      track->best_whole = sighting->whole;
      if (embedding != NULL)
        {
          if (pub->has_embedding)
            pub->best_changes++;
          memcpy (pub->best_embedding, embedding, sizeof pub->best_embedding);
          pub->has_embedding = TRUE;
          /* Candidates found for the old embedding stay shown until new ones are set. */
          pub->candidates_stale = TRUE;
        }
    }

  if (pub->n_sightings == 0)
    pub->first_pts = pts;
  pub->last_pts = pts;
  pub->last_box = *sighting->box;
  pub->n_sightings++;

  if (embedding != NULL)
    {
      memcpy (track->last_embedding, embedding, sizeof track->last_embedding);
      track->has_last_embedding = TRUE;
      if (sighting->whole)
        {
          memcpy (track->whole_embedding, embedding, sizeof track->whole_embedding);
          track->has_whole_embedding = TRUE;
          /* A whole face, embedded and not refused: who the track is was checked now. */
          pub->checked_pts = pts;
        }
    }
}

static void
end_track (AttestTracker *self,
           guint          index)
{
  Track *track = g_ptr_array_steal_index (self->active, index);

  track->pub.ended = TRUE;
  g_ptr_array_add (self->ended, track);
}

static void
end_all (AttestTracker *self)
{
  while (self->active->len > 0)
    end_track (self, 0);
  self->has_pts = FALSE;
}

static gboolean
finite_box (const AttestBox *box)
{
  return isfinite (box->x) && isfinite (box->y) && isfinite (box->w) && isfinite (box->h) &&
         box->w > 0 && box->h > 0;
}

void
attest_tracker_update (AttestTracker      *self,
                       gint64              pts_ns,
                       const AttestBox    *boxes,
                       const float *const *embeddings,
                       const float        *qualities,
                       guint               n,
                       guint              *track_ids_out)
{
  g_autoptr(GArray) pairs = NULL;
  g_autofree gboolean *track_used = NULL;
  g_autofree Sighting *sightings = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n == 0 || (boxes != NULL && track_ids_out != NULL));

  /* Time went back: a seek. Nothing before it continues after it. */
  if (self->has_pts && pts_ns < self->last_update_pts)
    end_all (self);
  self->has_pts = TRUE;
  self->last_update_pts = pts_ns;

  for (guint i = 0; i < self->active->len;)
    {
      Track *track = self->active->pdata[i];

      if (pts_ns - track->pub.last_pts > self->max_gap)
        end_track (self, i);
      else
        i++;
    }

  sightings = g_new0 (Sighting, n);
  for (guint b = 0; b < n; b++)
    {
      sightings[b].box = &boxes[b];
      sightings[b].embedding = embeddings != NULL ? embeddings[b] : NULL;
      sightings[b].quality = qualities != NULL ? qualities[b] : boxes[b].w;
      sightings[b].whole = box_is_whole (self, &boxes[b]);
      track_ids_out[b] = 0;
    }

  pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  for (guint t = 0; t < self->active->len; t++)
    {
      Track *track = self->active->pdata[t];
      AttestBox predicted = predict_box (track, pts_ns, self->max_gap);

      track->refused = FALSE;
      for (guint b = 0; b < n; b++)
        {
          float iou_predicted, iou, cosine, near;
          Pair pair = { t, b, 0, track->pub.last_pts };

          if (!finite_box (&boxes[b]))
            continue;
          iou_predicted = attest_box_iou (&predicted, &boxes[b]);
          /* The last box too: a face that stops dead is where it was, not where it was
           * heading. */
          iou = MAX (iou_predicted, attest_box_iou (&track->pub.last_box, &boxes[b]));
          cosine = track_likeness (track, sightings[b].embedding);
          near = track->has_velocity ? 0.0f : nearness (&track->pub.last_box, &boxes[b]);
          if (iou < IOU_MIN && cosine < COSINE_MIN && near <= 0.0f)
            continue;
          if (track_refuses (track, &sightings[b]))
            {
              /* Someone else where this track's face was: unless the track's own face turns
               * up elsewhere in this frame, it has left and this one took its place. */
              if (iou >= IOU_MIN)
                track->refused = TRUE;
              continue;
            }

          /* Nearness stays below any overlap that passes on its own: a closer look, not a
           * bonus on top of one. */
          pair.score = MAX (iou_predicted + 0.5f * (iou - iou_predicted), IOU_MIN * near) +
                       MAX (cosine, 0.0f);
          g_array_append_val (pairs, pair);
        }
    }
  g_array_sort (pairs, compare_pairs);

  track_used = g_new0 (gboolean, self->active->len);
  for (guint i = 0; i < pairs->len; i++)
    {
      const Pair *pair = &g_array_index (pairs, Pair, i);
      Track *track = self->active->pdata[pair->track];

      if (track_used[pair->track] || track_ids_out[pair->box] != 0)
        continue;
      track_used[pair->track] = TRUE;
      track_ids_out[pair->box] = track->pub.id;
      track_add_sighting (track, pts_ns, &sightings[pair->box]);
    }

  /* A track refused by a face in its place and not seen elsewhere ends now: the face there is
   * someone else, and the next frames' faces there (perhaps not embedded) must not fall back
   * to the old track. */
  for (guint t = self->active->len; t-- > 0;)
    if (!track_used[t] && ((Track *) self->active->pdata[t])->refused)
      {
        ((Track *) self->active->pdata[t])->pub.replaced = TRUE;
        end_track (self, t);
      }

  /* Boxes nobody claimed start tracks, in box order. */
  for (guint b = 0; b < n; b++)
    {
      Track *track;

      if (track_ids_out[b] != 0)
        continue;
      if (!finite_box (&boxes[b]))
        {
          g_debug ("tracker: ignoring a box with no area or non-finite coordinates");
          continue;
        }
      track = g_new0 (Track, 1);
      track->pub.id = self->next_id++;
      track->pub.checked_pts = -1;
      track_add_sighting (track, pts_ns, &sightings[b]);
      g_ptr_array_add (self->active, track);
      track_ids_out[b] = track->pub.id;
    }
}

static Track *
find_track (AttestTracker *self,
            guint          id)
{
  for (guint i = 0; i < self->active->len; i++)
    if (((Track *) self->active->pdata[i])->pub.id == id)
      return self->active->pdata[i];
  for (guint i = 0; i < self->ended->len; i++)
    if (((Track *) self->ended->pdata[i])->pub.id == id)
      return self->ended->pdata[i];
  return NULL;
}

const AttestTrack *
attest_tracker_get_track (AttestTracker *self,
                          guint          id)
{
  Track *track;

  g_return_val_if_fail (self != NULL, NULL);

  track = find_track (self, id);
  return track != NULL ? &track->pub : NULL;
}

GPtrArray *
attest_tracker_get_active (AttestTracker *self)
{
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);

  /* New tracks are appended with increasing ids and removal keeps order: already by id. */
  out = g_ptr_array_sized_new (self->active->len);
  for (guint i = 0; i < self->active->len; i++)
    g_ptr_array_add (out, &((Track *) self->active->pdata[i])->pub);
  return out;
}

guint
attest_tracker_peek (AttestTracker      *self,
                     gint64              pts_ns,
                     const AttestBox    *box,
                     AttestTrackerCheck *check)
{
  const Track *found = NULL;
  float found_iou = CONTINUE_IOU;
  AttestTrackerCheck why = 0;
  AttestBox predicted;
  double px, py, bx, by, ratio;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (box != NULL, 0);

  if (check != NULL)
    *check = ATTEST_TRACKER_CHECK_NEW;
  if (!finite_box (box) || (self->has_pts && pts_ns < self->last_update_pts))
    return 0;

  for (guint t = 0; t < self->active->len; t++)
    {
      const Track *track = self->active->pdata[t];
      AttestBox p = predict_box (track, pts_ns, self->max_gap);
      float iou = MAX (attest_box_iou (&p, box), attest_box_iou (&track->pub.last_box, box));

      if (pts_ns - track->pub.last_pts > self->max_gap)
        continue;
      if (iou >= found_iou)
        {
          found = track;
          found_iou = iou;
        }
    }
  if (found == NULL)
    return 0;

  predicted = predict_box (found, pts_ns, self->max_gap);
  box_center (&predicted, &px, &py);
  box_center (box, &bx, &by);
  ratio = (double) box->w / found->pub.last_box.w;

  /* Never checked, or not for a while. */
  if (found->pub.checked_pts < 0 || pts_ns - found->pub.checked_pts >= ATTEST_TRACKER_CHECK_EVERY_NS)
    why |= ATTEST_TRACKER_CHECK_DUE;
  /* Not seen on the previous update: whoever left may not be whoever came back. */
  if (found->pub.last_pts < self->last_update_pts)
    why |= ATTEST_TRACKER_CHECK_GAP;
  /* A jump in size or place. */
  if (ratio > JUMP_SIZE_RATIO || ratio < 1.0 / JUMP_SIZE_RATIO ||
      hypot (bx - px, by - py) > JUMP_DISTANCE * MAX (box->w, found->pub.last_box.w))
    why |= ATTEST_TRACKER_CHECK_JUMP;
  /* A face that may replace the track's best: the best is cut by the frame edge, or this box
   * is wider by the margin a new best needs (box width stands for quality here). */
  if (!found->pub.has_embedding || !found->best_whole || !box_is_whole (self, &found->pub.best_box) ||
      box->w > found->pub.best_box.w * (1.0f + BEST_MARGIN))
    why |= ATTEST_TRACKER_CHECK_BETTER;

  if (check != NULL)
    *check = why;
  return found->pub.id;
}

GPtrArray *
attest_tracker_take_ended (AttestTracker *self)
{
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_steal_pointer (&self->ended);
  self->ended = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_track_free);
  return out;
}

guint
attest_tracker_get_n_ended (AttestTracker *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->ended->len;
}

void
attest_tracker_flush (AttestTracker *self)
{
  g_return_if_fail (self != NULL);

  end_all (self);
}

void
attest_tracker_reset (AttestTracker *self)
{
  g_return_if_fail (self != NULL);

  end_all (self);
}

gboolean
attest_tracker_set_candidates (AttestTracker              *self,
                               guint                       id,
                               const AttestTrackCandidate *candidates,
                               guint                       n)
{
  Track *track;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n == 0 || candidates != NULL, FALSE);

  track = find_track (self, id);
  if (track == NULL)
    return FALSE;
  g_free (track->pub.candidates);
  track->pub.candidates = g_memdup2 (candidates, n * sizeof (AttestTrackCandidate));
  track->pub.n_candidates = n;
  track->pub.candidates_stale = FALSE;
  return TRUE;
}
