/* attest-track-summary.c: see attest-track-summary.h. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "attest-track-summary.h"

G_DEFINE_BOXED_TYPE (AttestTrackSummary, attest_track_summary,
                     attest_track_summary_ref, attest_track_summary_unref)

AttestTrackSummary *
attest_track_summary_new (guint track_id)
{
  AttestTrackSummary *self = g_atomic_rc_box_new0 (AttestTrackSummary);

  self->track_id = track_id;
  self->first_pts = ATTEST_TIME_NONE;
  self->last_pts = ATTEST_TIME_NONE;
  self->best_pts = ATTEST_TIME_NONE;
  self->best_frame = G_MAXUINT64;
  self->first_frame = G_MAXUINT64;
  self->threshold = NAN;
  return self;
}

static void
clear_candidates (AttestTrackSummary *self)
{
  for (guint i = 0; i < self->n_candidates; i++)
    g_clear_pointer (&self->candidates[i].name, g_free);
  self->n_candidates = 0;
  for (guint i = 0; i < self->n_hidden; i++)
    attest_hidden_candidate_clear (&self->hidden[i]);
  self->n_hidden = 0;
}

static void
summary_clear (gpointer data)
{
  AttestTrackSummary *self = data;

  g_clear_pointer (&self->probe_png, g_bytes_unref);
  for (guint i = 0; i < self->n_frames; i++)
    g_clear_pointer (&self->frame_pngs[i], g_bytes_unref);
  clear_candidates (self);
}

AttestTrackSummary *
attest_track_summary_copy (const AttestTrackSummary *self)
{
  AttestTrackSummary *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = (g_atomic_rc_box_dup) (sizeof (AttestTrackSummary), self);
  if (copy->probe_png != NULL)
    g_bytes_ref (copy->probe_png);
  for (guint i = 0; i < copy->n_frames; i++)
    g_bytes_ref (copy->frame_pngs[i]);
  for (guint i = 0; i < copy->n_candidates; i++)
    copy->candidates[i].name = g_strdup (self->candidates[i].name);
  for (guint i = 0; i < copy->n_hidden; i++)
    attest_hidden_candidate_copy (&copy->hidden[i], &self->hidden[i]);
  return copy;
}

AttestTrackSummary *
attest_track_summary_ref (AttestTrackSummary *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
attest_track_summary_unref (AttestTrackSummary *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, summary_clear);
}

void
attest_track_summary_set_candidates (AttestTrackSummary   *self,
                                     const AttestFaceInfo *info,
                                     double                threshold)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (info != NULL);

  clear_candidates (self);
  self->compared = TRUE;
  self->threshold = threshold;
  self->n_candidates = MIN (info->n_candidates, ATTEST_FACE_MAX_CANDIDATES);
  for (guint i = 0; i < self->n_candidates; i++)
    {
      self->candidates[i] = info->candidates[i];
      self->candidates[i].name = g_strdup (info->candidates[i].name);
    }
  self->n_hidden = MIN (info->n_hidden, ATTEST_FACE_MAX_CANDIDATES);
  for (guint i = 0; i < self->n_hidden; i++)
    attest_hidden_candidate_copy (&self->hidden[i], &info->hidden[i]);
}

void
attest_track_summary_add_frame (AttestTrackSummary *self,
                                guint64        pts,
                                GBytes             *png)
{
  guint drop = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (png != NULL);

  if (self->n_frames == ATTEST_TRACK_SUMMARY_MAX_FRAMES)
    {
      /* Keep the first and the newest; of the inner ones drop the one whose neighbours are
       * closest together, so the crops stay spread over the whole track. */
      guint64 best_gap = ATTEST_TIME_NONE;

      for (guint i = 1; i < self->n_frames; i++)
        {
          guint64 next = i + 1 < self->n_frames ? self->frame_pts[i + 1] : pts;
          guint64 gap = next - self->frame_pts[i - 1];

          if (gap < best_gap)
            {
              best_gap = gap;
              drop = i;
            }
        }
      g_bytes_unref (self->frame_pngs[drop]);
      memmove (&self->frame_pngs[drop], &self->frame_pngs[drop + 1],
               (self->n_frames - drop - 1) * sizeof (GBytes *));
      memmove (&self->frame_pts[drop], &self->frame_pts[drop + 1],
               (self->n_frames - drop - 1) * sizeof (guint64));
      self->n_frames--;
    }
  self->frame_pngs[self->n_frames] = g_bytes_ref (png);
  self->frame_pts[self->n_frames] = pts;
  self->n_frames++;
}

static gboolean
box_is_whole (const AttestBox       *box,
              const AttestImageView *view)
{
  return box->x > 1 && box->y > 1 && box->x + box->w < view->width - 1 &&
         box->y + box->h < view->height - 1;
}

gboolean
attest_track_summary_follow (AttestTrackSummary    *self,
                             const AttestTrack     *track,
                             const AttestImageView *view,
                             const AttestBox       *box,
                             const AttestQuality   *quality,
                             gboolean               checked,
                             guint64                pts,
                             guint64                frame_number)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (track != NULL && view != NULL && box != NULL, FALSE);

  if (self->first_pts == ATTEST_TIME_NONE)
    {
      self->first_pts = pts;
      self->first_frame = frame_number;
      changed = TRUE;
    }
  self->last_pts = pts;
  self->frame_width = view->width;
  self->frame_height = view->height;

  /* The tracker chose this sighting as the best: keep its crop while the pixels are here. */
  if (track->best_pts == (gint64) pts && self->best_pts != pts)
    {
      g_autoptr (GError) error = NULL;
      GBytes *png = attest_image_crop_png (view, box, ATTEST_TRACK_SUMMARY_CROP_SIZE, &error);

      if (png != NULL)
        {
          g_clear_pointer (&self->probe_png, g_bytes_unref);
          self->probe_png = png;
          self->best_pts = pts;
          self->best_frame = frame_number;
          self->best_box = *box;
          if (quality != NULL)
            self->quality = *quality;
          self->has_embedding = track->has_embedding;
          if (track->has_embedding)
            memcpy (self->embedding, track->best_embedding, sizeof self->embedding);
          changed = TRUE;
        }
      else
        g_debug ("No crop for track %u: %s", track->id, error->message);
    }

  /* A few more views of the face, spread over its time on screen: the first sighting, then
   * faces whose identity was checked on this frame (they are the track's person). */
  if (self->n_frames == 0 ||
      (checked && box_is_whole (box, view) &&
       pts >= self->frame_pts[self->n_frames - 1] + ATTEST_TRACK_SUMMARY_FRAME_EVERY))
    {
      g_autoptr (GBytes) png = attest_image_crop_png (view, box, ATTEST_TRACK_SUMMARY_CROP_SIZE,
                                                      NULL);

      if (png != NULL)
        {
          attest_track_summary_add_frame (self, pts, png);
          changed = TRUE;
        }
    }
  return changed;
}

gboolean
attest_track_summary_is_suggestion (const AttestTrackSummary *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->compared && self->n_candidates > 0 && isfinite (self->threshold) &&
         self->candidates[0].score >= self->threshold;
}
