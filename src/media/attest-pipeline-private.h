/* attest-pipeline-private.h: AttestPipeline's state, shared by attest-pipeline.c (playback,
 * bus, controls), attest-pipeline-open.c (opening files and cameras) and
 * attest-pipeline-analysis.c (the detection worker). */
#pragma once

#include "attest-pipeline.h"

G_BEGIN_DECLS

struct _AttestPipeline
{
  GObject               parent_instance;

  AttestVision         *vision;       /* not owned */
  GMainContext         *context;
  AttestVideoPaintable *paintable;

  /* Main thread */
  GstElement           *playbin;      /* NULL when nothing is open */
  GstElement           *appsink;
  GSource              *bus_source;
  GSource              *position_source;
  GTask                *open_task;    /* opening a file: completes at preroll or error */
  GSource              *open_timeout; /* gives up on a preroll that never comes */
  char                 *uri;
  char                 *display_name; /* for messages: file base name or camera device */
  char                 *device;       /* camera device, NULL for a file */
  gboolean              playing;
  gboolean              seekable;
  gboolean              at_eos;
  int                   pending_step; /* step waiting for the pause to complete */
  GstClockTime          position;
  GstClockTime          duration;
  AttestDetections     *detections;
  GstClockTime          analysis_interval;

  /* Shared with the streaming threads and the worker: under lock */
  GMutex                lock;
  GCond                 cond;
  guint                 generation;   /* bumped on teardown: drops late results of old media */
  GstSample            *work_sample;
  guint                 work_generation;
  gboolean              is_camera;    /* frames have no stable frame number */
  gboolean              worker_quit;
  AttestDetections     *result;
  guint                 result_generation;
  GSource              *result_source;
  GThread              *worker;
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
/* Any thread: hands a frame to the worker, replacing one it has not started on. */
void     _attest_pipeline_analysis_offer       (AttestPipeline   *self,
                                                GstSample        *sample);
/* Main thread, streaming stopped: forgets pending work and drops late results. */
void     _attest_pipeline_analysis_reset       (AttestPipeline   *self,
                                                gboolean          is_camera);
void     _attest_pipeline_set_detections       (AttestPipeline   *self,
                                                AttestDetections *detections);
void     _attest_pipeline_set_analysis_interval (AttestPipeline  *self,
                                                 GstClockTime     interval);

G_END_DECLS
