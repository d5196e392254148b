/* attest-window-private.h: shared by attest-window.c and attest-window-actions.c, and
 * accessors for tests; not for other code. */
#pragma once

#include "app/attest-window.h"
#include "media/attest-pipeline.h"
#include "widgets/attest-video-view.h"

G_BEGIN_DECLS

struct _AttestWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkStack             *stack;
  AdwStatusPage        *status_page;
  AttestVideoView      *video_view;
  GtkButton            *play_button;
  GtkScale             *seek_scale;
  GtkAdjustment        *seek_adjustment;
  GtkLabel             *time_label;
  GtkLabel             *faces_label;

  AttestSettings       *settings;
  AttestVision         *vision;          /* not owned */

  AttestPipeline       *pipeline;        /* the video on screen, or NULL */
  gboolean              pipeline_analyses;
  GSignalGroup         *pipeline_signals;
  GBindingGroup        *pipeline_bindings;

  GCancellable         *open_cancellable;  /* set while a file is being opened */
  GtkFileChooserNative *chooser;

  char                 *last_toast_title;
};

void             _attest_window_class_install_actions (GtkWidgetClass *widget_class);
void             _attest_window_add_shortcuts         (AttestWindow   *self);
gboolean         _attest_window_pipeline_seekable     (AttestWindow   *self);

/* Plain text of the most recent toast, NULL before the first. */
const char      *_attest_window_get_last_toast_title (AttestWindow *self);
/* The pipeline of the video on screen, NULL when nothing is open. */
AttestPipeline  *_attest_window_get_pipeline         (AttestWindow *self);
AttestVideoView *_attest_window_get_video_view       (AttestWindow *self);
/* TRUE while a file is being checked and prerolled. */
gboolean         _attest_window_get_opening          (AttestWindow *self);

G_END_DECLS
