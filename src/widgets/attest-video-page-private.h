/* attest-video-page-private.h: shared by attest-video-page.c and attest-video-page-faces.c,
 * and accessors for tests; not for other code. */
#pragma once

#include "media/attest-recorder.h"
#include "attest-video-page.h"

G_BEGIN_DECLS

struct _AttestVideoPage
{
  AdwBin                parent_instance;

  GtkStack             *stack;             /* the child: "empty" or "video" */
  /* template */
  AttestVideoView      *video_view;
  GtkButton            *play_button;
  GtkScale             *seek_scale;
  GtkAdjustment        *seek_adjustment;
  GtkLabel             *time_label;
  GtkLabel             *faces_label;
  GtkWidget            *controls;
  GtkRevealer          *panel_revealer;
  AttestCandidatePanel *candidate_panel;

  AttestVision         *vision;            /* not owned */
  AttestStore          *store;
  AttestMatcher        *matcher;
  GHashTable           *identity_names;
  double                match_threshold;
  AttestRejections     *rejections;        /* standing rejections, for the live suggestions */
  GCancellable         *rejections_cancellable;

  AttestPipeline       *pipeline;          /* the video on screen, or NULL */
  gboolean              pipeline_analyses;
  GSignalGroup         *pipeline_signals;
  GBindingGroup        *pipeline_bindings;
  GCancellable         *open_cancellable;  /* set while a file is being opened */
  char                 *title;

  gint64                selected_gone_at;  /* stream ns of the first frame the selected face
                                            * was not on, -1: it is on screen */
  char                 *last_queue_error;
  guint                 queue_in_flight;   /* summaries being written to the queue */

  GtkLabel             *recording_label;   /* template */
  AttestRecorder       *recorder;          /* a network camera's recording, or NULL */
  guint                 n_recorded;        /* its segments closed so far */
  GstClockTime          segment_length;    /* of the recordings (default 5 minutes) */

  char                 *seek_uri;          /* play_moment waits for this file to open */
  gint64                seek_ms;
  guint                 seek_idle;
};

/* attest-video-page.c */
void                  _attest_video_page_toast               (AttestVideoPage *self,
                                                              const char      *message);

/* attest-video-page-faces.c */
void                  _attest_video_page_init_faces          (AttestVideoPage *self);
/* A new pipeline, before it opens: the index, the threshold, the rejections, and its faces
 * queued for review for its whole life. */
void                  _attest_video_page_setup_pipeline      (AttestVideoPage *self,
                                                              AttestPipeline  *pipeline);
/* Beside the video whenever there is a gallery to compare with, or a face to show. */
void                  _attest_video_page_update_revealer     (AttestVideoPage *self);
void                  _attest_video_page_enrol_action        (GtkWidget       *widget,
                                                              const char      *action_name,
                                                              GVariant        *param);
void                  _attest_video_page_send_to_review_action (GtkWidget     *widget,
                                                                const char    *action_name,
                                                                GVariant      *param);

/* For tests: */

/* The pipeline of the video on screen, NULL when nothing is open. */
AttestPipeline       *_attest_video_page_get_pipeline        (AttestVideoPage *self);
AttestVideoView      *_attest_video_page_get_video_view      (AttestVideoPage *self);
AttestCandidatePanel *_attest_video_page_get_candidate_panel (AttestVideoPage *self);
/* Faces on their way into the review queue (written off the main thread); 0: all written. */
guint                 _attest_video_page_get_queue_in_flight (AttestVideoPage *self);
/* The recording indicator's text, NULL while it is hidden. */
const char           *_attest_video_page_get_recording_text  (AttestVideoPage *self);
/* Loads the store's rejections again (as a change to them does). */
void                  _attest_video_page_reload_rejections   (AttestVideoPage *self);

G_END_DECLS
