/* attest-detections.h: the faces found in one video frame, stamped with that frame's PTS.
 * Immutable once made; refcounted so it can travel from the analysis worker to the main
 * thread and be held by the view without copies. */
#pragma once

#include <glib-object.h>
#include <gst/gst.h>

#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_DETECTIONS (attest_detections_get_type ())

typedef struct
{
  GstClockTime pts;       /* of the analysed frame */
  guint64      frame;     /* frame number in the stream when known, else G_MAXUINT64 */
  int          width;     /* frame size the boxes refer to */
  int          height;
  guint        n_faces;
  AttestBox   *faces;     /* n_faces boxes, highest score first */
} AttestDetections;

GType             attest_detections_get_type (void) G_GNUC_CONST;
AttestDetections *attest_detections_new      (GstClockTime      pts,
                                              guint64           frame,
                                              int               width,
                                              int               height,
                                              const AttestBox  *faces,
                                              guint             n_faces);
AttestDetections *attest_detections_ref      (AttestDetections *self);
void              attest_detections_unref    (AttestDetections *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestDetections, attest_detections_unref)

G_END_DECLS
