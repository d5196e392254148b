/* attest-window-private.h: shared by attest-window.c and attest-window-actions.c, and
 * accessors for tests; not for other code. */
#pragma once

#include "app/attest-window.h"
#include "media/attest-pipeline.h"
#include "widgets/attest-candidate-panel.h"
#include "widgets/attest-video-view.h"
#include "widgets/attest-gallery-page.h"
#include "widgets/attest-audit-page.h"
#include "app/attest-export-dialog.h"
#include "widgets/attest-review-page.h"

G_BEGIN_DECLS

struct _AttestWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
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
  AdwViewStack         *view_stack;
  AttestGalleryPage    *gallery_page;

  AttestSettings       *settings;
  AttestVision         *vision;          /* not owned */

  AttestPipeline       *pipeline;        /* the video on screen, or NULL */
  gboolean              pipeline_analyses;
  GSignalGroup         *pipeline_signals;
  GBindingGroup        *pipeline_bindings;

  GCancellable         *open_cancellable;  /* set while a file is being opened */
  GtkFileChooserNative *chooser;
  GtkFileChooserNative *import_chooser;   /* win.import, win.import-photos */

  char                 *last_toast_title;
  GtkWidget            *controls;          /* template: the video's bottom bar */
  GtkCssProvider       *toast_css;         /* keeps toasts above the page's bottom bar */

  /* Live matching (attest-window-matching.c) */
  GtkRevealer          *panel_revealer;    /* template */
  AttestCandidatePanel *candidate_panel;   /* template */
  gint64                selected_gone_at;  /* stream ns of the first frame the selected face
                                            * was not on, -1: it is on screen */
  AttestStore          *store;
  AttestMatcher        *matcher;
  GHashTable           *identity_names;
  AttestImpostorStats   stats;
  gboolean              have_stats;
  gboolean              stats_enough;
  gboolean              threshold_connected;

  /* Review queue from playback (attest-window-queue.c) */
  char                 *last_queue_error;
  guint                 queue_in_flight;   /* summaries being written to the queue */
  AttestRejections     *rejections;        /* standing rejections, for the live suggestions */
  GCancellable         *rejections_cancellable;
  /* Audit page and export (attest-window-audit.c) */
  AttestAuditPage      *audit_page;        /* template */
  AttestExportDialog   *export_dialog;     /* weak: the open export dialog, or NULL */
  /* Review (attest-window-review.c) */
  AttestReviewPage     *review_page;       /* template */
  struct _AttestWindowReview *review;
};

void             _attest_window_class_install_actions (GtkWidgetClass *widget_class);
void             _attest_window_add_shortcuts         (AttestWindow   *self);
/* Gallery UI (attest-window-gallery.c): sets up the gallery page and the enrol signals. */
void             _attest_window_class_install_gallery_actions (GtkWidgetClass *widget_class);
void             _attest_window_init_gallery          (AttestWindow   *self);
void             _attest_window_dispose_gallery       (AttestWindow   *self);
/* After an enrolment, import or edit: reloads the gallery page and the search index. */
void             _attest_window_gallery_changed       (AttestWindow   *self);
gboolean         _attest_window_pipeline_seekable     (AttestWindow   *self);
/* The handler of every win.show-PAGE action: shows the view stack page PAGE. */
void             _attest_window_show_page_action      (GtkWidget      *widget,
                                                       const char     *action_name,
                                                       GVariant       *param);
/* Live matching (attest-window-matching.c). */
void             _attest_window_class_init_matching   (GtkWidgetClass *widget_class);
void             _attest_window_init_matching         (AttestWindow   *self);
void             _attest_window_dispose_matching      (AttestWindow   *self);
/* A new pipeline, before it opens: gets the index and the threshold. */
void             _attest_window_setup_pipeline        (AttestWindow   *self,
                                                       AttestPipeline *pipeline);

/* Review queue from playback (attest-window-queue.c): face.send-to-review, and every
 * suggestion leaving the screen queued. */
void             _attest_window_class_init_queue      (GtkWidgetClass *widget_class);
void             _attest_window_setup_pipeline_queue  (AttestWindow   *self,
                                                       AttestPipeline *pipeline);
void             _attest_window_dispose_queue         (AttestWindow   *self);
/* Reloads the rejected probes (after a reject or undo, or a new store) for the live
 * suggestions: a rejected identity is not offered again for a face like that probe. */
void             _attest_window_rejections_changed    (AttestWindow   *self);
/* A pending item was added (item_id) by playback or by hand: the review page refreshes. */
void             _attest_window_queue_changed         (AttestWindow   *self,
                                                       gint64          item_id);
/* Audit page and export (attest-window-audit.c). */
void             _attest_window_class_init_audit      (GtkWidgetClass *widget_class);
void             _attest_window_init_audit            (AttestWindow   *self);
void             _attest_window_dispose_audit         (AttestWindow   *self);
/* After anything audited (a decision, an edit, an export): lists the Audit page again when it
 * is on screen. */
void             _attest_window_audit_changed         (AttestWindow   *self);
AttestAuditPage *_attest_window_get_audit_page        (AttestWindow   *self);
/* The open export dialog (win.export), or NULL. */
AttestExportDialog *_attest_window_get_export_dialog  (AttestWindow   *self);
/* Review page (attest-window-review.c). */
typedef struct _AttestWindowReview AttestWindowReview;
void             _attest_window_class_init_review     (GtkWidgetClass *widget_class);
void             _attest_window_init_review           (AttestWindow   *self);
void             _attest_window_dispose_review        (AttestWindow   *self);
/* After the store or the impostor stats changed. */
void             _attest_window_review_sync           (AttestWindow   *self);
/* Reads the queue again (after the live path or a scan added items); the panel keeps the
 * item it shows while it is pending, else shows the next pending one. */
void             _attest_window_review_reload         (AttestWindow   *self);
AttestReviewPage *_attest_window_get_review_page      (AttestWindow   *self);
/* Scans a file into the queue as win.scan does for the video on screen. */
void             _attest_window_scan_file             (AttestWindow   *self,
                                                       GFile          *file);
gboolean         _attest_window_get_scanning          (AttestWindow   *self);

/* Plain text of the most recent toast, NULL before the first. */
const char      *_attest_window_get_last_toast_title (AttestWindow *self);
/* Faces on their way into the review queue (written off the main thread); 0: all written. */
guint            _attest_window_get_queue_in_flight (AttestWindow *self);
/* The pipeline of the video on screen, NULL when nothing is open. */
AttestPipeline  *_attest_window_get_pipeline         (AttestWindow *self);
AttestVideoView *_attest_window_get_video_view       (AttestWindow *self);
/* TRUE while a file is being checked and prerolled. */
gboolean         _attest_window_get_opening          (AttestWindow *self);

G_END_DECLS
