/* attest-detections.c: the faces found in one frame, as an immutable refcounted boxed type. */
#include "attest-detections.h"

#include <math.h>
#include <string.h>

/* The public struct is followed by a private refcount so the fields stay plain data. */
typedef struct
{
  AttestDetections public;
  gatomicrefcount  ref_count;
} AttestDetectionsReal;

G_DEFINE_BOXED_TYPE (AttestDetections, attest_detections,
                     attest_detections_ref, attest_detections_unref)

AttestDetections *
attest_detections_new (guint64     pts,
                       guint64          frame,
                       int              width,
                       int              height,
                       const AttestBox *faces,
                       guint            n_faces)
{
  return attest_detections_new_full (pts, frame, width, height, faces, NULL, n_faces, NAN);
}

AttestDetections *
attest_detections_new_full (guint64          pts,
                            guint64               frame,
                            int                   width,
                            int                   height,
                            const AttestBox      *faces,
                            const AttestFaceInfo *info,
                            guint                 n_faces,
                            double                threshold)
{
  AttestDetectionsReal *real;

  g_return_val_if_fail (n_faces == 0 || faces != NULL, NULL);
  g_return_val_if_fail (width >= 0 && height >= 0, NULL);

  real = g_new0 (AttestDetectionsReal, 1);
  g_atomic_ref_count_init (&real->ref_count);
  real->public.pts = pts;
  real->public.frame = frame;
  real->public.width = width;
  real->public.height = height;
  real->public.n_faces = n_faces;
  real->public.faces = n_faces > 0 ? g_memdup2 (faces, sizeof (AttestBox) * n_faces) : NULL;
  real->public.threshold = info != NULL ? threshold : NAN;

  if (info != NULL && n_faces > 0)
    {
      real->public.info = g_new0 (AttestFaceInfo, n_faces);
      for (guint i = 0; i < n_faces; i++)
        attest_face_info_copy (&real->public.info[i], &info[i]);
    }

  return &real->public;
}

AttestDetections *
attest_detections_ref (AttestDetections *self)
{
  AttestDetectionsReal *real = (AttestDetectionsReal *) self;

  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&real->ref_count);

  return self;
}

void
attest_detections_unref (AttestDetections *self)
{
  AttestDetectionsReal *real = (AttestDetectionsReal *) self;

  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&real->ref_count))
    {
      if (real->public.info != NULL)
        for (guint i = 0; i < real->public.n_faces; i++)
          attest_face_info_clear (&real->public.info[i]);
      g_free (real->public.info);
      g_free (real->public.faces);
      g_free (real);
    }
}

const AttestFaceInfo *
attest_detections_get_info (const AttestDetections *self,
                            guint                   i)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->info == NULL || i >= self->n_faces)
    return NULL;
  return &self->info[i];
}

int
attest_detections_find_track (const AttestDetections *self,
                              guint                   track_id)
{
  g_return_val_if_fail (self != NULL, -1);

  if (self->info == NULL || track_id == 0)
    return -1;
  for (guint i = 0; i < self->n_faces; i++)
    if (self->info[i].track_id == track_id)
      return (int) i;
  return -1;
}

AttestFaceState
attest_face_info_get_state (const AttestFaceInfo *info,
                            double                threshold)
{
  if (info == NULL)
    return ATTEST_FACE_STATE_NOT_COMPARED;

  /* The track's candidates come from its best sighting: they label the face even on a frame
   * where it is briefly blurred or turned, so the label does not flicker. */
  if (info->compared)
    {
      if (info->n_candidates > 0 && info->candidates[0].score >= threshold)
        return ATTEST_FACE_STATE_SUGGESTION;
      return ATTEST_FACE_STATE_NO_MATCH;
    }

  if (info->quality_reason != NULL)
    return ATTEST_FACE_STATE_POOR;

  return ATTEST_FACE_STATE_NOT_COMPARED;
}

void
attest_face_info_copy (AttestFaceInfo       *dest,
                       const AttestFaceInfo *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  *dest = *src;
  dest->quality_reason = g_strdup (src->quality_reason);
  dest->n_candidates = MIN (src->n_candidates, ATTEST_FACE_MAX_CANDIDATES);
  for (guint i = 0; i < dest->n_candidates; i++)
    dest->candidates[i].name = g_strdup (src->candidates[i].name);
  dest->n_hidden = MIN (src->n_hidden, ATTEST_FACE_MAX_CANDIDATES);
  for (guint i = 0; i < dest->n_hidden; i++)
    attest_hidden_candidate_copy (&dest->hidden[i], &src->hidden[i]);
}

void
attest_face_info_clear (AttestFaceInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->quality_reason, g_free);
  for (guint i = 0; i < info->n_candidates; i++)
    g_clear_pointer (&info->candidates[i].name, g_free);
  info->n_candidates = 0;
  for (guint i = 0; i < info->n_hidden; i++)
    attest_hidden_candidate_clear (&info->hidden[i]);
  info->n_hidden = 0;
}

void
attest_hidden_candidate_copy (AttestHiddenCandidate       *dest,
                              const AttestHiddenCandidate *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  *dest = *src;
  dest->candidate.name = g_strdup (src->candidate.name);
  dest->rejected_by = g_strdup (src->rejected_by);
  dest->rejected_uri = g_strdup (src->rejected_uri);
}

void
attest_hidden_candidate_clear (AttestHiddenCandidate *hidden)
{
  g_return_if_fail (hidden != NULL);

  g_clear_pointer (&hidden->candidate.name, g_free);
  g_clear_pointer (&hidden->rejected_by, g_free);
  g_clear_pointer (&hidden->rejected_uri, g_free);
}
