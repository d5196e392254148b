/* attest-pipeline-private.h: AttestPipeline's state, shared by attest-pipeline.c (playback,
 * bus, controls), attest-pipeline-open.c (opening files and cameras) and
 * attest-pipeline-analysis.c (the detection worker). */
#pragma once

#include "attest-pipeline.h"
#include "analysis/attest-analysis.h"

G_BEGIN_DECLS

struct _AttestPipeline
{
  GObject               parent_instance;

  AttestVision         *vision;       /* not owned */
  GMainContext         *context;
  AttestVideoPaintable *paintable;

  /* Main thread */
  GstElement           *playbin;      /* NULL when nothing is open */
  GstElement           *appsink;      /* display branch (the one that paces playback) */
  GSource              *bus_source;
  GSource              *position_source;
  GTask                *open_task;    /* opening a file: completes at preroll or error */
  GSource              *open_timeout; /* gives up on a preroll that never comes */
  char                 *uri;
  char                 *display_name; /* for messages: file base name or camera device */
  char                 *device;       /* camera device (a network camera: its host), NULL for a file */
  gboolean              stream;       /* a network camera (attest_pipeline_open_stream) */
  char                 *stream_user;
  char                 *stream_password;
  gboolean              playing;
  gboolean              seekable;
  gboolean              at_eos;
  int                   pending_step; /* step waiting for the pause to complete */
  GstClockTime          position;
  GstClockTime          duration;
  AttestDetections     *detections;   /* the history's entry for the frame on screen */
  GstClockTime          analysis_interval;

  /* Shared with the streaming threads and the worker: under lock */
  GMutex                lock;
  GCond                 cond;
  guint                 generation;   /* bumped on teardown and seeks: drops late results */
  gboolean              is_camera;    /* frames have no stable frame number */
  gboolean              worker_quit;
  gboolean              worker_playing;   /* frames ahead are analysed only while playing */
  GstClockTime          shown_pts;        /* the frame due on screen, for the worker's choice */
  GstSample            *preroll_sample;   /* the paused frame on screen: analysed first */
  GQueue                ahead;            /* AheadFrame: analysis-branch frames, in pts order */
  GstClockTime          last_analysed_pts;
  GstClockTime          last_ahead_pts;   /* since the last seek or play: strides from here */
  GstClockTime          detection_time;   /* wall time of one analysis, smoothed; 0: unknown */
  GstClockTime          strides[4];       /* recent distances between analysed frames */
  guint                 n_strides;
  guint                 next_stride;
  GstClockTime          measured_interval;  /* the longest of `strides` */
  GPtrArray            *history;          /* AttestDetections, ascending pts, bounded */
  GSource              *result_source;
  GThread              *worker;

  /* Live matching (attest-pipeline-matching.c), under lock. The step itself is the worker's
   * (its setters take any thread); these are what it was given, to tell a change. */
  AttestAnalysis       *analysis;         /* NULL without vision */
  AttestMatcher        *matcher;          /* NULL: faces are only detected */
  GHashTable           *identity_names;   /* gint64 * -> char * */
  AttestRejections     *rejections;       /* NULL: none */
  double                match_threshold;
  GstSample            *paused_sample;    /* the last preroll: analysed again on a new index */
  /* Worker thread only */
  gboolean              analysis_started;
  guint                 analysis_generation;

  /* Review queue (attest-pipeline-matching.c), under lock */
  char                 *analysis_uri;     /* the file analysed, NULL for a camera */
  GHashTable           *live_tracks;      /* track id -> AttestTrackSummary *, active tracks of
                                           * this generation; whoever steals one emits it */
};

/* attest-pipeline.c */
gboolean _attest_pipeline_build_playbin        (AttestPipeline   *self,
                                                const char       *uri,
                                                gboolean          is_camera);
void     _attest_pipeline_teardown             (AttestPipeline   *self);
/* Takes the pending open (NULL if none) and stops its timeout. */
GTask   *_attest_pipeline_steal_open_task      (AttestPipeline   *self);
void     _attest_pipeline_fail_open            (AttestPipeline   *self,
                                                GError           *error);
void     _attest_pipeline_set_playing          (AttestPipeline   *self,
                                                gboolean          playing);

/* attest-pipeline-analysis.c */
void     _attest_pipeline_analysis_start       (AttestPipeline   *self);
void     _attest_pipeline_analysis_stop        (AttestPipeline   *self);
/* Any thread: the display branch prerolled `sample` (paused, seeked, stepped): it is on
 * screen, so it is analysed before anything else, replacing one not started yet. */
void     _attest_pipeline_analysis_offer_preroll (AttestPipeline *self,
                                                  GstSample      *sample);
/* Any thread: a frame of the analysis branch, decoded ahead of the screen. */
void     _attest_pipeline_analysis_offer_ahead (AttestPipeline   *self,
                                                GstSample        *sample);
/* Main thread, streaming stopped: forgets pending work, history and late results. */
void     _attest_pipeline_analysis_reset       (AttestPipeline   *self,
                                                gboolean          is_camera);
/* Main thread, before a flushing seek to `position`: the same for the media kept open. */
void     _attest_pipeline_analysis_flush       (AttestPipeline   *self,
                                                GstClockTime      position);
/* Display streaming thread: `sample` is due on screen now (the sink synced on it). Where the
 * screen is, for the worker's choice, whatever the main thread is busy with. */
void     _attest_pipeline_analysis_frame_due   (AttestPipeline   *self,
                                                GstSample        *sample);
/* Main thread: mirror of "playing" for the worker. */
void     _attest_pipeline_analysis_set_playing (AttestPipeline   *self,
                                                gboolean          playing);
/* Main thread: "detections" := the history's entry for the frame on screen. */
void     _attest_pipeline_update_detections    (AttestPipeline   *self);
void     _attest_pipeline_set_analysis_interval (AttestPipeline  *self,
                                                 GstClockTime     interval);
/* attest-pipeline-matching.c. Worker thread, frame mapped: the shared per-frame step on it;
 * the summaries it gives go to the main thread. */
AttestDetections *_attest_pipeline_analyse_view (AttestPipeline        *self,
                                                 const AttestImageView *view,
                                                 GstClockTime           pts,
                                                 guint64                frame_number,
                                                 guint                  generation);
/* Main thread, before the media changes (uri NULL: camera or nothing): every track still in
 * view ends, "track-ended" is emitted for the suggestions among them. Also for a seek and at
 * the end of the stream (uri unchanged: pass attest_pipeline_get_uri). */
void              _attest_pipeline_end_live_tracks (AttestPipeline *self,
                                                    const char     *next_uri);
/* Frees the matching state (finalize). */
void     _attest_pipeline_analysis_finalize    (AttestPipeline   *self);

/* Forgets a network camera's host and credentials (attest-pipeline.c). */
void _attest_pipeline_clear_stream (AttestPipeline *self);

G_END_DECLS
