/* attest-video-view.h: shows a video paintable letterboxed and draws the face boxes of the
 * detections over it, only while they belong to the frame on screen (the PTS rule). */
#pragma once

#include <gtk/gtk.h>

#include "media/attest-detections.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_VIDEO_VIEW (attest_video_view_get_type ())
G_DECLARE_FINAL_TYPE (AttestVideoView, attest_video_view, ATTEST, VIDEO_VIEW, GtkWidget)

GtkWidget        *attest_video_view_new                   (void);

GdkPaintable     *attest_video_view_get_paintable         (AttestVideoView  *self);
void              attest_video_view_set_paintable         (AttestVideoView  *self,
                                                           GdkPaintable     *paintable);
AttestDetections *attest_video_view_get_detections        (AttestVideoView  *self);
void              attest_video_view_set_detections        (AttestVideoView  *self,
                                                           AttestDetections *detections);
guint64           attest_video_view_get_analysis_interval (AttestVideoView  *self);
void              attest_video_view_set_analysis_interval (AttestVideoView  *self,
                                                           guint64           interval_ns);

/* Number of face boxes drawn over the frame on screen now: 0 when the detections are for
 * another frame (see the PTS rule in the .c file). Property "visible-faces". */
guint             attest_video_view_get_visible_faces     (AttestVideoView  *self);
/* TRUE when the detections may be drawn over the frame on screen. Property "boxes-shown". */
gboolean          attest_video_view_get_boxes_shown       (AttestVideoView  *self);

/* The letterboxed rectangle the frame is drawn in, in widget coordinates. FALSE (and an
 * empty rect) when there is no frame yet. */
gboolean          attest_video_view_get_video_rect        (AttestVideoView  *self,
                                                           graphene_rect_t  *rect);
/* Widget point <-> stream pixel (frame pixels of the video). FALSE when there is no frame,
 * or for widget_to_stream when the point lies in the black bars. */
gboolean          attest_video_view_widget_to_stream      (AttestVideoView  *self,
                                                           double            wx,
                                                           double            wy,
                                                           double           *sx,
                                                           double           *sy);
gboolean          attest_video_view_stream_to_widget      (AttestVideoView  *self,
                                                           double            sx,
                                                           double            sy,
                                                           double           *wx,
                                                           double           *wy);

/* Signal "stream-clicked" (double sx, double sy): a primary click on the frame, in stream
 * pixels. */

G_END_DECLS
