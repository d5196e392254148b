/* attest-video-paintable.h: GdkPaintable showing the latest frame of an appsink.
 * Clapper's pattern: the streaming thread hands in a GstSample under a mutex and schedules
 * at most one idle; the idle swaps it in and invalidates. snapshot() wraps the mapped frame
 * in a GdkMemoryTexture through GBytes that keep the buffer mapped (no copy). */
#pragma once

#include <gdk/gdk.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_VIDEO_PAINTABLE (attest_video_paintable_get_type ())
G_DECLARE_FINAL_TYPE (AttestVideoPaintable, attest_video_paintable, ATTEST, VIDEO_PAINTABLE, GObject)

AttestVideoPaintable *attest_video_paintable_new         (void);
/* Any thread. The sample must be RGBA or BGRA video (GTK 4.8 has no padded formats). */
void                  attest_video_paintable_push_sample (AttestVideoPaintable *self,
                                                          GstSample            *sample);
/* Main thread: PTS of the frame shown now (GST_CLOCK_TIME_NONE before the first). */
GstClockTime          attest_video_paintable_get_pts     (AttestVideoPaintable *self);
/* Main thread: the shown frame in stream pixels (0x0 before the first). */
void                  attest_video_paintable_get_frame_size (AttestVideoPaintable *self,
                                                             int                  *width,
                                                             int                  *height);
/* Main thread: forget the frame (new source opened). */
void                  attest_video_paintable_clear       (AttestVideoPaintable *self);

G_END_DECLS
