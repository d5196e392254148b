/* attest-detections.c: the faces found in one frame, as an immutable refcounted boxed type. */
#include "attest-detections.h"

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
attest_detections_new (GstClockTime     pts,
                       guint64          frame,
                       int              width,
                       int              height,
                       const AttestBox *faces,
                       guint            n_faces)
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
      g_free (real->public.faces);
      g_free (real);
    }
}
