/* attest-video-page.h: the Video page: the video on screen (a file or a camera) with its
 * controls, the face boxes of live matching, the selected face's candidates beside it, and
 * the faces leaving the screen as suggestions sent to the review queue.
 *
 * It owns the pipeline and its actions: video.toggle-play, video.step-forward,
 * video.step-back, video.seek-forward, video.seek-back, face.enrol and face.send-to-review.
 * Nothing here records a match: the page only suggests, and queues for a person to decide.
 * Messages go to the window's toasts (attest_widget_toast). */
#pragma once

#include <adwaita.h>

#include "analysis/attest-matcher.h"
#include "media/attest-pipeline.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"
#include "attest-candidate-panel.h"
#include "attest-video-view.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_VIDEO_PAGE (attest_video_page_get_type ())
G_DECLARE_FINAL_TYPE (AttestVideoPage, attest_video_page, ATTEST, VIDEO_PAGE, AdwBin)

GtkWidget       *attest_video_page_new                (void);

/* NULL: face detection is off (the video still plays). Not owned: it outlives the page. */
void             attest_video_page_set_vision         (AttestVideoPage           *self,
                                                       AttestVision              *vision);
/* Where suggestions are queued and rejections read from; NULL: nothing is queued. The page
 * follows the store's rejections as they change. */
void             attest_video_page_set_store          (AttestVideoPage           *self,
                                                       AttestStore               *store);
/* The gallery the faces are compared with (NULL: none), from the next analysed frame. */
void             attest_video_page_set_matcher        (AttestVideoPage           *self,
                                                       AttestMatcher             *matcher,
                                                       GHashTable                *identity_names);
void             attest_video_page_set_impostor_stats (AttestVideoPage           *self,
                                                       const AttestImpostorStats *stats,
                                                       gboolean                   enough);
/* Property "match-threshold". */
void             attest_video_page_set_match_threshold (AttestVideoPage          *self,
                                                        double                    threshold);

/* Opens `file` and plays it once it has prerolled; a file that fails leaves the video on
 * screen as it was and says why. */
void             attest_video_page_open_file          (AttestVideoPage           *self,
                                                       GFile                     *file);
void             attest_video_page_open_camera        (AttestVideoPage           *self);
/* Watches a network camera (rtsp://, http:// MJPEG) and records it into `folder` as it is
 * watched: each closed segment is handed on ("segment-recorded") to be scanned into the
 * review queue, so what is seen live is reviewed from the recording. user NULL: the URL's
 * own credentials. FALSE with a message for an address that is not a camera URL. */
gboolean         attest_video_page_open_stream        (AttestVideoPage           *self,
                                                       const char                *uri,
                                                       const char                *user,
                                                       const char                *password,
                                                       const char                *folder,
                                                       GError                   **error);
/* Plays `uri` from `ms` (opening it unless it is the video on screen). */
void             attest_video_page_play_moment        (AttestVideoPage           *self,
                                                       const char                *uri,
                                                       gint64                     ms);
/* Space, the arrows, comma and period drive the video from anywhere in `window` while the
 * page is on screen (not while typing); Ctrl+E enrols and Ctrl+Shift+R sends the selected
 * face to review. */
void             attest_video_page_add_shortcuts      (AttestVideoPage           *self,
                                                       GtkWidget                 *window);

/* How long each recorded segment of a network camera is at most (default 5 minutes): how
 * soon what was seen live can be reviewed. */
void             attest_video_page_set_segment_length (AttestVideoPage           *self,
                                                       GstClockTime               length);
/* Property "title": the open video's name ("Camera" for a camera), NULL when none. */
const char      *attest_video_page_get_title          (AttestVideoPage           *self);
/* Property "file-uri": the open video's URI when it is a file, else NULL. */
const char      *attest_video_page_get_file_uri       (AttestVideoPage           *self);
/* Property "opening": TRUE while a file is being checked and prerolled. */
gboolean         attest_video_page_get_opening        (AttestVideoPage           *self);
/* Pauses the video on screen, if it plays. */
void             attest_video_page_pause              (AttestVideoPage           *self);
/* The controls at the foot of the page (a toast must not cover them). */
GtkWidget       *attest_video_page_get_controls       (AttestVideoPage           *self);

/* Signal "segment-recorded" (const char *path): a segment of the network camera being
 * watched is complete on disk. */

/* Signal "enrol-face" (GdkTexture *frame, gconstpointer box, gboolean hand_drawn,
 * const char *uri, gint64 ms, gint64 proposed_identity_id): the reviewer asked to enrol the
 * face in `box` (stream pixels of `frame`); the video is paused on that frame. uri NULL: a
 * camera; ms -1: not known; proposed -1: the face is suggested as nobody. */

G_END_DECLS
