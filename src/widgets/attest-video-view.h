/* attest-video-view.h: shows a video paintable letterboxed and draws the face boxes of the
 * detections over it, only while they belong to the frame on screen (the PTS rule). */
#pragma once

#include <gtk/gtk.h>

#include "analysis/attest-detections.h"

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

/* Live matching. Each face is drawn by its state at the view's threshold (property
 * "match-threshold", default ATTEST_MATCHER_DEFAULT_THRESHOLD): suggestion = dashed amber,
 * "No match" = solid grey, too poor to compare = dotted grey, not compared = solid blue,
 * confirmed = solid green; the selected face gets a white halo. */
double            attest_video_view_get_match_threshold   (AttestVideoView  *self);
void              attest_video_view_set_match_threshold   (AttestVideoView  *self,
                                                           double            threshold);
/* Face i of the detections on screen (i < visible-faces): its state and its label as drawn
 * (newly allocated), and its box in widget coordinates. */
AttestFaceState   attest_video_view_get_face_state        (AttestVideoView  *self,
                                                           guint             i);
char             *attest_video_view_get_face_label        (AttestVideoView  *self,
                                                           guint             i);
gboolean          attest_video_view_get_face_rect         (AttestVideoView  *self,
                                                           guint             i,
                                                           graphene_rect_t  *rect);
/* What a click on a box does: selects face i (-1: none) and emits "face-selected". The
 * selection follows the face's track across frames. */
void              attest_video_view_select_face           (AttestVideoView  *self,
                                                           int               i);
/* The selected face's index in the detections on screen (-1: none or not in view) and its
 * track (0: none, or faces without tracks). */
int               attest_video_view_get_selected_face     (AttestVideoView  *self);
guint             attest_video_view_get_selected_track    (AttestVideoView  *self);
/* Whether a drag where there is no box draws one ("can-draw-box"; the window sets it while
 * paused). */
gboolean          attest_video_view_get_can_draw_box      (AttestVideoView  *self);
void              attest_video_view_set_can_draw_box      (AttestVideoView  *self,
                                                           gboolean          can_draw);

/* Signals:
 * "stream-clicked" (double sx, double sy): a primary click on the frame, in stream pixels.
 * "face-selected" (guint track_id, int face_index): a click on a box (-1: on no box).
 * "face-activated" (guint track_id, int face_index): a double click on a box.
 * "box-drawn" (double x, double y, double width, double height): a box dragged by hand on
 *   a paused frame, in stream pixels. */

G_END_DECLS
