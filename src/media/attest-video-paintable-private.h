/* attest-video-paintable-private.h: what AttestPipeline needs beyond the public API. */
#pragma once

#include "attest-video-paintable.h"

G_BEGIN_DECLS

/* Main thread: swaps in a pushed sample now instead of waiting for the idle, so "prerolled"
 * means "shown". */
void         _attest_video_paintable_flush           (AttestVideoPaintable *self);
/* Main thread: the shown frame's frame rate (0/1 when unknown). */
void         _attest_video_paintable_get_framerate   (AttestVideoPaintable *self,
                                                      int                  *fps_n,
                                                      int                  *fps_d);

G_END_DECLS
